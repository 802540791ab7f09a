// Cleaning floor cases: retention and compaction leave everything at or above `floorOffset` alone
// (a browser outbox keeps what it has not uploaded yet, whatever retention.ms says).
import {
  compactLog,
  createPartitionLog,
  decodeUtf8,
  encodeUtf8,
  enforceRetention,
  isRillError,
  type PartitionLog,
  resolveTopicConfig,
  type Storage,
  type TopicConfig,
} from "@rill/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { freshPartition, type StorageFixture } from "./fixture.ts";

export function floorCases(fixture: StorageFixture): void {
  describe("cleaning floor", () => {
    let storage: Storage;
    let config: TopicConfig;
    let log: PartitionLog;
    const clock = 1_700_000_000_000;
    const offsets = async () =>
      (await log.readRecords((await log.state()).logStartOffset, { maxBytes: 1 << 22 })).records.map((r) => r.offset);
    const append = (...pairs: Array<[string, string]>) =>
      log.appendRecords(pairs.map(([k, v]) => ({ key: encodeUtf8(k), value: encodeUtf8(v), timestamp: clock - 10_000 })));

    beforeEach(async () => {
      storage = await fixture.create();
      config = resolveTopicConfig({ "retention.ms": 1 });
      log = createPartitionLog({ storage, partition: freshPartition("outbox"), config: () => config, now: () => clock });
    });
    afterEach(() => storage.close());

    it("keeps every batch reaching the floor past retention.ms and retention.bytes", async () => {
      await append(["a", "0"], ["a", "1"], ["a", "2"]);
      await append(["a", "3"], ["a", "4"], ["a", "5"]);
      await append(["a", "6"], ["a", "7"], ["a", "8"]);
      // the batch [3, 5] holds offset 5, not yet uploaded: it stays whole
      expect(await enforceRetention(log, { floorOffset: 5 })).toEqual({ deletedBatches: 1, logStartOffset: 3 });
      expect(await offsets()).toEqual([3, 4, 5, 6, 7, 8]);
      expect(await enforceRetention(log, { floorOffset: 0 })).toEqual({ deletedBatches: 0, logStartOffset: 3 });
      config = resolveTopicConfig({ "retention.ms": -1, "retention.bytes": 1 });
      expect(await enforceRetention(log, { floorOffset: () => 3 })).toEqual({ deletedBatches: 0, logStartOffset: 3 });
      // read when the cleaner runs, synchronously or not
      expect(await enforceRetention(log, { floorOffset: () => 6 })).toEqual({ deletedBatches: 1, logStartOffset: 6 });
      config = resolveTopicConfig({ "retention.ms": 1 });
      expect(await enforceRetention(log, { floorOffset: async () => 1000 })).toEqual({ deletedBatches: 1, logStartOffset: 9 });
      expect(await offsets()).toEqual([]);
    });

    it("compacts only batches wholly below the floor, counting newer records above it", async () => {
      config = resolveTopicConfig({ "cleanup.policy": "compact" });
      await append(["a", "a1"], ["b", "b1"]); // 0-1
      await append(["a", "a2"], ["b", "b2"]); // 2-3
      await append(["a", "a3"]); // 4
      expect((await compactLog(log, { floorOffset: 2 })).batchesRemoved).toBe(1);
      expect(await offsets()).toEqual([2, 3, 4]);
      expect((await compactLog(log, { floorOffset: 3 })).recordsRemoved).toBe(0);
      expect((await compactLog(log, { floorOffset: async () => 4 })).recordsRemoved).toBe(1);
      const { records } = await log.readRecords(0);
      expect(records.map((r) => [r.offset, decodeUtf8(r.value as Uint8Array)])).toEqual([
        [3, "b2"],
        [4, "a3"],
      ]);
    });

    it("refuses a floor that is not a number, cleaning nothing", async () => {
      await append(["a", "0"]);
      await expect(enforceRetention(log, { floorOffset: Number.NaN })).rejects.toSatisfy((e) => isRillError(e, "INVALID_REQUEST"));
      await expect(enforceRetention(log, { floorOffset: () => Number.NaN })).rejects.toSatisfy((e) => isRillError(e, "INVALID_REQUEST"));
      expect(await offsets()).toEqual([0]);
      expect(await enforceRetention(log)).toEqual({ deletedBatches: 1, logStartOffset: 1 });
    });
  });
}
