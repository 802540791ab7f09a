// truncateHead on a full disk (fake-indexeddb in Node): every transaction that puts is refused for
// quota, as browsers refuse them, while one that only deletes goes through. The log start must
// still move, batch by batch, whenever deleting gives room back; while it does not, at most one
// batch goes ahead of the log start, and the next truncation puts everything in step again.
import "fake-indexeddb/auto";
import { isRillError, type Storage, type StoredBatch } from "@rill/core";
import { makeBatch } from "@rill/storage-conformance";
import { afterEach, describe, expect, it } from "vitest";
import { createIndexedDbStorage } from "../src/index.ts";

const MB = 1 << 20;
const run = Math.random().toString(36).slice(2, 8);
let counter = 0;
const opened: Storage[] = [];
const restore: Array<() => void> = [];
afterEach(async () => {
  for (const undo of restore.splice(0)) undo();
  for (const storage of opened.splice(0)) await storage.close();
});

interface Disk {
  full: boolean;
  /** Whether deleting a batch gives its space back (Chromium: values over 64 KiB, kept as files). */
  deletesFree: boolean;
  /** Batch-store deletes committed while the disk was full: a key range deletes several rows at once. */
  deletesWhileFull: Array<"one" | "range">;
}

/** Patches IndexedDB for this test: puts refused for quota while `disk.full`; deletes go through. */
function fullDisk(): Disk {
  const disk: Disk = { full: false, deletesFree: true, deletesWhileFull: [] };
  const proto = globalThis.IDBObjectStore.prototype;
  const { put, delete: remove } = proto;
  proto.put = function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore["put"]>) {
    if (disk.full) throw new DOMException("The quota has been exceeded.", "QuotaExceededError");
    return put.apply(this, args);
  };
  proto.delete = function (this: IDBObjectStore, query: IDBValidKey | IDBKeyRange) {
    const request = remove.call(this, query);
    if (this.name === "batches" && disk.full) {
      this.transaction.addEventListener("complete", () => {
        disk.deletesWhileFull.push(query instanceof IDBKeyRange ? "range" : "one");
        if (disk.deletesFree) disk.full = false;
      });
    }
    return request;
  };
  restore.push(() => {
    proto.put = put;
    proto.delete = remove;
  });
  return disk;
}

/** A storage whose partition "p" holds six batches of two records (offsets 0..11). */
async function sixBatches(): Promise<{ storage: Storage; batches: StoredBatch[] }> {
  const storage = await createIndexedDbStorage({ dbName: `rill-head-truncation-${run}-${++counter}`, indexedDB });
  opened.push(storage);
  const batches = [0, 2, 4, 6, 8, 10].map((base) => makeBatch(base, 2));
  await storage.append("p", { expectedEndOffset: 0, batches, producers: [] });
  return { storage, batches };
}

const sizeOf = (batches: StoredBatch[]) => batches.reduce((n, b) => n + b.bytes.length, 0);
const bases = async (storage: Storage) => (await storage.read("p", 0, MB)).map((b) => b.baseOffset);

describe("indexeddb truncateHead on a full disk", () => {
  it("deletes one batch per transaction and moves the log start as the deletes give room back", async () => {
    const { storage, batches } = await sixBatches();
    const disk = fullDisk();
    disk.full = true;
    await storage.truncateHead("p", 8);

    expect(disk.deletesWhileFull).toEqual(["one"]);
    const state = await storage.loadPartition("p");
    expect(state.logStartOffset).toBe(8);
    expect(state.sizeInBytes).toBe(sizeOf(batches.slice(4)));
    expect(await bases(storage)).toEqual([8, 10]);
    await storage.append("p", { expectedEndOffset: 12, batches: [makeBatch(12, 2)], producers: [] });
    expect(await bases(storage)).toEqual([8, 10, 12]);
  });

  it("after an append refused for quota, goes batch by batch; while nothing comes back, one batch at most leads the log start", async () => {
    const { storage, batches } = await sixBatches();
    const disk = fullDisk();
    disk.full = true;
    disk.deletesFree = false;
    const refusal = await storage.append("p", { expectedEndOffset: 12, batches: [makeBatch(12, 2)], producers: [] }).catch((e) => e);
    expect(isRillError(refusal, "KAFKA_STORAGE_ERROR") && refusal.details?.quotaExceeded).toBe(true);

    const error = await storage.truncateHead("p", 8).catch((e) => e);
    expect(isRillError(error, "KAFKA_STORAGE_ERROR") && error.details?.quotaExceeded).toBe(true);
    expect(disk.deletesWhileFull).toEqual(["one"]);
    // the oldest batch is gone; its log start could not be written; everything else is intact
    expect((await storage.loadPartition("p")).logStartOffset).toBe(0);
    expect(await bases(storage)).toEqual([2, 4, 6, 8, 10]);
    expect((await storage.read("p", 2, MB)).map((b) => b.bytes)).toEqual(batches.slice(1).map((b) => b.bytes));

    // room again (the browser compacted): the next truncation puts the log start and size in step
    disk.full = false;
    await storage.truncateHead("p", 8);
    const state = await storage.loadPartition("p");
    expect(state.logStartOffset).toBe(8);
    expect(state.sizeInBytes).toBe(sizeOf(batches.slice(4)));
    expect(await bases(storage)).toEqual([8, 10]);
  });
});
