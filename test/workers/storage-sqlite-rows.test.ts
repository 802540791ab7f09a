// What an append costs on Cloudflare's bill: rows written, as workerd's SQL cursors count them
// (the partition object's own counting wrapper, workers/src/sql-metrics.ts). The goal of issue 13:
// one written row per stored batch, for plain and idempotent producers alike, at any batch size.
import { env, runInDurableObject } from "cloudflare:test";
import { createPartitionLog, encodeBatch, encodeUtf8, type PartitionLog } from "@rill/core";
import { createSqliteStorage, type SqliteStorageOptions } from "@rill/storage-sqlite";
import { describe, expect, it } from "vitest";
import { countingSqliteHost, type ObjectMetrics } from "../../workers/src/sql-metrics.ts";

const records = (n: number) => Array.from({ length: n }, (_, i) => ({ value: encodeUtf8(`value ${i} `.padEnd(100, "x")) }));

/** A partition log over a fresh Durable Object's SQLite, with the object's billing counters. */
function countedLog(state: DurableObjectState, options: SqliteStorageOptions = {}): { log: PartitionLog; metrics: ObjectMetrics } {
  const metrics: ObjectMetrics = { requests: 0, rowsRead: 0, rowsWritten: 0 };
  const storage = createSqliteStorage(countingSqliteHost(state.storage, metrics), options);
  return { log: createPartitionLog({ storage, partition: "log" }), metrics };
}

async function inObject<T>(fn: (state: DurableObjectState) => Promise<T>): Promise<T> {
  const stub = env.STORAGE_TEST.get(env.STORAGE_TEST.newUniqueId());
  return runInDurableObject(stub, (_instance, state: DurableObjectState) => fn(state));
}

describe("rows written per stored batch (SQLite backend in workerd)", () => {
  for (const perBatch of [1, 100, 1000]) {
    it(`writes one row per append of ${perBatch} record(s), plain producer`, async () => {
      const written = await inObject(async (state) => {
        const { log, metrics } = countedLog(state);
        await log.appendRecords(records(perBatch)); // the first append also records the leader epoch
        const before = metrics.rowsWritten;
        for (let i = 0; i < 20; i++) await log.appendRecords(records(perBatch));
        return metrics.rowsWritten - before;
      });
      expect(written).toBe(20);
    });

    it(`writes one row per append of ${perBatch} record(s), idempotent producer, its first batch included`, async () => {
      const written = await inObject(async (state) => {
        const { log, metrics } = countedLog(state);
        await log.appendRecords(records(1));
        const before = metrics.rowsWritten;
        let sequence = 0;
        for (let i = 0; i < 20; i++) {
          const bytes = encodeBatch(records(perBatch), { producerId: 42, producerEpoch: 0, baseSequence: sequence });
          sequence += perBatch;
          const result = await log.appendBatches(bytes);
          expect(result.batches[0]?.duplicate).toBe(false);
        }
        return metrics.rowsWritten - before;
      });
      expect(written).toBe(20);
    });
  }

  it("folds producer changes into the producer table once per producerFoldEvery appends, and a retry after a restart is still known", async () => {
    const { written, retried } = await inObject(async (state) => {
      const { log, metrics } = countedLog(state, { producerFoldEvery: 10 });
      await log.appendRecords(records(1));
      const before = metrics.rowsWritten;
      const batches: Uint8Array[] = [];
      for (let i = 0; i < 25; i++) {
        const bytes = encodeBatch(records(1), { producerId: 7, producerEpoch: 0, baseSequence: i });
        batches.push(bytes.slice());
        await log.appendBatches(bytes);
      }
      const written = metrics.rowsWritten - before;
      // a restart replays the changes not folded yet (the last 5) onto the folded ones
      const reopened = countedLog(state, { producerFoldEvery: 10 }).log;
      const retried = await reopened.appendBatches(batches.at(-1) as Uint8Array);
      return { written, retried };
    });
    // 25 batches, and 2 folds (after the 10th and 20th append): the producer's entry, inserted
    // (its row and its primary-key entry) then updated, and the partition row updated each time
    expect(written).toBe(25 + (2 + 1) + (1 + 1));
    expect(retried.batches[0]).toEqual({ baseOffset: 25, lastOffset: 25, duplicate: true });
  });
});
