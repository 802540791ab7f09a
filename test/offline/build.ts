// Bundles the offline test app (page and worker) with esbuild into a directory, and serves it on
// 127.0.0.1 with a tiny static server.
import { mkdtempSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";

const here = new URL(".", import.meta.url).pathname;

export async function buildApp(): Promise<string> {
  const out = mkdtempSync(join(tmpdir(), "rill-offline-app-"));
  await build({
    entryPoints: { page: join(here, "app/page.ts"), worker: join(here, "app/worker.ts") },
    bundle: true,
    format: "esm",
    target: "es2022",
    platform: "browser",
    outdir: out,
    logLevel: "error",
  });
  writeFileSync(
    join(out, "index.html"),
    '<!doctype html><meta charset="utf-8"><title>rill offline test</title><script type="module" src="/page.js"></script><p>rill offline test</p>',
  );
  return out;
}

export interface AppServer {
  url: string;
  close(): Promise<void>;
}

export async function serveApp(dir: string): Promise<AppServer> {
  const types: Record<string, string> = { ".js": "text/javascript", ".html": "text/html" };
  const server: Server = createServer(async (req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    const file = path === "/" ? "index.html" : path.slice(1);
    try {
      const body = await readFile(join(dir, file));
      res.writeHead(200, {
        "content-type": types[file.slice(file.lastIndexOf("."))] ?? "application/octet-stream",
        "cache-control": "no-store",
      });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
