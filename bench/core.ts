// `npm run bench:core [-- --quick]`: append and read throughput of the core partition log on the
// memory backend (in-process, Node) and on Durable Object SQLite (inside workerd, via Miniflare),
// each row beside a ceiling measured in the same run:
//   memory append: encodeBatch + one CRC-32C over the same records (the cost of producing the bytes)
//   memory read:   walking the same batch bytes in maxBytes chunks, copying each (the backend copies out)
//   sqlite append: raw INSERT INTO raw(k INTEGER PRIMARY KEY, bytes BLOB) of the same batch bytes,
//                  one transactionSync per insert
//   sqlite store:  the storage backend alone (storage.append of stamped batches, no batch checks),
//                  against the same raw INSERT
//   sqlite read:   raw SELECTs of those rows in maxBytes chunks, one transactionSync per SELECT
// Progress goes to stderr, the table to stdout. See BENCHMARKS.md.

import { mkdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { CRC_START, crc32c, createPartitionLog, encodeBatch, type RecordInput } from "@rill/core";
import { createMemoryStorage } from "@rill/storage-memory";
import { build } from "esbuild";
import { Miniflare } from "miniflare";
import { type Backend, type BenchRow, fmt, formatReport, type Operation, size, times } from "./core-report.ts";
import {
  alternate,
  type Fixture,
  type Loop,
  logAppendLoop,
  type Measured,
  makeFixture,
  medianRatio,
  type ScenarioResult,
  type ScenarioSpec,
  timeLoop,
  timeWalks,
  walkLog,
} from "./core-shared.ts";

export {
  type Backend,
  type BenchRow,
  checkTargets,
  formatCommitTable,
  formatReport,
  formatTable,
  NO_SAMPLE,
  type Operation,
} from "./core-report.ts";

export interface BenchOptions {
  /** Tiny volumes: a smoke test of a few seconds, figures not meaningful. */
  quick?: boolean;
  /** Progress lines (default: stderr). */
  progress?: (line: string) => void;
}

const VALUE_SIZES = [100, 1024];
const BATCH_SIZES = [1, 100, 1000];
const CEILINGS: Record<Backend, Partial<Record<Operation, string>>> = {
  memory: { append: "encode+CRC", read: "copy walk" },
  sqlite: { append: "raw INSERT", store: "raw INSERT", read: "raw SELECT" },
};

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

function specFor(valueSize: number, batchSize: number, quick: boolean): ScenarioSpec {
  return quick
    ? { valueSize, batchSize, minMs: 30, warmupMs: 5, maxLogBytes: 2_000_000, rounds: 2, readMaxBytes: 1024 * 1024 }
    : { valueSize, batchSize, minMs: 1500, warmupMs: 200, maxLogBytes: 128_000_000, rounds: 10, readMaxBytes: 1024 * 1024 };
}

/** The CRC stored in a batch header (big-endian uint32 at byte 17). */
const storedCrc = (b: Uint8Array) =>
  (((b[17] as number) << 24) | ((b[18] as number) << 16) | ((b[19] as number) << 8) | (b[20] as number)) >>> 0;

/** The memory append ceiling: producing the batch bytes (encodeBatch checksums) and checking the CRC once, as an append does. */
function encodeLoop(fixture: Fixture): Loop {
  const { records, now } = fixture;
  const n = records.length;
  return {
    step: (i) => {
      const bytes = encodeBatch(records[i % n] as RecordInput[], { now });
      if (crc32c(bytes, CRC_START, bytes.length) !== storedCrc(bytes)) throw new Error("CRC-32C mismatch in the ceiling loop");
    },
    recordsPerStep: records[0]?.length ?? 0,
    bytesPerStep: fixture.batchBytes,
  };
}

/** The memory read ceiling: the same batch bytes held in an array, walked in maxBytes chunks, each copied out. */
function copyWalk(stored: Uint8Array[], batchSize: number, maxBytes: number) {
  let bytes = 0;
  let i = 0;
  while (i < stored.length) {
    const out: Uint8Array[] = [];
    let size = 0;
    while (i < stored.length && (out.length === 0 || size < maxBytes)) {
      const b = (stored[i++] as Uint8Array).slice();
      out.push(b);
      size += b.length;
    }
    bytes += size;
  }
  return { records: stored.length * batchSize, bytes };
}

async function runMemoryScenario(spec: ScenarioSpec): Promise<ScenarioResult> {
  const fixture = makeFixture(spec.valueSize, spec.batchSize);
  const maxSteps = Math.max(1, Math.ceil(spec.maxLogBytes / fixture.batchBytes / spec.rounds));

  const warmLog = createPartitionLog({ storage: createMemoryStorage(), partition: "warm" });
  await timeLoop(logAppendLoop(warmLog, fixture), spec.warmupMs, maxSteps);
  await timeLoop(encodeLoop(fixture), spec.warmupMs, maxSteps);
  await timeWalks(() => walkLog(warmLog, spec.readMaxBytes), spec.warmupMs / 2);
  await timeWalks(() => copyWalk(fixture.batches, spec.batchSize, spec.readMaxBytes), spec.warmupMs / 2);

  const perRound = spec.minMs / spec.rounds;
  const log = createPartitionLog({ storage: createMemoryStorage(), partition: "bench" });
  const append = await alternate(
    spec.rounds,
    () => timeLoop(logAppendLoop(log, fixture), perRound, maxSteps),
    () => timeLoop(encodeLoop(fixture), perRound, maxSteps),
  );
  // The ceiling walks copies of the same bytes, as many batches as the log holds.
  const count = append.a.records / spec.batchSize;
  const stored = Array.from({ length: count }, (_, i) => (fixture.batches[i % fixture.batches.length] as Uint8Array).slice());
  const read = await alternate(
    spec.rounds,
    () => timeWalks(() => walkLog(log, spec.readMaxBytes), perRound),
    () => timeWalks(() => copyWalk(stored, spec.batchSize, spec.readMaxBytes), perRound),
  );
  return { batchBytes: fixture.batchBytes, append: { backend: append.a, ceiling: append.b }, read: { backend: read.a, ceiling: read.b } };
}

/** Bundles the bench Worker (workspace packages from their TS sources) for workerd. */
async function bundleWorker(): Promise<string> {
  // One file per process: two runs at once (a test and a bench) must not share a bundle.
  const outfile = join(root, ".tmp", "bench", `core-worker.${process.pid}.js`);
  mkdirSync(dirname(outfile), { recursive: true });
  await build({
    entryPoints: [join(root, "bench", "core-worker.ts")],
    outfile,
    bundle: true,
    format: "esm",
    platform: "neutral",
    target: "es2022",
    external: ["cloudflare:*"],
    // @rill/* export ./src/index.ts; their npm dependencies (fflate, snappyjs, lz4js) need main/module.
    conditions: ["workerd", "worker", "browser", "import", "default"],
    mainFields: ["module", "main"],
    logLevel: "warning",
  });
  return outfile;
}

async function startWorkerd(scriptPath: string): Promise<Miniflare> {
  const mf = new Miniflare({
    modules: true,
    scriptPath,
    compatibilityDate: "2026-04-01",
    compatibilityFlags: ["nodejs_compat"],
    cf: false,
    durableObjects: { BENCH: { className: "BenchObject", useSQLite: true } },
  });
  await mf.ready;
  return mf;
}

async function runSqliteScenario(mf: Miniflare, spec: ScenarioSpec): Promise<ScenarioResult> {
  const response = await mf.dispatchFetch("http://bench/run", { method: "POST", body: JSON.stringify(spec) });
  const body = (await response.json()) as ScenarioResult | { error: string };
  if ("error" in body) throw new Error(`bench Durable Object failed: ${body.error}`);
  return body;
}

// no time measured (workerd's clock stood still) is no sample, not a rate of 0
const perSec = (n: number, m: Measured) => (m.ms > 0 ? (n * 1000) / m.ms : undefined);
const perSecWithoutCommit = (m: Measured) => (m.ms - m.commitMs > 0 ? (m.records * 1000) / (m.ms - m.commitMs) : undefined);
const mb = (recordsPerSec: number | undefined, valueSize: number) =>
  recordsPerSec === undefined ? undefined : (recordsPerSec * valueSize) / 1e6;

function rowsOf(backend: Backend, spec: ScenarioSpec, result: ScenarioResult): BenchRow[] {
  const ops = result.store ? (["append", "store", "read"] as const) : (["append", "read"] as const);
  return ops.map((op): BenchRow => {
    const { backend: b, ceiling: c } = result[op] as NonNullable<ScenarioResult[typeof op]>;
    const recordsPerSec = perSec(b.records, b);
    const ceilingRecordsPerSec = perSec(c.records, c);
    const row: BenchRow = {
      backend,
      op,
      valueSize: spec.valueSize,
      recordsPerBatch: spec.batchSize,
      batchBytes: result.batchBytes,
      recordsPerSec,
      mbPerSec: mb(recordsPerSec, spec.valueSize),
      ceiling: CEILINGS[backend][op] ?? "",
      ceilingRecordsPerSec,
      ceilingMbPerSec: mb(ceilingRecordsPerSec, spec.valueSize),
      ratio: medianRatio(b, c),
    };
    if (backend === "sqlite" && op !== "read") {
      const own = perSecWithoutCommit(b);
      const raw = perSecWithoutCommit(c);
      row.withoutCommit = { recordsPerSec: own, ceilingRecordsPerSec: raw, ratio: medianRatio(b, c, (m) => m.ms - m.commitMs) };
    }
    return row;
  });
}

function describe(row: BenchRow): string {
  return `${row.backend} ${row.op} ${size(row.valueSize)} x${row.recordsPerBatch}: ${fmt(row.recordsPerSec)} rec/s, ceiling ${fmt(row.ceilingRecordsPerSec)} (${times(row.ratio)})`;
}

/** Runs every scenario and returns one row per backend, operation, value size and batch size. */
export async function runCoreBench(options: BenchOptions = {}): Promise<BenchRow[]> {
  const quick = options.quick ?? false;
  const progress = options.progress ?? ((line: string) => process.stderr.write(`${line}\n`));
  const rows: BenchRow[] = [];
  const scenarios = VALUE_SIZES.flatMap((v) => BATCH_SIZES.map((b) => specFor(v, b, quick)));

  for (const spec of scenarios) {
    progress(`memory ${size(spec.valueSize)} x${spec.batchSize} ...`);
    const got = rowsOf("memory", spec, await runMemoryScenario(spec));
    for (const row of got) progress(`  ${describe(row)}`);
    rows.push(...got);
  }

  progress("sqlite: bundling the bench Worker and starting workerd ...");
  const bundle = await bundleWorker();
  const mf = await startWorkerd(bundle);
  try {
    for (const spec of scenarios) {
      progress(`sqlite ${size(spec.valueSize)} x${spec.batchSize} (inside a Durable Object) ...`);
      const got = rowsOf("sqlite", spec, await runSqliteScenario(mf, spec));
      for (const row of got) progress(`  ${describe(row)}`);
      rows.push(...got);
    }
  } finally {
    await mf.dispose();
    rmSync(bundle, { force: true });
  }
  return rows;
}

async function main(): Promise<void> {
  const quick = process.argv.includes("--quick");
  process.env.WRANGLER_SEND_METRICS ??= "false";
  process.env.CLOUDFLARE_CF_FETCH_ENABLED ??= "false";
  const started = performance.now();
  const rows = await runCoreBench({ quick });
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(`${formatReport(rows)}\n`);
  process.stderr.write(`bench:core${quick ? " --quick" : ""} took ${seconds.toFixed(1)} s\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    process.stderr.write(`${(error as Error)?.stack ?? error}\n`);
    process.exitCode = 1;
  });
}
