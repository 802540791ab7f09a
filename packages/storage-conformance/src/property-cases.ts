// Property-based cases (fast-check): any interleaving of appends, retried appends, reads, restarts,
// retention and compaction keeps offsets dense, reads byte-exact, and never duplicates a record.
import {
  compactLog,
  createPartitionLog,
  decodeUtf8,
  deleteRecordsBefore,
  encodeBatch,
  encodeUtf8,
  enforceRetention,
  type LogRecord,
  type PartitionLog,
  resolveTopicConfig,
  type Storage,
  type TopicConfig,
} from "@rill/core";
import fc from "fast-check";
import { expect, it } from "vitest";
import { freshPartition, type StorageFixture } from "./fixture.ts";

type Op =
  | { kind: "append"; count: number; key: number }
  | { kind: "produce"; producer: number; count: number }
  | { kind: "retry"; producer: number }
  | { kind: "read"; at: number; maxBytes: number }
  | { kind: "deleteBefore"; at: number }
  | { kind: "retainBytes"; bytes: number }
  | { kind: "compact" }
  | { kind: "restart" };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("append" as const),
      count: fc.integer({ min: 1, max: 5 }),
      key: fc.integer({ min: 0, max: 4 }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("produce" as const),
      producer: fc.integer({ min: 0, max: 1 }),
      count: fc.integer({ min: 1, max: 4 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("retry" as const), producer: fc.integer({ min: 0, max: 1 }) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("read" as const),
      at: fc.double({ min: 0, max: 1, noNaN: true }),
      maxBytes: fc.integer({ min: 1, max: 2000 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("deleteBefore" as const), at: fc.double({ min: 0, max: 1, noNaN: true }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("retainBytes" as const), bytes: fc.integer({ min: 0, max: 3000 }) }) },
  { weight: 1, arbitrary: fc.constant({ kind: "compact" as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: "restart" as const }) },
);

interface Model {
  /** offset -> value text, for every record ever acknowledged */
  values: Map<number, string>;
  keys: Map<number, string>;
  end: number;
  start: number;
  producers: Array<{ epoch: number; next: number; last?: { bytes: Uint8Array; base: number; seq: number; count: number } }>;
  unique: number;
}

function checkRecords(records: LogRecord[], model: Model, compacted: boolean, from: number): void {
  let previous = from - 1;
  for (const r of records) {
    expect(r.offset).toBeGreaterThan(previous);
    if (!compacted) expect(r.offset).toBe(previous + 1); // dense without compaction
    previous = r.offset;
    expect(r.value === null ? null : decodeUtf8(r.value)).toBe(model.values.get(r.offset));
  }
  const seen = records.map((r) => (r.value ? decodeUtf8(r.value) : `null@${r.offset}`));
  expect(new Set(seen).size).toBe(seen.length);
}

async function runOps(storage: Storage, ops: Op[], compacted: boolean, reopen?: (s: Storage) => Promise<Storage>): Promise<void> {
  const partition = freshPartition("prop");
  let config: TopicConfig = resolveTopicConfig(compacted ? { "cleanup.policy": "compact", "delete.retention.ms": 0 } : {});
  const open = (): PartitionLog => createPartitionLog({ storage, partition, config: () => config });
  let log = open();
  const model: Model = {
    values: new Map(),
    keys: new Map(),
    end: 0,
    start: 0,
    producers: [
      { epoch: 0, next: 0 },
      { epoch: 0, next: 0 },
    ],
    unique: 0,
  };
  const fresh = (n: number, key: number) =>
    Array.from({ length: n }, () => ({ key: encodeUtf8(`k${key}`), value: encodeUtf8(`v${model.unique++}`) }));
  const remember = (base: number, records: Array<{ key: Uint8Array; value: Uint8Array }>) => {
    records.forEach((r, i) => {
      model.values.set(base + i, decodeUtf8(r.value));
      model.keys.set(base + i, decodeUtf8(r.key));
    });
    model.end = base + records.length;
  };

  for (const op of ops) {
    switch (op.kind) {
      case "append": {
        const records = fresh(op.count, op.key);
        const result = await log.appendRecords(records);
        expect(result.batches[0]?.baseOffset).toBe(model.end);
        remember(model.end, records);
        break;
      }
      case "produce": {
        const p = model.producers[op.producer] as Model["producers"][number];
        const records = fresh(op.count, op.producer);
        const bytes = encodeBatch(records, { producerId: 100 + op.producer, producerEpoch: p.epoch, baseSequence: p.next });
        const keep = bytes.slice();
        const result = await log.appendBatches(bytes);
        expect(result.batches[0]).toEqual({ baseOffset: model.end, lastOffset: model.end + op.count - 1, duplicate: false });
        p.last = { bytes: keep, base: model.end, seq: p.next, count: op.count };
        p.next += op.count;
        remember(model.end, records);
        break;
      }
      case "retry": {
        const last = model.producers[op.producer]?.last;
        if (!last) break;
        const result = await log.appendBatches(last.bytes.slice());
        expect(result.batches[0]).toEqual({ baseOffset: last.base, lastOffset: last.base + last.count - 1, duplicate: true });
        break;
      }
      case "read": {
        const state = await log.state();
        const from = state.logStartOffset + Math.floor(op.at * (state.highWatermark - state.logStartOffset));
        const result = await log.readRecords(from, { maxBytes: op.maxBytes });
        checkRecords(result.records, model, compacted, from);
        break;
      }
      case "deleteBefore": {
        const state = await log.state();
        const at = Math.floor(op.at * state.highWatermark);
        model.start = Math.max(model.start, await deleteRecordsBefore(log, at));
        break;
      }
      case "retainBytes": {
        config = { ...config, "retention.bytes": op.bytes, "cleanup.policy": compacted ? "compact,delete" : "delete" };
        const { logStartOffset } = await enforceRetention(log);
        expect(logStartOffset).toBeGreaterThanOrEqual(model.start);
        model.start = logStartOffset;
        config = { ...config, "retention.bytes": -1, "cleanup.policy": compacted ? "compact" : "delete" };
        break;
      }
      case "compact":
        await compactLog(log);
        break;
      case "restart":
        if (reopen) storage = await reopen(storage);
        log = open();
        break;
    }
    const state = await log.state();
    expect(state.logEndOffset).toBe(model.end);
    expect(state.logStartOffset).toBe(model.start);
  }
  // a final full read: everything from the start, in order, nothing twice
  const records: LogRecord[] = [];
  let next = model.start;
  while (next < model.end) {
    const page = await log.readRecords(next, { maxBytes: 4096 });
    records.push(...page.records);
    next = page.nextOffset;
  }
  checkRecords(records, model, compacted, model.start);
  if (!compacted) expect(records.length).toBe(model.end - model.start);
  else {
    // compaction kept the latest record of every key still in the log
    const latest = new Map<string, number>();
    for (const [offset, key] of model.keys) if (offset >= model.start) latest.set(key, offset);
    const present = new Set(records.map((r) => r.offset));
    for (const offset of latest.values()) expect(present.has(offset)).toBe(true);
  }
  await storage.close();
}

export function propertyCases(fixture: StorageFixture): void {
  const numRuns = fixture.propertyRuns ?? 25;
  for (const compacted of [false, true]) {
    it(`keeps ${compacted ? "a compacted" : "a"} log dense, byte-exact and free of duplicates under any interleaving`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 30 }), async (ops) => {
          await runOps(await fixture.create(), ops, compacted, fixture.reopen);
        }),
        { numRuns },
      );
    }, 120_000);
  }
}
