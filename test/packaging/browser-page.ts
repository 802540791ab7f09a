// The web page of the scratch project: built by Vite from the installed packages, served from a
// static server on 127.0.0.1, opened in Debian's Chromium, and read back from window.rillResult.
import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { extname, join, normalize } from "node:path";
import { chromium } from "playwright-core";
import { build } from "vite";
import { chromiumArgs, chromiumPath } from "../harness/chromium.ts";
import { until } from "../helpers/wait.ts";

export interface PageResult {
  ok: boolean;
  error?: string;
  app?: string[];
  builtIn?: string[];
  remote?: string[];
}

/** Builds `<app>/web` into `<app>/web-dist`; answers the emitted files. */
export async function buildPage(app: string): Promise<string[]> {
  const output = await build({
    root: join(app, "web"),
    configFile: false,
    logLevel: "warn",
    build: { outDir: join(app, "web-dist"), emptyOutDir: true },
  });
  const outputs = Array.isArray(output) ? output : [output];
  return outputs.flatMap((o) => ("output" in o ? o.output.map((chunk) => chunk.fileName) : []));
}

const types: Record<string, string> = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".json": "application/json" };

async function serve(dir: string): Promise<{ url: string; server: Server }> {
  const server = createServer(async (request, response) => {
    const path = normalize(new URL(request.url ?? "/", "http://x").pathname).replace(/^(\.\.[/\\])+/, "");
    try {
      const body = await readFile(join(dir, path.endsWith("/") ? `${path}index.html` : path));
      response.writeHead(200, { "content-type": types[extname(path) || ".html"] ?? "application/octet-stream" }).end(body);
    } catch {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, server };
}

/** Opens the built page in Chromium (a fresh profile) and waits for its result. */
export async function runPage(app: string, brokerUrl: string): Promise<PageResult> {
  const { url, server } = await serve(join(app, "web-dist"));
  const context = await chromium.launchPersistentContext(join(app, "chromium-profile"), {
    executablePath: chromiumPath,
    args: chromiumArgs,
    headless: true,
  });
  try {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(String(error)));
    await page.goto(`${url}/?broker=${encodeURIComponent(brokerUrl)}`);
    const result = await until(
      () => page.evaluate(() => (window as unknown as { rillResult?: PageResult }).rillResult),
      "the page's result",
      { timeoutMs: 60_000, everyMs: 100 },
    ).catch((error: Error) => ({ ok: false, error: `${error.message}; page errors: ${errors.join("; ") || "none"}` }));
    return result;
  } finally {
    await context.close();
    await new Promise((resolve) => server.close(resolve));
  }
}
