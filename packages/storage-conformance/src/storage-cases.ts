// Seam-level cases: what every backend must do, method by method.
import { bytesEqual, isRillError, type Storage } from "@rill/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { freshPartition, makeBatch, type StorageFixture, sizeOf } from "./fixture.ts";

export function storageCases(fixture: StorageFixture): void {
  describe("partitions", () => {
    let storage: Storage;
    let p: string;
    beforeEach(async () => {
      storage = await fixture.create();
      p = freshPartition();
    });
    afterEach(() => storage.close());

    it("starts an unknown partition empty at offset 0", async () => {
      expect(await storage.loadPartition(p)).toEqual({
        logStartOffset: 0,
        logEndOffset: 0,
        sizeInBytes: 0,
        timeIndex: -1,
        producers: [],
        epochs: [],
      });
      expect(await storage.read(p, 0, 1 << 20)).toEqual([]);
    });

    it("appends batches and reads them back byte for byte", async () => {
      const a = makeBatch(0, 3);
      const b = makeBatch(3, 2);
      await storage.append(p, { expectedEndOffset: 0, batches: [a, b], producers: [] });
      const state = await storage.loadPartition(p);
      expect(state.logEndOffset).toBe(5);
      expect(state.sizeInBytes).toBe(sizeOf([a, b]));
      expect(state.timeIndex).toBe(b.timeIndex);
      const read = await storage.read(p, 0, 1 << 20);
      expect(read.map((x) => [x.baseOffset, x.lastOffset, x.timeIndex])).toEqual([
        [0, 2, a.timeIndex],
        [3, 4, b.timeIndex],
      ]);
      expect(bytesEqual(read[0]?.bytes as Uint8Array, a.bytes)).toBe(true);
      expect(bytesEqual(read[1]?.bytes as Uint8Array, b.bytes)).toBe(true);
    });

    it("reads from the batch holding the offset, at least one batch, up to maxBytes", async () => {
      const batches = [makeBatch(0, 10), makeBatch(10, 10), makeBatch(20, 10)];
      await storage.append(p, { expectedEndOffset: 0, batches, producers: [] });
      expect((await storage.read(p, 15, 1 << 20)).map((b) => b.baseOffset)).toEqual([10, 20]);
      expect((await storage.read(p, 0, 1)).map((b) => b.baseOffset)).toEqual([0]);
      expect((await storage.read(p, 0, 0)).map((b) => b.baseOffset)).toEqual([0]);
      const firstTwo = (batches[0]?.bytes.length as number) + 1;
      expect((await storage.read(p, 0, firstTwo)).map((b) => b.baseOffset)).toEqual([0, 10]);
      expect(await storage.read(p, 30, 1 << 20)).toEqual([]);
    });

    it("keeps stored bytes apart from the caller's buffers, at their own size", async () => {
      const made = makeBatch(0, 2);
      const copy = made.bytes.slice();
      // the batch is a view into a larger buffer: only the view may be stored
      const padded = new Uint8Array(copy.length + 64);
      padded.set(copy, 32);
      const a = { ...made, bytes: padded.subarray(32, 32 + copy.length) };
      await storage.append(p, { expectedEndOffset: 0, batches: [a], producers: [] });
      a.bytes.fill(0);
      const [read] = await storage.read(p, 0, 1 << 20);
      expect(bytesEqual(read?.bytes as Uint8Array, copy)).toBe(true);
      read?.bytes.fill(0);
      const [again] = await storage.read(p, 0, 1 << 20);
      expect(bytesEqual(again?.bytes as Uint8Array, copy)).toBe(true);
      expect(again?.bytes.buffer.byteLength).toBe(copy.length);
    });

    it("refuses an append whose expected end offset is stale, changing nothing", async () => {
      await storage.append(p, { expectedEndOffset: 0, batches: [makeBatch(0, 2)], producers: [] });
      const producer = { producerId: 7, epoch: 0, batches: [], lastTimestamp: 1 };
      const attempt = storage.append(p, { expectedEndOffset: 0, batches: [makeBatch(0, 2)], producers: [producer] });
      await expect(attempt).rejects.toSatisfy((e) => isRillError(e, "CONCURRENT_APPEND"));
      const gap = storage.append(p, { expectedEndOffset: 2, batches: [makeBatch(5, 1)], producers: [producer] });
      await expect(gap).rejects.toSatisfy((e) => isRillError(e, "CONCURRENT_APPEND"));
      const state = await storage.loadPartition(p);
      expect(state.logEndOffset).toBe(2);
      expect(state.producers).toEqual([]);
      expect(await storage.read(p, 0, 1 << 20)).toHaveLength(1);
    });

    it("stores producer state and epoch starts in the same append", async () => {
      const entry = {
        producerId: 42,
        epoch: 3,
        batches: [{ firstSequence: 0, lastSequence: 1, baseOffset: 0, lastOffset: 1 }],
        lastTimestamp: 99,
      };
      await storage.append(p, {
        expectedEndOffset: 0,
        batches: [makeBatch(0, 2)],
        producers: [entry],
        epochStart: { epoch: 1, startOffset: 0 },
      });
      const next = { ...entry, batches: [...entry.batches, { firstSequence: 2, lastSequence: 2, baseOffset: 2, lastOffset: 2 }] };
      await storage.append(p, {
        expectedEndOffset: 2,
        batches: [makeBatch(2, 1)],
        producers: [next],
        epochStart: { epoch: 2, startOffset: 2 },
      });
      const state = await storage.loadPartition(p);
      expect(state.producers).toEqual([next]);
      expect(state.epochs).toEqual([
        { epoch: 1, startOffset: 0 },
        { epoch: 2, startOffset: 2 },
      ]);
    });

    it("scans batch metadata and finds batches by time index", async () => {
      const batches = [makeBatch(0, 2, { timestamp: 1000 }), makeBatch(2, 2, { timestamp: 2000 }), makeBatch(4, 2, { timestamp: 3000 })];
      await storage.append(p, { expectedEndOffset: 0, batches, producers: [] });
      const meta = await storage.scan(p, 1, 2);
      expect(meta).toEqual([
        { baseOffset: 0, lastOffset: 1, timeIndex: 1000, sizeInBytes: batches[0]?.bytes.length },
        { baseOffset: 2, lastOffset: 3, timeIndex: 2000, sizeInBytes: batches[1]?.bytes.length },
      ]);
      expect((await storage.findByTime(p, 1500))?.baseOffset).toBe(2);
      expect((await storage.findByTime(p, 0))?.baseOffset).toBe(0);
      expect((await storage.findByTime(p, 3000))?.baseOffset).toBe(4);
      expect(await storage.findByTime(p, 3001)).toBeNull();
    });

    it("truncates the head forwards only, and never past the end", async () => {
      const batches = [makeBatch(0, 5), makeBatch(5, 5), makeBatch(10, 5)];
      await storage.append(p, { expectedEndOffset: 0, batches, producers: [] });
      await storage.truncateHead(p, 7);
      expect((await storage.findByTime(p, 0))?.baseOffset).toBe(5);
      let state = await storage.loadPartition(p);
      expect(state.logStartOffset).toBe(7);
      expect(state.sizeInBytes).toBe(sizeOf(batches.slice(1)));
      expect((await storage.read(p, 0, 1 << 20)).map((b) => b.baseOffset)).toEqual([5, 10]);
      await storage.truncateHead(p, 3);
      expect((await storage.loadPartition(p)).logStartOffset).toBe(7);
      await storage.truncateHead(p, 100);
      state = await storage.loadPartition(p);
      expect([state.logStartOffset, state.logEndOffset, state.sizeInBytes]).toEqual([15, 15, 0]);
      await storage.append(p, { expectedEndOffset: 15, batches: [makeBatch(15, 1)], producers: [] });
      expect((await storage.read(p, 15, 1 << 20)).map((b) => b.baseOffset)).toEqual([15]);
    });

    it("truncates the tail for a divergent replica, dropping later epochs", async () => {
      await storage.append(p, {
        expectedEndOffset: 0,
        batches: [makeBatch(0, 3)],
        producers: [],
        epochStart: { epoch: 0, startOffset: 0 },
      });
      const before = {
        producerId: 5,
        epoch: 0,
        batches: [{ firstSequence: 0, lastSequence: 2, baseOffset: 3, lastOffset: 5 }],
        lastTimestamp: 1,
      };
      const other = { producerId: 6, epoch: 0, batches: [], lastTimestamp: 1 };
      await storage.append(p, {
        expectedEndOffset: 3,
        batches: [makeBatch(3, 3), makeBatch(6, 3)],
        producers: [before, other],
        epochStart: { epoch: 1, startOffset: 3 },
      });
      const rebuilt = { ...before, batches: [] };
      await storage.truncateTail(p, 3, [rebuilt]);
      const state = await storage.loadPartition(p);
      expect(state.producers).toEqual([rebuilt]);
      expect([state.logEndOffset, state.sizeInBytes]).toEqual([3, makeBatch(0, 3).bytes.length]);
      expect(state.epochs).toEqual([{ epoch: 0, startOffset: 0 }]);
      await storage.append(p, { expectedEndOffset: 3, batches: [makeBatch(3, 1)], producers: [] });
      expect((await storage.read(p, 0, 1 << 20)).map((b) => b.lastOffset)).toEqual([2, 3]);
    });

    it("replaces a range of batches in place and keeps the log end", async () => {
      const batches = [makeBatch(0, 4), makeBatch(4, 4), makeBatch(8, 4)];
      await storage.append(p, { expectedEndOffset: 0, batches, producers: [] });
      const smaller = { ...makeBatch(4, 1), lastOffset: 7 };
      await storage.replace(p, 4, 7, [smaller]);
      await storage.replace(p, 8, 11, []);
      expect(await storage.findByTime(p, (batches[2] as { timeIndex: number }).timeIndex)).toBeNull();
      const state = await storage.loadPartition(p);
      expect(state.logEndOffset).toBe(12);
      expect(state.sizeInBytes).toBe(sizeOf([batches[0] as never, smaller]));
      const read = await storage.read(p, 0, 1 << 20);
      expect(read.map((b) => [b.baseOffset, b.lastOffset])).toEqual([
        [0, 3],
        [4, 7],
      ]);
      expect(bytesEqual(read[1]?.bytes as Uint8Array, smaller.bytes)).toBe(true);
      await storage.append(p, { expectedEndOffset: 12, batches: [makeBatch(12, 1)], producers: [] });
      expect((await storage.read(p, 8, 1 << 20)).map((b) => b.baseOffset)).toEqual([12]);
    });

    it("keeps partitions apart and drops one without touching another", async () => {
      const q = freshPartition();
      await storage.append(p, { expectedEndOffset: 0, batches: [makeBatch(0, 2)], producers: [] });
      await storage.append(q, { expectedEndOffset: 0, batches: [makeBatch(0, 5)], producers: [] });
      await storage.dropPartition(p);
      expect((await storage.loadPartition(p)).logEndOffset).toBe(0);
      expect(await storage.read(p, 0, 1 << 20)).toEqual([]);
      expect((await storage.loadPartition(q)).logEndOffset).toBe(5);
    });

    it("holds a batch close to the 2 MB row limit", async () => {
      const big = makeBatch(0, 19, { valueSize: 100_000 });
      expect(big.bytes.length).toBeGreaterThan(1_900_000);
      await storage.append(p, { expectedEndOffset: 0, batches: [big], producers: [] });
      const [read] = await storage.read(p, 0, 1);
      expect(bytesEqual(read?.bytes as Uint8Array, big.bytes)).toBe(true);
    });
  });

  describe("offsets and documents", () => {
    let storage: Storage;
    beforeEach(async () => {
      storage = await fixture.create();
    });
    afterEach(() => storage.close());

    it("commits, overwrites, fetches and deletes offsets per group", async () => {
      const g = freshPartition("group");
      const o = (topic: string, partition: number, offset: number) => ({
        topic,
        partition,
        offset,
        metadata: offset % 2 ? "odd" : null,
        leaderEpoch: 0,
        commitTimestamp: 1000 + offset,
      });
      await storage.commitOffsets(g, [o("a", 0, 5), o("a", 1, 7), o("b", 0, 1)]);
      await storage.commitOffsets(g, [o("a", 0, 9)]);
      await storage.commitOffsets(`${g}-other`, [o("a", 0, 100)]);
      const sorted = (xs: Array<{ topic: string; partition: number }>) =>
        [...xs].sort((x, y) => x.topic.localeCompare(y.topic) || x.partition - y.partition);
      expect(sorted(await storage.fetchOffsets(g))).toEqual([o("a", 0, 9), o("a", 1, 7), o("b", 0, 1)]);
      await storage.deleteOffsets(g, "a");
      expect(await storage.fetchOffsets(g)).toEqual([o("b", 0, 1)]);
      await storage.deleteOffsets(g);
      expect(await storage.fetchOffsets(g)).toEqual([]);
      expect(await storage.fetchOffsets(`${g}-other`)).toEqual([o("a", 0, 100)]);
    });

    it("writes documents by compare-and-set", async () => {
      const ns = freshPartition("ns");
      expect(await storage.getDocument(ns, "x")).toBeNull();
      expect(await storage.putDocument(ns, "x", 1, { a: 1 })).toBe(false);
      expect(await storage.putDocument(ns, "x", 0, { a: 1 })).toBe(true);
      expect(await storage.putDocument(ns, "x", 0, { a: 2 })).toBe(false);
      expect(await storage.getDocument(ns, "x")).toEqual({ version: 1, value: { a: 1 } });
      expect(await storage.putDocument(ns, "x", 1, { a: 3, nested: [1, "two", null] })).toBe(true);
      expect(await storage.getDocument(ns, "x")).toEqual({ version: 2, value: { a: 3, nested: [1, "two", null] } });
      await storage.putDocument(ns, "y", 0, "why");
      await storage.putDocument(`${ns}-other`, "z", 0, 1);
      expect(await storage.listDocuments(ns)).toEqual([
        { id: "x", version: 2, value: { a: 3, nested: [1, "two", null] } },
        { id: "y", version: 1, value: "why" },
      ]);
      await storage.deleteDocument(ns, "x");
      expect(await storage.getDocument(ns, "x")).toBeNull();
      expect(await storage.putDocument(ns, "x", 0, "again")).toBe(true);
    });
  });

  if (fixture.reopen) {
    const reopen = fixture.reopen;
    it("keeps everything across a restart", async () => {
      const storage = await fixture.create();
      const p = freshPartition();
      const batches = [makeBatch(0, 3), makeBatch(3, 3)];
      const entry = {
        producerId: 1,
        epoch: 0,
        batches: [{ firstSequence: 0, lastSequence: 2, baseOffset: 3, lastOffset: 5 }],
        lastTimestamp: 5,
      };
      await storage.append(p, { expectedEndOffset: 0, batches, producers: [entry], epochStart: { epoch: 0, startOffset: 0 } });
      await storage.truncateHead(p, 3);
      const g = freshPartition("group");
      const ns = freshPartition("ns");
      await storage.commitOffsets(g, [{ topic: "t", partition: 0, offset: 4, metadata: null, leaderEpoch: 0, commitTimestamp: 1 }]);
      await storage.putDocument(ns, "doc", 0, { kept: true });
      const before = await storage.loadPartition(p);
      const again = await reopen(storage);
      expect(await again.loadPartition(p)).toEqual(before);
      const [read] = await again.read(p, 3, 1 << 20);
      expect(bytesEqual(read?.bytes as Uint8Array, batches[1]?.bytes as Uint8Array)).toBe(true);
      expect((await again.fetchOffsets(g)).map((o) => o.offset)).toEqual([4]);
      expect((await again.getDocument(ns, "doc"))?.value).toEqual({ kept: true });
      await again.close();
    });
  }
}
