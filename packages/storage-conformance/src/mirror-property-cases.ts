// Property-based case for mirrors (fast-check): any interleaving of mirrored appends (holes between
// and inside batches, ends moved past the last batch), resets either way, head deletions, retention
// under a floor and restarts keeps every record at its upstream offset, nothing else readable, and
// nothing at or above the floor cleaned away.
import {
  concatBytes,
  createPartitionLog,
  decodeUtf8,
  deleteRecordsBefore,
  encodeBatch,
  encodeUtf8,
  enforceRetention,
  type PartitionLog,
  resolveTopicConfig,
  type Storage,
  type TopicConfig,
} from "@rill/core";
import fc from "fast-check";
import { expect, it } from "vitest";
import { freshPartition, type StorageFixture } from "./fixture.ts";

interface BatchSpec {
  gap: number;
  count: number;
  stride: number;
  tail: number;
}

type Op =
  | { kind: "mirror"; batches: BatchSpec[]; endGap: number | null }
  | { kind: "reset"; at: number }
  | { kind: "deleteBefore"; at: number }
  | { kind: "retain"; bytes: number; floor: number }
  | { kind: "restart" };

const unit = fc.double({ min: 0, max: 1, noNaN: true });
const batchArb: fc.Arbitrary<BatchSpec> = fc.record({
  gap: fc.integer({ min: 0, max: 3 }),
  count: fc.integer({ min: 1, max: 4 }),
  stride: fc.integer({ min: 1, max: 2 }),
  tail: fc.integer({ min: 0, max: 2 }),
});
const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant("mirror" as const),
      batches: fc.array(batchArb, { maxLength: 3 }),
      endGap: fc.option(fc.integer({ min: 0, max: 4 })),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("reset" as const), at: fc.double({ min: 0, max: 1.5, noNaN: true }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("deleteBefore" as const), at: unit }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("retain" as const), bytes: fc.integer({ min: 0, max: 1500 }), floor: unit }) },
  { weight: 1, arbitrary: fc.constant({ kind: "restart" as const }) },
);

interface Model {
  values: Map<number, string>;
  start: number;
  end: number;
  unique: number;
}

async function readAll(log: PartitionLog, model: Model): Promise<Array<[number, string]>> {
  const out: Array<[number, string]> = [];
  let next = model.start;
  while (next < model.end) {
    const page = await log.readRecords(next, { maxBytes: 2048 });
    for (const r of page.records) if (r.offset >= next) out.push([r.offset, decodeUtf8(r.value as Uint8Array)]);
    expect(page.nextOffset).toBeGreaterThan(next);
    next = page.nextOffset;
  }
  return out;
}

async function runOps(storage: Storage, ops: Op[], reopen?: (s: Storage) => Promise<Storage>): Promise<void> {
  const partition = freshPartition("mirror-prop");
  let config: TopicConfig = resolveTopicConfig();
  const open = (): PartitionLog => createPartitionLog({ storage, partition, config: () => config });
  let log = open();
  const model: Model = { values: new Map(), start: 0, end: 0, unique: 0 };
  const forget = (below: number) => {
    for (const offset of model.values.keys()) if (offset < below) model.values.delete(offset);
  };

  for (const op of ops) {
    switch (op.kind) {
      case "mirror": {
        if (op.batches.length === 0 && op.endGap === null) break;
        const parts: Uint8Array[] = [];
        let next = model.end;
        for (const b of op.batches) {
          const baseOffset = next + b.gap;
          const deltas = Array.from({ length: b.count }, (_, i) => i * b.stride);
          const records = deltas.map((d) => {
            const value = `m${model.unique++}`;
            model.values.set(baseOffset + d, value);
            return { key: encodeUtf8(value), value: encodeUtf8(value), timestamp: 1000 + baseOffset };
          });
          const lastOffsetDelta = (b.count - 1) * b.stride + b.tail;
          parts.push(encodeBatch(records, { baseOffset, offsetDeltas: deltas, lastOffsetDelta, partitionLeaderEpoch: 1 }));
          next = baseOffset + lastOffsetDelta + 1;
        }
        const endOffset = op.endGap === null ? undefined : next + op.endGap;
        await log.appendMirrored(concatBytes(parts), { endOffset });
        model.end = endOffset ?? next;
        break;
      }
      case "reset": {
        const offset = Math.floor(op.at * (model.end + 10));
        await log.resetTo(offset);
        model.values.clear();
        model.start = model.end = offset;
        break;
      }
      case "deleteBefore": {
        const at = Math.floor(op.at * model.end);
        model.start = Math.max(model.start, await deleteRecordsBefore(log, at));
        forget(model.start);
        break;
      }
      case "retain": {
        const floor = model.start + Math.floor(op.floor * (model.end - model.start));
        config = resolveTopicConfig({ "retention.bytes": op.bytes, "retention.ms": 1 });
        const { logStartOffset } = await enforceRetention(log, { floorOffset: floor });
        config = resolveTopicConfig();
        // batches are deleted whole, so the start stops at or before the floor, never past it
        expect(logStartOffset).toBeLessThanOrEqual(Math.max(floor, model.start));
        expect(logStartOffset).toBeGreaterThanOrEqual(model.start);
        model.start = logStartOffset;
        forget(model.start);
        break;
      }
      case "restart":
        if (reopen) storage = await reopen(storage);
        log = open();
        break;
    }
    const state = await log.state();
    expect([state.logStartOffset, state.logEndOffset, state.highWatermark]).toEqual([model.start, model.end, model.end]);
    expect(await readAll(log, model)).toEqual([...model.values.entries()].sort((a, b) => a[0] - b[0]));
  }
  await storage.close();
}

export function mirrorPropertyCases(fixture: StorageFixture): void {
  it("keeps a mirror's records at their upstream offsets under any interleaving of appends, resets and cleaning", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 25 }), async (ops) => {
        await runOps(await fixture.create(), ops, fixture.reopen);
      }),
      { numRuns: fixture.propertyRuns ?? 25 },
    );
  }, 120_000);
}
