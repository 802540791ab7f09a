// Seam cases for mirrors: the gap-tolerant append (allowGaps, endOffset) and resetTo, which a
// replica of another log needs (compacted upstream topics have holes; upstream retention or a
// re-created topic makes the replica jump).
import { bytesEqual, isRillError, type Storage, type StoredBatch } from "@rill/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { freshPartition, makeBatch, type StorageFixture, sizeOf } from "./fixture.ts";

const MB = 1 << 20;
const spans = (batches: StoredBatch[]) => batches.map((b) => [b.baseOffset, b.lastOffset]);
const producer = {
  producerId: 3,
  epoch: 0,
  batches: [{ firstSequence: 0, lastSequence: 4, baseOffset: 0, lastOffset: 4 }],
  lastTimestamp: 1,
};

export function mirrorCases(fixture: StorageFixture): void {
  describe("mirrored appends and resets", () => {
    let storage: Storage;
    let p: string;
    beforeEach(async () => {
      storage = await fixture.create();
      p = freshPartition("mirror");
    });
    afterEach(() => storage.close());

    it("stores mirrored batches at their own offsets, keeping the holes between them", async () => {
      const batches = [makeBatch(3, 2), makeBatch(10, 3), makeBatch(13, 1)];
      await storage.append(p, { expectedEndOffset: 0, batches, producers: [], allowGaps: true });
      let state = await storage.loadPartition(p);
      expect([state.logStartOffset, state.logEndOffset, state.sizeInBytes, state.timeIndex]).toEqual([
        0,
        14,
        sizeOf(batches),
        batches[2]?.timeIndex,
      ]);
      const read = await storage.read(p, 0, MB);
      expect(spans(read)).toEqual([
        [3, 4],
        [10, 12],
        [13, 13],
      ]);
      expect(read.every((b, i) => bytesEqual(b.bytes, batches[i]?.bytes as Uint8Array))).toBe(true);
      expect(spans(await storage.read(p, 5, MB))).toEqual([
        [10, 12],
        [13, 13],
      ]);
      expect((await storage.scan(p, 6, 1)).map((m) => m.baseOffset)).toEqual([10]);
      expect((await storage.findByTime(p, (batches[1] as StoredBatch).timeIndex))?.baseOffset).toBe(10);
      // the next mirrored append may leave a hole after the end too; a plain append follows densely
      await storage.append(p, { expectedEndOffset: 14, batches: [makeBatch(20, 2)], producers: [], allowGaps: true });
      await storage.append(p, { expectedEndOffset: 22, batches: [makeBatch(22, 1)], producers: [] });
      // truncations work across holes
      await storage.truncateHead(p, 7);
      await storage.truncateTail(p, 20, []);
      state = await storage.loadPartition(p);
      expect([state.logStartOffset, state.logEndOffset, state.sizeInBytes]).toEqual([7, 20, sizeOf(batches.slice(1))]);
      expect(spans(await storage.read(p, 0, MB))).toEqual([
        [10, 12],
        [13, 13],
      ]);
    });

    it("refuses a mirrored append that overlaps or whose end moved, storing none of it", async () => {
      await storage.append(p, { expectedEndOffset: 0, batches: [makeBatch(0, 5)], producers: [] });
      const before = await storage.loadPartition(p);
      const attempts = [
        { expectedEndOffset: 3, batches: [makeBatch(8, 1)] }, // stale end
        { expectedEndOffset: 5, batches: [makeBatch(4, 2)] }, // starts inside the log
        { expectedEndOffset: 5, batches: [makeBatch(8, 2), makeBatch(12, 1), makeBatch(9, 1)] }, // last one overlaps
        { expectedEndOffset: 5, batches: [makeBatch(8, 2), { ...makeBatch(12, 1), lastOffset: 11 }] }, // ends before it starts
      ];
      for (const attempt of attempts) {
        const append = storage.append(p, { ...attempt, producers: [producer], allowGaps: true, epochStart: { epoch: 4, startOffset: 8 } });
        await expect(append).rejects.toSatisfy((e) => isRillError(e, "CONCURRENT_APPEND"));
      }
      expect(await storage.loadPartition(p)).toEqual(before);
      expect(spans(await storage.read(p, 0, MB))).toEqual([[0, 4]]);
      // without allowGaps, a hole is still refused
      const plain = storage.append(p, { expectedEndOffset: 5, batches: [makeBatch(6, 1)], producers: [] });
      await expect(plain).rejects.toSatisfy((e) => isRillError(e, "CONCURRENT_APPEND"));
      expect(await storage.loadPartition(p)).toEqual(before);
    });

    it("moves the log end past the last batch when asked, and only for mirrored appends", async () => {
      const first = makeBatch(2, 2);
      await storage.append(p, { expectedEndOffset: 0, batches: [first], producers: [], allowGaps: true, endOffset: 10 });
      expect((await storage.loadPartition(p)).logEndOffset).toBe(10);
      // an end before the last batch's end changes nothing
      await storage.append(p, { expectedEndOffset: 10, batches: [makeBatch(12, 1)], producers: [], allowGaps: true, endOffset: 5 });
      expect((await storage.loadPartition(p)).logEndOffset).toBe(13);
      // no batches at all: only the end moves
      await storage.append(p, { expectedEndOffset: 13, batches: [], producers: [], allowGaps: true, endOffset: 20 });
      // and endOffset means nothing to a plain append
      await storage.append(p, { expectedEndOffset: 20, batches: [makeBatch(20, 1)], producers: [], endOffset: 30 });
      const state = await storage.loadPartition(p);
      expect([state.logEndOffset, state.sizeInBytes]).toEqual([21, sizeOf([first, makeBatch(12, 1), makeBatch(20, 1)])]);
      expect(spans(await storage.read(p, 0, MB))).toEqual([
        [2, 3],
        [12, 12],
        [20, 20],
      ]);
    });

    it("resets a partition past its end, dropping batches, producers and epochs", async () => {
      await storage.append(p, {
        expectedEndOffset: 0,
        batches: [makeBatch(0, 5)],
        producers: [producer],
        epochStart: { epoch: 2, startOffset: 0 },
      });
      await storage.resetTo(p, 100);
      expect(await storage.loadPartition(p)).toEqual({
        logStartOffset: 100,
        logEndOffset: 100,
        sizeInBytes: 0,
        timeIndex: -1,
        producers: [],
        epochs: [],
      });
      expect(await storage.read(p, 0, MB)).toEqual([]);
      expect(await storage.scan(p, 0, 10)).toEqual([]);
      expect(await storage.findByTime(p, 0)).toBeNull();
      const next = makeBatch(100, 2);
      await storage.append(p, { expectedEndOffset: 100, batches: [next], producers: [] });
      const [read] = await storage.read(p, 0, MB);
      expect(bytesEqual(read?.bytes as Uint8Array, next.bytes)).toBe(true);
      await storage.truncateHead(p, 101);
      expect((await storage.loadPartition(p)).logStartOffset).toBe(101);
    });

    it("resets a partition below its end, to 0 included", async () => {
      await storage.append(p, { expectedEndOffset: 0, batches: [makeBatch(0, 5), makeBatch(5, 5)], producers: [producer] });
      await storage.resetTo(p, 3);
      let state = await storage.loadPartition(p);
      expect([state.logStartOffset, state.logEndOffset, state.sizeInBytes, state.producers]).toEqual([3, 3, 0, []]);
      const fresh = makeBatch(3, 1);
      await storage.append(p, { expectedEndOffset: 3, batches: [fresh], producers: [] });
      expect(spans(await storage.read(p, 0, MB))).toEqual([[3, 3]]);
      await storage.resetTo(p, 0);
      state = await storage.loadPartition(p);
      expect([state.logStartOffset, state.logEndOffset, state.sizeInBytes, state.timeIndex]).toEqual([0, 0, 0, -1]);
      expect(await storage.read(p, 0, MB)).toEqual([]);
    });

    it("resets an unknown partition, and leaves other partitions alone", async () => {
      const q = freshPartition("mirror");
      await storage.append(q, { expectedEndOffset: 0, batches: [makeBatch(0, 2)], producers: [producer] });
      const other = await storage.loadPartition(q);
      await storage.resetTo(p, 42);
      expect((await storage.loadPartition(p)).logStartOffset).toBe(42);
      expect(await storage.loadPartition(q)).toEqual(other);
      expect(spans(await storage.read(q, 0, MB))).toEqual([[0, 1]]);
    });

    it("refuses a reset whose expected end is stale, or to no offset, changing nothing", async () => {
      await storage.append(p, { expectedEndOffset: 0, batches: [makeBatch(0, 5)], producers: [producer] });
      const before = await storage.loadPartition(p);
      await expect(storage.resetTo(p, 50, { expectedEndOffset: 3 })).rejects.toSatisfy((e) => isRillError(e, "CONCURRENT_APPEND"));
      for (const bad of [-1, 1.5, Number.NaN]) {
        await expect(storage.resetTo(p, bad)).rejects.toSatisfy((e) => isRillError(e, "INVALID_REQUEST"));
      }
      expect(await storage.loadPartition(p)).toEqual(before);
      await storage.resetTo(p, 50, { expectedEndOffset: 5 });
      expect((await storage.loadPartition(p)).logEndOffset).toBe(50);
    });
  });

  if (fixture.reopen) {
    const reopen = fixture.reopen;
    it("keeps mirrored holes, a moved end and a reset across a restart", async () => {
      const storage = await fixture.create();
      const [holes, emptied, jumped, jumpedBack] = [1, 2, 3, 4].map(() => freshPartition("mirror")) as [string, string, string, string];
      await storage.append(holes, { expectedEndOffset: 0, batches: [makeBatch(4, 2), makeBatch(9, 1)], producers: [], allowGaps: true });
      await storage.append(emptied, { expectedEndOffset: 0, batches: [makeBatch(0, 2)], producers: [], allowGaps: true, endOffset: 7 });
      await storage.resetTo(jumped, 500);
      await storage.append(jumpedBack, { expectedEndOffset: 0, batches: [makeBatch(0, 9)], producers: [producer] });
      await storage.resetTo(jumpedBack, 4);
      const names = [holes, emptied, jumped, jumpedBack];
      const before = await Promise.all(names.map((n) => storage.loadPartition(n)));
      expect(before.map((s) => [s.logStartOffset, s.logEndOffset])).toEqual([
        [0, 10],
        [0, 7],
        [500, 500],
        [4, 4],
      ]);
      const again = await reopen(storage);
      expect(await Promise.all(names.map((n) => again.loadPartition(n)))).toEqual(before);
      expect(spans(await again.read(holes, 0, MB))).toEqual([
        [4, 5],
        [9, 9],
      ]);
      expect(await again.read(jumpedBack, 0, MB)).toEqual([]);
      await again.append(jumped, { expectedEndOffset: 500, batches: [makeBatch(503, 1)], producers: [], allowGaps: true });
      await again.append(emptied, { expectedEndOffset: 7, batches: [makeBatch(7, 1)], producers: [] });
      expect((await again.loadPartition(jumped)).logEndOffset).toBe(504);
      expect((await again.loadPartition(emptied)).logEndOffset).toBe(8);
      await again.close();
    });
  }
}
