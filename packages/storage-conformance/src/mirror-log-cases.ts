// Log-level cases for mirrors: the core's appendMirrored and resetTo on the backend under test. The
// upstream is a real partition log on the same backend (another partition), compacted so that its
// batches have holes and its tail is gone, as an edge topic's can be.
import {
  bytesEqual,
  compactLog,
  concatBytes,
  createPartitionLog,
  decodeUtf8,
  encodeBatch,
  encodeUtf8,
  isRillError,
  longPollFetch,
  type PartitionLog,
  type RecordInput,
  readBatchHeader,
  resolveTopicConfig,
  type Storage,
} from "@rill/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { freshPartition, type StorageFixture } from "./fixture.ts";

const MB = 1 << 20;
const rec = (key: string, value: string | null, timestamp?: number): RecordInput => ({
  key: encodeUtf8(key),
  value: value === null ? null : encodeUtf8(value),
  timestamp,
});
const values = async (log: PartitionLog, from = 0) =>
  (await log.readRecords(from, { maxBytes: 1 << 22 })).records.map((r) => [r.offset, r.value === null ? null : decodeUtf8(r.value)]);
/** A batch as a mirror receives it: offsets and producer fields already set upstream. */
const upstreamBatch = (baseOffset: number, values: string[], producer?: { id: number; sequence: number }) =>
  encodeBatch(
    values.map((v) => rec(v, v)),
    { baseOffset, partitionLeaderEpoch: 2, producerId: producer?.id, producerEpoch: producer ? 0 : -1, baseSequence: producer?.sequence },
  );

export function mirrorLogCases(fixture: StorageFixture): void {
  describe("mirror log", () => {
    let storage: Storage;
    let clock: number;
    let mirrorName: string;
    let mirror: PartitionLog;
    // a short sequence gate: the cases show refusals of out-of-sequence batches, which wait for predecessors first
    const open = (partition: string) => createPartitionLog({ storage, partition, now: () => clock, sequenceGate: { maxWaitMs: 1 } });

    beforeEach(async () => {
      storage = await fixture.create();
      clock = 1_700_000_000_000;
      mirrorName = freshPartition("replica");
      mirror = open(mirrorName);
    });
    afterEach(() => storage.close());

    it("copies a compacted upstream byte for byte, holes, emptied tail and producer fields included", async () => {
      const upName = freshPartition("edge");
      const config = resolveTopicConfig({ "cleanup.policy": "compact", "delete.retention.ms": 1000 });
      const upstream = createPartitionLog({ storage, partition: upName, config: () => config, now: () => clock, leaderEpoch: 4 });
      await upstream.appendRecords([rec("a", "a1"), rec("b", "b1"), rec("c", "c1")]); // 0-2: only c1 stays
      await upstream.appendBatches(
        encodeBatch([rec("a", "a2"), rec("d", "d1")], { producerId: 9, producerEpoch: 0, baseSequence: 0, now: clock }),
      ); // 3-4
      await upstream.appendRecords([rec("b", "b2")]); // 5
      await upstream.appendRecords([rec("g", "g1")]); // 6: superseded, a hole
      await upstream.appendRecords([rec("g", "g2")]); // 7
      await upstream.appendRecords([rec("e", "e1"), rec("f", null, clock - 5000)]); // 8-9: gone
      await upstream.appendRecords([rec("e", null, clock - 5000)]); // 10: gone
      await compactLog(upstream);
      const edge = await upstream.read(0, { maxBytes: MB });
      expect(edge.batches.map((b) => [b.baseOffset, b.lastOffset])).toEqual([
        [0, 2],
        [3, 4],
        [5, 5],
        [7, 7],
      ]);
      expect(edge.highWatermark).toBe(11);

      // in two fetches, as a downloader would: the second also carries the end past the last batch
      const first = await mirror.appendMirrored((edge.batches[0] as { bytes: Uint8Array }).bytes);
      expect(first.batches).toEqual([{ baseOffset: 0, lastOffset: 2, duplicate: false }]);
      const rest = concatBytes(edge.batches.slice(1).map((b) => b.bytes));
      const second = await mirror.appendMirrored(rest, { endOffset: edge.highWatermark });
      expect(second.batches.map((b) => b.baseOffset)).toEqual([3, 5, 7]);

      const copied = await storage.read(mirrorName, 0, MB);
      const original = await storage.read(upName, 0, MB);
      expect(copied.map((b) => [b.baseOffset, b.lastOffset])).toEqual(original.map((b) => [b.baseOffset, b.lastOffset]));
      expect(copied.every((b, i) => bytesEqual(b.bytes, original[i]?.bytes as Uint8Array))).toBe(true);
      const produced = readBatchHeader((copied[1] as { bytes: Uint8Array }).bytes);
      expect([produced.producerId, produced.producerEpoch, produced.baseSequence, produced.partitionLeaderEpoch]).toEqual([9, 0, 0, 4]);
      expect(await values(mirror)).toEqual(await values(upstream));
      expect(await values(mirror, 6)).toEqual([[7, "g2"]]);
      const state = await mirror.state();
      expect([state.logStartOffset, state.logEndOffset, state.highWatermark]).toEqual([0, 11, 11]);
      expect(state.epochs).toEqual([{ epoch: 4, startOffset: 0 }]);
      // the emptied tail reads as nothing, and the next fetch starts at the end
      expect(await mirror.read(8)).toMatchObject({ batches: [], nextOffset: 11 });
      // and all of it survives reopening the log
      expect(await values(open(mirrorName))).toEqual(await values(upstream));
    });

    it("takes any producer's batches in upstream's order, without sequence checks", async () => {
      await mirror.appendMirrored(upstreamBatch(0, ["x"], { id: 7, sequence: 5 })); // unknown producer, not at 0
      await mirror.appendMirrored(upstreamBatch(1, ["y"], { id: 7, sequence: 2 })); // going backwards
      await mirror.appendMirrored(concatBytes([upstreamBatch(4, ["z"], { id: 7, sequence: 5 }), upstreamBatch(6, ["w"])])); // a repeat
      expect(await values(mirror)).toEqual([
        [0, "x"],
        [1, "y"],
        [4, "z"],
        [6, "w"],
      ]);
      // a producing log would have refused the first of them
      const produced = open(freshPartition("local"));
      const bytes = encodeBatch([rec("x", "x")], { producerId: 7, producerEpoch: 0, baseSequence: 5 });
      await expect(produced.appendBatches(bytes)).rejects.toSatisfy((e) => isRillError(e, "UNKNOWN_PRODUCER_ID"));
    });

    it("refuses corrupt, overlapping or misordered batches and bad ends, changing nothing", async () => {
      await mirror.appendMirrored(upstreamBatch(0, ["a", "b"]));
      const flipped = upstreamBatch(2, ["c"]);
      flipped[flipped.length - 1] = (flipped[flipped.length - 1] as number) ^ 1;
      const cases: Array<[Uint8Array, { endOffset?: number }, string]> = [
        [flipped, {}, "CORRUPT_MESSAGE"],
        [new Uint8Array(0), {}, "CORRUPT_MESSAGE"],
        [concatBytes([upstreamBatch(5, ["e"]), upstreamBatch(4, ["d"])]), {}, "CORRUPT_MESSAGE"],
        [upstreamBatch(3, ["d"]), { endOffset: 3 }, "INVALID_REQUEST"],
        [new Uint8Array(0), { endOffset: -1 }, "INVALID_REQUEST"],
        [upstreamBatch(1, ["b"]), {}, "CONCURRENT_APPEND"],
        [new Uint8Array(0), { endOffset: 1 }, "CONCURRENT_APPEND"],
      ];
      for (const [bytes, options, code] of cases) {
        const error = await mirror.appendMirrored(bytes, options).catch((e) => e);
        expect(isRillError(error, code as "CORRUPT_MESSAGE")).toBe(true);
        if (code === "CONCURRENT_APPEND") expect(error.details).toEqual({ logEndOffset: 2 });
      }
      expect(await values(mirror)).toEqual([
        [0, "a"],
        [1, "b"],
      ]);
      expect((await storage.loadPartition(mirrorName)).logEndOffset).toBe(2);
    });

    it("wakes long-polls and high-watermark listeners on mirrored appends", async () => {
      const seen: number[] = [];
      mirror.onHighWatermark((hw) => seen.push(hw));
      const fetching = longPollFetch(mirror, { offset: 0, maxWaitMs: 10_000 });
      await mirror.appendMirrored(upstreamBatch(3, ["d"]));
      const fetched = await fetching;
      expect(fetched.batches.map((b) => b.baseOffset)).toEqual([3]);
      expect(fetched.nextOffset).toBe(4);
      const waiting = mirror.waitFor(4, 10_000);
      await mirror.appendMirrored(new Uint8Array(0), { endOffset: 9 });
      expect(await waiting).toBe(true);
      expect(await mirror.read(4)).toMatchObject({ batches: [], nextOffset: 9, highWatermark: 9 });
      expect(seen).toEqual([4, 9]);
    });

    it("resets past the end and back, waking readers and forgetting producers", async () => {
      const log = open(freshPartition("reset"));
      const produced = (sequence: number) =>
        encodeBatch([rec("k", `s${sequence}`)], { producerId: 9, producerEpoch: 0, baseSequence: sequence });
      for (const sequence of [0, 1, 2]) await log.appendBatches(produced(sequence));
      const seen: number[] = [];
      log.onHighWatermark((hw) => seen.push(hw));
      const atEnd = longPollFetch(log, { offset: 3, maxWaitMs: 10_000 }).catch((e) => e);
      await log.resetTo(1000);
      expect(isRillError(await atEnd, "OFFSET_OUT_OF_RANGE")).toBe(true);
      expect(await log.state()).toMatchObject({
        logStartOffset: 1000,
        logEndOffset: 1000,
        highWatermark: 1000,
        sizeInBytes: 0,
        epochs: [],
      });
      await expect(log.read(0)).rejects.toSatisfy((e) => isRillError(e, "OFFSET_OUT_OF_RANGE"));
      expect((await log.read(1000)).batches).toEqual([]);
      await log.appendMirrored(upstreamBatch(1003, ["m"]));
      expect(await values(log, 1000)).toEqual([[1003, "m"]]);

      const beyond = longPollFetch(log, { offset: 1004, maxWaitMs: 10_000 }).catch((e) => e);
      await log.resetTo(0);
      expect(isRillError(await beyond, "OFFSET_OUT_OF_RANGE")).toBe(true);
      expect(seen).toEqual([1000, 1004, 0]);
      expect(await log.state()).toMatchObject({ logStartOffset: 0, logEndOffset: 0, highWatermark: 0 });
      // producer 9's state went with the reset: it must start again at sequence 0
      await expect(log.appendBatches(produced(3))).rejects.toSatisfy((e) => isRillError(e, "UNKNOWN_PRODUCER_ID"));
      expect((await log.appendBatches(produced(0))).batches[0]).toEqual({ baseOffset: 0, lastOffset: 0, duplicate: false });
      for (const bad of [-1, 1.5, Number.NaN]) {
        await expect(log.resetTo(bad)).rejects.toSatisfy((e) => isRillError(e, "INVALID_REQUEST"));
      }
      const reopened = open(log.partition);
      expect(await reopened.state()).toMatchObject({ logStartOffset: 0, logEndOffset: 1 });
      expect(await values(reopened)).toEqual([[0, "s0"]]);
    });

    it("refuses a second writer's reset and mirrored append, through the storage guard", async () => {
      const zombie = open(mirrorName);
      await zombie.open(); // it has seen the log empty
      await mirror.appendMirrored(upstreamBatch(0, ["a"]));
      await expect(zombie.resetTo(100)).rejects.toSatisfy((e) => isRillError(e, "CONCURRENT_APPEND"));
      await expect(zombie.appendMirrored(upstreamBatch(5, ["b"]))).rejects.toSatisfy((e) => isRillError(e, "CONCURRENT_APPEND"));
      expect(await values(open(mirrorName))).toEqual([[0, "a"]]);
    });
  });
}
