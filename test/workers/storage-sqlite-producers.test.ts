// Idempotent producer state in the SQLite backend rides on batch rows and is folded into the
// producer table now and then (packages/storage-sqlite/src/producer-deltas.ts). This checks it
// against the memory backend under any interleaving of appends (with and without batches),
// expirations, head and tail truncation, compaction's replace, resets and restarts, at fold
// intervals from every append to never within a run.
import { env, runInDurableObject } from "cloudflare:test";
import type { PartitionState, ProducerEntry, Storage, StoredBatch } from "@rill/core";
import { makeBatch } from "@rill/storage-conformance";
import { createMemoryStorage } from "@rill/storage-memory";
import { createSqliteStorage } from "@rill/storage-sqlite";
import fc from "fast-check";
import { expect, it } from "vitest";

type Op =
  | { kind: "append"; counts: number[]; touched: number[]; expired: number[] }
  | { kind: "truncateHead"; at: number }
  | { kind: "truncateTail"; at: number; keep: number[] }
  | { kind: "replace"; from: number; span: number; keepEvery: number }
  | { kind: "reset"; ahead: number }
  | { kind: "restart" };

const ids = fc.uniqueArray(fc.integer({ min: 1, max: 5 }), { maxLength: 3 });
// 1 (the log end) often: truncating everything drops the newest batches, which carry the changes
const fraction = fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.constant(1));
const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constant("append" as const),
      counts: fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 3 }),
      touched: ids,
      expired: ids,
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("truncateHead" as const), at: fraction }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("truncateTail" as const), at: fraction, keep: ids }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("replace" as const),
      from: fraction,
      span: fc.integer({ min: 1, max: 4 }),
      keepEvery: fc.integer({ min: 1, max: 3 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("reset" as const), ahead: fc.integer({ min: -3, max: 3 }) }) },
  { weight: 3, arbitrary: fc.constant({ kind: "restart" as const }) },
);

let stamp = 0;
const entry = (producerId: number): ProducerEntry => {
  stamp++;
  return {
    producerId,
    epoch: stamp % 3,
    batches: [{ firstSequence: stamp, lastSequence: stamp + 1, baseOffset: stamp, lastOffset: stamp }],
    lastTimestamp: stamp,
  };
};

const sorted = (state: PartitionState) => ({ ...state, producers: [...state.producers].sort((a, b) => a.producerId - b.producerId) });

async function batchesOf(storage: Storage, partition: string): Promise<StoredBatch[]> {
  return storage.read(partition, 0, Number.MAX_SAFE_INTEGER);
}

it("keeps the same producer entries as the memory backend through folds, truncations, replaces, resets and restarts", async () => {
  const stub = env.STORAGE_TEST.get(env.STORAGE_TEST.newUniqueId());
  await runInDurableObject(stub, async (_instance, state: DurableObjectState) => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 40 }), fc.constantFrom(1, 2, 3, 1000), async (ops, foldEvery) => {
        const partition = `producers-${run++}/0`;
        const memory = createMemoryStorage();
        let sqlite = createSqliteStorage(state.storage, { producerFoldEvery: foldEvery });
        for (const op of ops) {
          const before = await memory.loadPartition(partition);
          const stored = await batchesOf(memory, partition);
          const both = async (fn: (s: Storage) => Promise<unknown>) => {
            await fn(memory);
            await fn(sqlite);
          };
          switch (op.kind) {
            case "append": {
              let next = before.logEndOffset;
              const batches = op.counts.map((count) => {
                const batch = makeBatch(next, count);
                next += count;
                return batch;
              });
              const producers = op.touched.map(entry);
              const expired = op.expired.filter((id) => !op.touched.includes(id));
              await both((s) =>
                s.append(partition, { expectedEndOffset: before.logEndOffset, batches, producers, expiredProducers: expired }),
              );
              break;
            }
            case "truncateHead":
              await both((s) => s.truncateHead(partition, Math.floor(op.at * (before.logEndOffset + 1))));
              break;
            case "truncateTail": {
              const cut = stored[Math.floor(op.at * stored.length)];
              const rebuilt = op.keep.map(entry);
              if (cut) await both((s) => s.truncateTail(partition, cut.baseOffset, rebuilt));
              break;
            }
            case "replace": {
              const start = Math.floor(op.from * stored.length);
              const range = stored.slice(start, start + op.span);
              const first = range[0];
              const last = range.at(-1);
              if (first && last) {
                const kept = range.filter((_, i) => i % op.keepEvery === 0);
                await both((s) => s.replace(partition, first.baseOffset, last.lastOffset, kept));
              }
              break;
            }
            case "reset":
              await both((s) => s.resetTo(partition, Math.max(0, before.logEndOffset + op.ahead)));
              break;
            case "restart":
              sqlite = createSqliteStorage(state.storage, { producerFoldEvery: foldEvery });
              break;
          }
          expect(sorted(await sqlite.loadPartition(partition))).toEqual(sorted(await memory.loadPartition(partition)));
          expect((await batchesOf(sqlite, partition)).map((b) => [b.baseOffset, b.lastOffset])).toEqual(
            (await batchesOf(memory, partition)).map((b) => [b.baseOffset, b.lastOffset]),
          );
        }
        // and a storage opened afresh (nothing cached) sees the same
        const reopened = createSqliteStorage(state.storage, { producerFoldEvery: foldEvery });
        expect(sorted(await reopened.loadPartition(partition))).toEqual(sorted(await memory.loadPartition(partition)));
      }),
      { numRuns: 200 },
    );
  });
}, 120_000);
