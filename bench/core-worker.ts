// The bench Worker for `npm run bench:core`: one Durable Object per scenario runs the timed loops
// inside workerd, on its own SQLite, and answers the figures as JSON (one request per scenario, so
// no HTTP hop is timed). bench/core.ts bundles this file with esbuild and starts it in Miniflare.
//
// The object is a plain class (the fetch-handler form of a Durable Object) and declares the few
// runtime shapes it uses, so this file needs no `cloudflare:workers` import and typechecks with
// the rest of bench/.

import { createPartitionLog, type Storage } from "@rill/core";
import { createSqliteStorage, type SqliteHost } from "@rill/storage-sqlite";
import {
  alternate,
  type Fixture,
  type Loop,
  logAppendLoop,
  makeFixture,
  type ScenarioResult,
  type ScenarioSpec,
  timeLoop,
  timeWalks,
  walkLog,
} from "./core-shared.ts";

interface BenchStorage extends SqliteHost {
  /** Resolves once every write so far is committed to disk. */
  sync(): Promise<void>;
}

interface BenchState {
  storage: BenchStorage;
}

interface BenchNamespace {
  newUniqueId(): unknown;
  get(id: unknown): { fetch(request: Request): Promise<Response> };
}

/** The ceiling of an append: the same batch bytes, one raw INSERT in one transactionSync. */
function rawInsertLoop(host: BenchStorage, table: string, fixture: Fixture, counter: { rows: number }): Loop {
  const { batches } = fixture;
  const n = batches.length;
  const insert = `INSERT INTO ${table} (k, bytes) VALUES (?, ?)`;
  return {
    step: (i) =>
      host.transactionSync(() => {
        host.sql.exec(insert, counter.rows++, (batches[i % n] as Uint8Array).slice().buffer);
      }),
    recordsPerStep: fixture.records[0]?.length ?? 0,
    bytesPerStep: fixture.batchBytes,
    finish: () => host.sync(),
  };
}

/** The ceiling of a read: the same rows, by raw SELECTs of about maxBytes each, one transactionSync each. */
function rawWalk(host: BenchStorage, table: string, rows: number, batchSize: number, maxBytes: number) {
  const select = `SELECT k, bytes FROM ${table} WHERE k >= ? ORDER BY k`;
  let next = 0;
  let bytes = 0;
  while (next < rows) {
    bytes += host.transactionSync(() => {
      let size = 0;
      for (const row of host.sql.exec(select, next)) {
        size += new Uint8Array(row.bytes as ArrayBuffer).length;
        next = (row.k as number) + 1;
        if (size >= maxBytes) break;
      }
      return size;
    });
  }
  return { records: rows * batchSize, bytes };
}

/**
 * The storage backend alone: `storage.append` of batches the log would store (offsets stamped, no
 * CRC or record checks), one call per batch, as the log makes it.
 */
function storageAppendLoop(storage: Storage, partition: string, fixture: Fixture): Loop {
  const { batches } = fixture;
  const n = batches.length;
  const perBatch = fixture.records[0]?.length ?? 0;
  let end = 0;
  return {
    step: async (i) => {
      const bytes = (batches[i % n] as Uint8Array).slice();
      const batch = { baseOffset: end, lastOffset: end + perBatch - 1, timeIndex: fixture.now, bytes };
      await storage.append(partition, { expectedEndOffset: end, batches: [batch], producers: [] });
      end += perBatch;
    },
    recordsPerStep: perBatch,
    bytesPerStep: fixture.batchBytes,
  };
}

async function runScenario(host: BenchStorage, spec: ScenarioSpec): Promise<ScenarioResult> {
  const fixture = makeFixture(spec.valueSize, spec.batchSize);
  const storage = createSqliteStorage(host);
  const maxSteps = Math.max(1, Math.ceil(spec.maxLogBytes / fixture.batchBytes / spec.rounds));
  const sync = () => host.sync();
  host.sql.exec("CREATE TABLE raw (k INTEGER PRIMARY KEY, bytes BLOB)");
  host.sql.exec("CREATE TABLE warm (k INTEGER PRIMARY KEY, bytes BLOB)");
  host.sql.exec("CREATE TABLE raw_store (k INTEGER PRIMARY KEY, bytes BLOB)");

  // Warm-up on a throwaway partition and table, dropped before the timed part.
  const warmLog = createPartitionLog({ storage, partition: "warm" });
  const warmRows = { rows: 0 };
  await timeLoop({ ...logAppendLoop(warmLog, fixture), finish: sync }, spec.warmupMs, maxSteps);
  await timeLoop(rawInsertLoop(host, "warm", fixture, warmRows), spec.warmupMs, maxSteps);
  await timeWalks(() => walkLog(warmLog, spec.readMaxBytes), spec.warmupMs / 2);
  await timeWalks(() => rawWalk(host, "warm", warmRows.rows, spec.batchSize, spec.readMaxBytes), spec.warmupMs / 2);
  await storage.dropPartition("warm");
  // DELETE, not DROP: a cursor left open by an early `break` keeps the table locked against DROP.
  host.sql.exec("DELETE FROM warm");
  await host.sync();

  const perRound = spec.minMs / spec.rounds;
  const log = createPartitionLog({ storage, partition: "bench" });
  const raw = { rows: 0 };
  const append = await alternate(
    spec.rounds,
    () => timeLoop({ ...logAppendLoop(log, fixture), finish: sync }, perRound, maxSteps),
    () => timeLoop(rawInsertLoop(host, "raw", fixture, raw), perRound, maxSteps),
  );
  const read = await alternate(
    spec.rounds,
    () => timeWalks(() => walkLog(log, spec.readMaxBytes), perRound),
    () => timeWalks(() => rawWalk(host, "raw", raw.rows, spec.batchSize, spec.readMaxBytes), perRound),
  );
  const rawStore = { rows: 0 };
  const storeLoop = storageAppendLoop(storage, "store", fixture);
  const store = await alternate(
    spec.rounds,
    () => timeLoop({ ...storeLoop, finish: sync }, perRound, maxSteps),
    () => timeLoop(rawInsertLoop(host, "raw_store", fixture, rawStore), perRound, maxSteps),
  );
  return {
    batchBytes: fixture.batchBytes,
    append: { backend: append.a, ceiling: append.b },
    read: { backend: read.a, ceiling: read.b },
    store: { backend: store.a, ceiling: store.b },
  };
}

/** One fresh object per scenario: POST the ScenarioSpec, get the ScenarioResult. */
export class BenchObject {
  readonly #state: BenchState;

  constructor(state: BenchState) {
    this.#state = state;
  }

  async fetch(request: Request): Promise<Response> {
    try {
      const spec = (await request.json()) as ScenarioSpec;
      return Response.json(await runScenario(this.#state.storage, spec));
    } catch (error) {
      return Response.json({ error: String((error as Error)?.stack ?? error) }, { status: 500 });
    }
  }
}

export default {
  fetch(request: Request, env: { BENCH: BenchNamespace }): Promise<Response> {
    return env.BENCH.get(env.BENCH.newUniqueId()).fetch(request);
  },
};
