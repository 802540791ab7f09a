// `npm run bench:browser [-- --quick]`: the browser broker in Chromium. In a dedicated worker (where
// the host runs): (a) storage.append of IndexedDB storage and (b) the partition log's appendBatches;
// in the page: (c) producer.send through the browser broker (comlink to the SharedWorker host),
// awaited one by one and 64 in flight. Each beside the ceiling: a raw IndexedDB loop in the same
// context, one readwrite transaction per put of the same batch bytes, durability "strict", awaited
// to completion; alternating rounds, ratio = median of per-round ratios. See BENCHMARKS.md.
// Progress goes to stderr, the table to stdout.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { chromium } from "playwright-core";
import { chromiumArgs, chromiumPath } from "../test/harness/chromium.ts";
import { type BrowserRow, type BrowserScenario, formatBrowserReport, OPS } from "./browser-report.ts";

export { type BrowserRow, formatBrowserReport } from "./browser-report.ts";

export interface BrowserBenchOptions {
  /** Tiny volumes: a smoke test of a few seconds, figures not meaningful. */
  quick?: boolean;
  progress?: (line: string) => void;
}

const VALUE_SIZES = [100, 1024];
const BATCH_SIZES = [1, 100, 1000];
const here = fileURLToPath(new URL(".", import.meta.url));

function scenario(valueSize: number, batchSize: number, quick: boolean): BrowserScenario {
  return quick
    ? { valueSize, batchSize, minMs: 40, rounds: 2, maxRoundBytes: 2_000_000 }
    : { valueSize, batchSize, minMs: 750, rounds: 6, maxRoundBytes: 32_000_000 };
}

async function servePages(outdir: string) {
  await build({
    entryPoints: {
      "browser-page": join(here, "browser-page.ts"),
      "browser-worker": join(here, "browser-worker.ts"),
      "browser-host": join(here, "browser-host.ts"),
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
    if (path === "/") {
      response.writeHead(200, { "content-type": "text/html" });
      response.end('<!doctype html><title>bench</title><body><script type="module" src="/browser-page.js"></script></body>');
      return;
    }
    try {
      const body = readFileSync(join(outdir, path.replace(/[^\w.-]/g, "")));
      response.writeHead(200, { "content-type": "text/javascript" }).end(body);
    } catch {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  return { url: `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`, server };
}

export async function runBrowserBench(options: BrowserBenchOptions = {}): Promise<BrowserRow[]> {
  const quick = options.quick ?? false;
  const progress = options.progress ?? ((line: string) => process.stderr.write(`${line}\n`));
  const work = mkdtempSync(join(tmpdir(), "rill-bench-browser-"));
  // the profile sits on disk (not a tmpfs): IndexedDB commits are real fsyncs
  const { url, server } = await servePages(join(work, "pages"));
  const context = await chromium.launchPersistentContext(join(work, "profile"), {
    executablePath: chromiumPath,
    args: chromiumArgs,
    headless: true,
  });
  const rows: BrowserRow[] = [];
  try {
    const page = await context.newPage();
    page.on("pageerror", (error) => progress(`page error: ${error}`));
    await page.goto(url);
    await page.waitForFunction(() => document.body?.dataset.ready === "true");
    for (const valueSize of VALUE_SIZES) {
      for (const batchSize of BATCH_SIZES) {
        const spec = scenario(valueSize, batchSize, quick);
        progress(`bench:browser ${valueSize} B x${batchSize} ...`);
        const figures = await page.evaluate((s) => window.rillBench.run(s), spec);
        for (const { key, context: where, op } of OPS)
          rows.push({ ...figures[key], context: where, op, valueSize, recordsPerBatch: batchSize });
      }
    }
  } finally {
    await context.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(work, { recursive: true, force: true });
  }
  return rows;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const quick = process.argv.includes("--quick");
  const started = Date.now();
  const rows = await runBrowserBench({ quick });
  process.stderr.write(`bench:browser took ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
  process.stdout.write(formatBrowserReport(rows));
}
