// Log-level cases: the core partition log running on the backend under test. Idempotence, limits,
// retention and compaction are above the seam, but they must hold on every backend.
import {
  compactLog,
  createPartitionLog,
  decodeUtf8,
  encodeBatch,
  encodeUtf8,
  enforceRetention,
  isRillError,
  type PartitionLog,
  type RecordInput,
  resolveTopicConfig,
  type Storage,
  type TopicConfig,
} from "@rill/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { freshPartition, type StorageFixture } from "./fixture.ts";

const text = (b: Uint8Array | null) => (b === null ? null : decodeUtf8(b));
const rec = (key: string | null, value: string | null, timestamp?: number): RecordInput => ({
  key: key === null ? null : encodeUtf8(key),
  value: value === null ? null : encodeUtf8(value),
  timestamp,
});

export function logCases(fixture: StorageFixture): void {
  describe("partition log", () => {
    let storage: Storage;
    let partition: string;
    let clock: number;
    let config: TopicConfig;
    let log: PartitionLog;
    const open = () => createPartitionLog({ storage, partition, config: () => config, now: () => clock });

    beforeEach(async () => {
      storage = await fixture.create();
      partition = freshPartition();
      clock = 1_700_000_000_000;
      config = resolveTopicConfig();
      log = open();
    });
    afterEach(() => storage.close());

    const values = async (from = 0) => (await log.readRecords(from, { maxBytes: 1 << 22 })).records.map((r) => [r.offset, text(r.value)]);

    it("gives dense offsets to records and batches, concurrent appends included", async () => {
      const r1 = await log.appendRecords([rec("a", "1"), rec("b", "2")]);
      expect(r1.batches).toEqual([{ baseOffset: 0, lastOffset: 1, duplicate: false }]);
      await Promise.all([log.appendRecords([rec("c", "3")]), log.appendBatches(encodeBatch([rec(null, "4"), rec(null, "5")]))]);
      const got = await values();
      expect(got.map(([o]) => o)).toEqual([0, 1, 2, 3, 4]);
      expect(got.map(([, v]) => v).sort()).toEqual(["1", "2", "3", "4", "5"]);
      const tail = await log.readRecords(3);
      expect(tail.records[0]?.offset).toBe(3);
      expect(tail.nextOffset).toBe(5);
      expect((await log.state()).highWatermark).toBe(5);
    });

    it("answers a retried idempotent batch with its first offsets and writes it once", async () => {
      const batch = (seq: number, n: number, epoch = 0) =>
        encodeBatch(
          Array.from({ length: n }, (_, i) => rec("k", `s${seq + i}`)),
          { producerId: 9, producerEpoch: epoch, baseSequence: seq },
        );
      await log.appendRecords([rec("x", "before")]);
      const first = await log.appendBatches(batch(0, 3));
      const second = await log.appendBatches(batch(3, 2));
      expect(first.batches[0]).toEqual({ baseOffset: 1, lastOffset: 3, duplicate: false });
      expect(await log.appendBatches(batch(0, 3))).toMatchObject({ batches: [{ baseOffset: 1, lastOffset: 3, duplicate: true }] });
      // and after a restart, from stored producer state
      log = open();
      expect((await log.appendBatches(batch(3, 2))).batches[0]).toEqual({ ...second.batches[0], duplicate: true });
      await expect(log.appendBatches(batch(7, 1))).rejects.toSatisfy((e) => isRillError(e, "OUT_OF_ORDER_SEQUENCE_NUMBER"));
      await log.appendBatches(batch(0, 1, 1)); // a new epoch starts again at 0
      await expect(log.appendBatches(batch(5, 1, 0))).rejects.toSatisfy((e) => isRillError(e, "PRODUCER_FENCED"));
      const fresh = encodeBatch([rec("k", "v")], { producerId: 10, producerEpoch: 0, baseSequence: 4 });
      await expect(log.appendBatches(fresh)).rejects.toSatisfy((e) => isRillError(e, "UNKNOWN_PRODUCER_ID"));
      expect((await values()).map(([, v]) => v)).toEqual(["before", "s0", "s1", "s2", "s3", "s4", "s0"]);
    });

    it("holds an idempotent batch that overtook its predecessors until they arrive, in sequence order", async () => {
      const batch = (producerId: number, seq: number, n: number) =>
        encodeBatch(
          Array.from({ length: n }, (_, i) => rec("k", `p${producerId}-s${seq + i}`)),
          { producerId, producerEpoch: 0, baseSequence: seq },
        );
      // a wait longer than any test's timeout: only the predecessors' arrival can release the late
      // batches, however long this backend takes to store them (the default 250 ms is a race)
      const patient = createPartitionLog({
        storage,
        partition,
        config: () => config,
        now: () => clock,
        sequenceGate: { maxWaitMs: 600_000 },
      });
      // sent 0, 2, 4 but arriving 4, 2, 0 (requests overtaking each other on the way)
      const late = [patient.appendBatches(batch(5, 4, 1)), patient.appendBatches(batch(5, 2, 2))];
      const first = await patient.appendBatches(batch(5, 0, 2));
      const [third, second] = await Promise.all(late);
      expect([first, second, third].map((r) => r?.batches[0]?.baseOffset)).toEqual([0, 2, 4]);
      expect((await values()).map(([, v]) => v)).toEqual(["p5-s0", "p5-s1", "p5-s2", "p5-s3", "p5-s4"]);
      // a predecessor that never comes: refused after the wait (whenever it ends), as without the gate, nothing written
      const quick = createPartitionLog({ storage, partition, config: () => config, now: () => clock, sequenceGate: { maxWaitMs: 20 } });
      await expect(quick.appendBatches(batch(5, 9, 1))).rejects.toSatisfy((e) => isRillError(e, "OUT_OF_ORDER_SEQUENCE_NUMBER"));
      await expect(quick.appendBatches(batch(6, 3, 1))).rejects.toSatisfy((e) => isRillError(e, "UNKNOWN_PRODUCER_ID"));
      expect((await storage.loadPartition(partition)).logEndOffset).toBe(5);
    });

    it("refuses corrupt and oversized batches, changing nothing", async () => {
      await log.appendRecords([rec("a", "ok")]);
      const good = encodeBatch([rec("a", "b"), rec("c", "d")]);
      const flipped = good.slice();
      flipped[good.length - 1] = (flipped[good.length - 1] as number) ^ 1;
      const lying = good.slice();
      new DataView(lying.buffer).setInt32(8, 1 << 30);
      const absurd = good.slice();
      new DataView(absurd.buffer).setInt32(57, 1 << 30);
      for (const bad of [flipped, good.subarray(0, good.length - 3), lying, absurd, new Uint8Array(10), new Uint8Array(0)]) {
        await expect(log.appendBatches(bad)).rejects.toSatisfy((e) => isRillError(e, "CORRUPT_MESSAGE"));
      }
      config = resolveTopicConfig({ "max.message.bytes": 200 });
      await expect(log.appendRecords([rec("k", "x".repeat(300))])).rejects.toSatisfy((e) => isRillError(e, "MESSAGE_TOO_LARGE"));
      await expect(log.appendBatches(encodeBatch([rec("k", "x".repeat(300))]))).rejects.toSatisfy((e) =>
        isRillError(e, "MESSAGE_TOO_LARGE"),
      );
      expect(await values()).toEqual([[0, "ok"]]);
      expect((await storage.loadPartition(partition)).logEndOffset).toBe(1);
    });

    it("splits a large record list into batches that fit, appended together", async () => {
      config = resolveTopicConfig({ "max.message.bytes": 1000 });
      const result = await log.appendRecords(Array.from({ length: 50 }, (_, i) => rec(`k${i}`, "v".repeat(100))));
      expect(result.batches.length).toBeGreaterThan(5);
      expect(result.batches[0]?.baseOffset).toBe(0);
      expect(result.batches.at(-1)?.lastOffset).toBe(49);
      expect((await values()).length).toBe(50);
    });

    it("stamps LogAppendTime when the topic asks for it", async () => {
      config = resolveTopicConfig({ "message.timestamp.type": "LogAppendTime" });
      const result = await log.appendRecords([rec("a", "1", 5), rec("b", "2", 6)]);
      expect(result.logAppendTime).toBe(clock);
      expect((await log.readRecords(0)).records.map((r) => r.timestamp)).toEqual([clock, clock]);
    });

    it("lists offsets by earliest, latest and time", async () => {
      await log.appendRecords([rec("a", "1", 1000), rec("b", "2", 2000)]);
      await log.appendRecords([rec("c", "3", 1500), rec("d", "4", 3000)]);
      expect(await log.listOffset("earliest")).toEqual({ offset: 0, timestamp: null });
      expect(await log.listOffset("latest")).toEqual({ offset: 4, timestamp: null });
      expect(await log.listOffset({ timestamp: 1200 })).toEqual({ offset: 1, timestamp: 2000 });
      expect(await log.listOffset({ timestamp: 2500 })).toEqual({ offset: 3, timestamp: 3000 });
      expect(await log.listOffset({ timestamp: 0 })).toEqual({ offset: 0, timestamp: 1000 });
      expect(await log.listOffset({ timestamp: 9999 })).toEqual({ offset: 4, timestamp: null });
    });

    it("refuses reads outside the log with its bounds", async () => {
      await log.appendRecords([rec("a", "1")]);
      const error = await log.read(5).catch((e) => e);
      expect(isRillError(error, "OFFSET_OUT_OF_RANGE")).toBe(true);
      expect(error.details).toMatchObject({ logStartOffset: 0, highWatermark: 1 });
      expect((await log.read(1)).batches).toEqual([]);
    });

    it("wakes a long-poll on append and times out otherwise", async () => {
      expect(await log.waitFor(0, 10)).toBe(false);
      const waiting = log.waitFor(0, 5000);
      await log.appendRecords([rec("a", "1")]);
      expect(await waiting).toBe(true);
    });

    it("deletes expired and oversized head batches, never moving the start back", async () => {
      config = resolveTopicConfig({ "retention.ms": 1000 });
      await log.appendRecords([rec("a", "old", clock - 5000)]);
      await log.appendRecords([rec("b", "old2", clock - 3000)]);
      await log.appendRecords([rec("c", "new", clock)]);
      expect(await enforceRetention(log)).toEqual({ deletedBatches: 2, logStartOffset: 2 });
      expect(await values(2)).toEqual([[2, "new"]]);
      await expect(log.read(0)).rejects.toSatisfy((e) => isRillError(e, "OFFSET_OUT_OF_RANGE"));
      config = resolveTopicConfig({ "retention.ms": -1, "retention.bytes": 1 });
      await log.appendRecords([rec("d", "newer", clock)]);
      expect(await enforceRetention(log)).toEqual({ deletedBatches: 1, logStartOffset: 3 });
      expect((await log.state()).logStartOffset).toBe(3);
      expect(await enforceRetention(log)).toEqual({ deletedBatches: 0, logStartOffset: 3 });
      log = open();
      expect((await log.state()).logStartOffset).toBe(3);
    });

    it("compacts to the latest record per key, keeping offsets and fresh tombstones", async () => {
      config = resolveTopicConfig({ "cleanup.policy": "compact", "delete.retention.ms": 1000 });
      await expect(log.appendRecords([rec(null, "no key")])).rejects.toSatisfy((e) => isRillError(e, "INVALID_RECORD"));
      await log.appendRecords([rec("a", "a1"), rec("b", "b1"), rec("c", "c1")]);
      await log.appendRecords([rec("a", "a2"), rec("b", null, clock)]);
      await log.appendRecords([rec("d", "d1"), rec("c", null, clock - 5000)]);
      const result = await compactLog(log);
      expect(result.recordsRemoved).toBe(4);
      expect(await values()).toEqual([
        [3, "a2"],
        [4, null],
        [5, "d1"],
      ]);
      const state = await log.state();
      expect([state.logStartOffset, state.logEndOffset]).toEqual([0, 7]);
      clock += 2000;
      await compactLog(log);
      expect(await values()).toEqual([
        [3, "a2"],
        [5, "d1"],
      ]);
      expect((await log.appendRecords([rec("e", "e1")])).batches[0]?.baseOffset).toBe(7);
    });
  });
}
