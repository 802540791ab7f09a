// The edge broker for the benchmark: the Worker and its Durable Objects (SQLite on disk) in workerd,
// started through Miniflare from this process, as toolchain.md measured: `wrangler dev` puts a
// proxy workerd in front of the runtime and caps this machine near 200 requests/s, bare Miniflare
// does not. Also reads the partition objects' billing counters (debugMetrics) over Miniflare's
// binding proxy, which no public route exposes.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { replicaLogName } from "@rill/core";
import { build } from "esbuild";
import { Miniflare } from "miniflare";
import { freePort } from "../../test/harness/local-broker.ts";

const root = new URL("../..", import.meta.url).pathname;

export interface EdgeMetrics {
  requests: number;
  rowsRead: number;
  rowsWritten: number;
}

export interface MiniflareEdge {
  url: string;
  /** The partition object's counters (leader replica). */
  metrics(topicId: string, partition: number): Promise<EdgeMetrics>;
  stop(): Promise<void>;
}

/** Bundles the Worker as wrangler would (workerd conditions, cloudflare:* left to the runtime). */
export async function bundleWorker(entry = "workers/src/index.ts", name = "rill-edge", sourceRoot = root): Promise<string> {
  const outfile = join(root, ".tmp", "bench", `${name}.${process.pid}.${Math.random().toString(36).slice(2, 6)}.js`);
  mkdirSync(dirname(outfile), { recursive: true });
  await build({
    absWorkingDir: sourceRoot,
    entryPoints: [join(sourceRoot, entry)],
    outfile,
    bundle: true,
    format: "esm",
    platform: "neutral",
    target: "es2022",
    external: ["cloudflare:*", "node:*"],
    conditions: ["workerd", "worker", "browser", "import", "default"],
    mainFields: ["module", "main"],
    logLevel: "warning",
  });
  return outfile;
}

export interface EdgeOptions {
  inspectorPort?: number;
  vars?: Record<string, string>;
  /** Bundle the Worker from this checkout (see baseline.ts) instead of this one. */
  sourceRoot?: string;
}

export async function startMiniflareEdge(options: EdgeOptions = {}): Promise<MiniflareEdge> {
  const scriptPath = await bundleWorker(undefined, undefined, options.sourceRoot);
  const stateDir = mkdtempSync(join(tmpdir(), "rill-bench-edge-"));
  const port = await freePort();
  const sqlite = (className: string) => ({ className, useSQLite: true });
  const mf = new Miniflare({
    host: "127.0.0.1",
    port,
    modules: true,
    scriptPath,
    compatibilityDate: "2026-04-01",
    compatibilityFlags: ["nodejs_compat"],
    durableObjects: {
      CONTROLLER: sqlite("ControllerObject"),
      PARTITIONS: sqlite("PartitionObject"),
      GROUPS: sqlite("GroupObject"),
      QUOTAS: sqlite("QuotaObject"),
      SUBSCRIPTIONS: sqlite("SubscriptionObject"),
      SUBSCRIPTION_INDEX: sqlite("SubscriptionIndexObject"),
    },
    durableObjectsPersist: stateDir,
    bindings: options.vars ?? {},
    inspectorPort: options.inspectorPort,
    cf: false,
  });
  await mf.ready;
  return {
    url: `http://127.0.0.1:${port}`,
    async metrics(topicId, partition) {
      const ns = await mf.getDurableObjectNamespace("PARTITIONS");
      const stub = ns.get(ns.idFromName(replicaLogName(topicId, partition, 0))) as unknown as { debugMetrics(): Promise<EdgeMetrics> };
      const m = await stub.debugMetrics();
      return { requests: m.requests, rowsRead: m.rowsRead, rowsWritten: m.rowsWritten };
    },
    async stop() {
      await mf.dispose();
      rmSync(stateDir, { recursive: true, force: true });
      rmSync(scriptPath, { force: true });
    },
  };
}
