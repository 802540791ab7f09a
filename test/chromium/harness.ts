// Chromium tests of the browser broker across tabs: the test pages (pages/*.ts) bundled with
// esbuild, served from 127.0.0.1 by a small static server, and Debian's Chromium driven by
// playwright-core on a persistent profile the test owns.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { extname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { chromiumArgs, chromiumPath, pageWait } from "../harness/chromium.ts";
import { until } from "../helpers/wait.ts";

const here = fileURLToPath(new URL(".", import.meta.url));
const TYPES: Record<string, string> = { ".js": "text/javascript", ".html": "text/html", ".map": "application/json" };

export interface ServedPages {
  url: string;
  close(): Promise<void>;
}

/** Bundles the test pages and serves them; `entries` are extra page scripts (name -> source file). */
export async function servePages(entries: Record<string, string> = {}): Promise<ServedPages> {
  const outdir = mkdtempSync(join(tmpdir(), "rill-chromium-pages-"));
  await build({
    entryPoints: {
      tab: join(here, "pages/tab.ts"),
      worker: join(here, "pages/worker.ts"),
      "worker-no-locks": join(here, "pages/worker-no-locks.ts"),
      ...entries,
    },
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    outdir,
    logLevel: "error",
  });
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? "/", "http://x").pathname;
    const page = /^\/([\w-]+)\.html$/.exec(path)?.[1];
    if (path === "/" || page) {
      response.writeHead(200, { "content-type": "text/html" });
      response.end(`<!doctype html><title>rill</title><body><script type="module" src="/${page ?? "tab"}.js"></script></body>`);
      return;
    }
    try {
      const body = readFileSync(join(outdir, path.replace(/^\/+/, "").replace(/\.\./g, "")));
      response.writeHead(200, { "content-type": TYPES[extname(path)] ?? "application/octet-stream" });
      response.end(body);
    } catch {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(outdir, { recursive: true, force: true });
    },
  };
}

export interface Browser {
  context: BrowserContext;
  profile: string;
  /** Opens a tab on the test page, waiting until its API is there. */
  tab(path?: string): Promise<Page>;
  close(): Promise<void>;
}

export interface LaunchOptions {
  /** The profile directory (default: a fresh temporary one, removed on close). */
  profile?: string;
  /** Removes SharedWorker (dedicated mode) and/or the Web Locks API from every page. */
  without?: Array<"SharedWorker" | "locks">;
}

export async function launch(pages: ServedPages, options: LaunchOptions = {}): Promise<Browser> {
  const ownProfile = options.profile === undefined;
  const profile = options.profile ?? mkdtempSync(join(tmpdir(), "rill-chromium-profile-"));
  const context = await chromium.launchPersistentContext(profile, { executablePath: chromiumPath, args: chromiumArgs, headless: true });
  const without = options.without ?? [];
  if (without.length > 0) {
    await context.addInitScript((names: string[]) => {
      if (names.includes("SharedWorker")) delete (globalThis as { SharedWorker?: unknown }).SharedWorker;
      if (names.includes("locks")) Object.defineProperty(Navigator.prototype, "locks", { get: () => undefined, configurable: true });
    }, without);
  }
  const problems: string[] = [];
  return {
    context,
    profile,
    async tab(path = "/") {
      const page = await context.newPage();
      page.on("pageerror", (error) => problems.push(String(error)));
      await page.goto(`${pages.url}${path}`);
      await page.waitForFunction(() => document.body?.dataset.ready === "true");
      return page;
    },
    async close() {
      await context.close().catch(() => undefined);
      if (ownProfile) rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Freezes a tab as the browser freezes a background tab: the page through the DevTools protocol's
 * Page.setWebLifecycleState, and its dedicated workers, which that call leaves running here, by
 * pausing their JavaScript in the debugger. Resolves with the function that thaws it.
 */
export async function freeze(page: Page): Promise<() => Promise<void>> {
  const cdp = await page.context().newCDPSession(page);
  const workers: string[] = [];
  cdp.on("Target.attachedToTarget", (event: { sessionId: string; targetInfo: { type: string } }) => {
    if (event.targetInfo.type === "worker") workers.push(event.sessionId);
  });
  await cdp.send("Target.setAutoAttach", { autoAttach: true, waitForDebuggerOnStart: false, flatten: false });
  await until(async () => workers.length > 0, "the tab's worker", { ...pageWait, timeoutMs: 10_000 });
  let id = 0;
  const toWorkers = (method: string) =>
    Promise.all(
      workers.map((sessionId) => cdp.send("Target.sendMessageToTarget", { sessionId, message: JSON.stringify({ id: ++id, method }) })),
    );
  await toWorkers("Debugger.enable");
  await toWorkers("Debugger.pause");
  await cdp.send("Page.setWebLifecycleState", { state: "frozen" });
  return async () => {
    await toWorkers("Debugger.resume");
    await cdp.send("Page.setWebLifecycleState", { state: "active" });
    await cdp.detach();
  };
}
