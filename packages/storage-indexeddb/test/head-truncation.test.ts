// truncateHead on a full disk (fake-indexeddb in Node; its FDBTransaction._abort(name) is the spec's
// "abort a transaction with error"): every transaction that puts is refused for quota at commit, as
// browsers refuse them, while one that only deletes goes through. Retention must still run: it
// spends the reserve kept for that, truncates a batch per transaction in the room left, and writes
// the reserve back once it fits.
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
  /** Which committed deletes give room back (Chromium: values over 64 KiB, kept as files). */
  frees: "reserve" | "batches" | "nothing";
  /** Stores that had a delete committed while the disk was full. */
  deletedWhileFull: string[];
  /** Committed transactions that wrote a partition row. */
  rowWrites: number;
}

/** Patches IndexedDB for this test: puts refused for quota while `disk.full`; deletes go through. */
function fullDisk(): Disk {
  const disk: Disk = { full: false, frees: "reserve", deletedWhileFull: [], rowWrites: 0 };
  const proto = globalThis.IDBObjectStore.prototype;
  const { put, delete: remove } = proto;
  // refused as a browser refuses it: the request succeeds, then the commit fails for quota
  proto.put = function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore["put"]>) {
    const request = put.apply(this, args);
    const tx = this.transaction as IDBTransaction & { _abort(name: string): void };
    if (disk.full) request.addEventListener("success", () => tx._abort("QuotaExceededError"));
    else if (this.name === "partitions") tx.addEventListener("complete", () => disk.rowWrites++);
    return request;
  };
  proto.delete = function (this: IDBObjectStore, query: IDBValidKey | IDBKeyRange) {
    const request = remove.call(this, query);
    const store = this.name;
    if (disk.full) {
      this.transaction.addEventListener("complete", () => {
        disk.deletedWhileFull.push(store);
        if ((store === "documents" && disk.frees === "reserve") || (store === "batches" && disk.frees === "batches")) disk.full = false;
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

async function open(): Promise<Storage> {
  const storage = await createIndexedDbStorage({ dbName: `rill-reserve-${run}-${++counter}`, indexedDB });
  opened.push(storage);
  return storage;
}

/** Six batches of two records (offsets 0..11) in partition "p", of ~400 KB each with `big`. */
async function sixBatches(storage: Storage, big = false): Promise<StoredBatch[]> {
  const batches = [0, 2, 4, 6, 8, 10].map((base) => makeBatch(base, 2, big ? { valueSize: 200_000 } : {}));
  await storage.append("p", { expectedEndOffset: 0, batches, producers: [] });
  return batches;
}

const sizeOf = (batches: StoredBatch[]) => batches.reduce((n, b) => n + b.bytes.length, 0);
const bases = async (storage: Storage) => (await storage.read("p", 0, MB)).map((b) => b.baseOffset);
const hasReserve = async (storage: Storage) => (await storage.getDocument("rill-storage", "reserve")) !== null;
const isQuota = (error: unknown) => isRillError(error, "KAFKA_STORAGE_ERROR") && error.details?.quotaExceeded === true;

describe("indexeddb truncateHead on a full disk", () => {
  it("spends the reserve when retention is refused for quota, truncates in steps of 1 MiB at most, and writes the reserve back", async () => {
    const storage = await open();
    const batches = await sixBatches(storage, true);
    expect(await hasReserve(storage)).toBe(true);
    const disk = fullDisk();
    disk.full = true;
    expect(isQuota(await storage.append("p", { expectedEndOffset: 12, batches: [makeBatch(12, 2)], producers: [] }).catch((e) => e))).toBe(
      true,
    );

    await storage.truncateHead("p", 8);
    // the reserve went alone, in a transaction that wrote nothing; the truncation ran in the room it
    // left, two batches of ~400 KB (and the log start past them) per transaction
    expect(disk.deletedWhileFull).toEqual(["documents"]);
    expect(disk.rowWrites).toBe(2);
    const state = await storage.loadPartition("p");
    expect(state.logStartOffset).toBe(8);
    expect(state.sizeInBytes).toBe(sizeOf(batches.slice(4)));
    expect(await bases(storage)).toEqual([8, 10]);
    expect(await hasReserve(storage)).toBe(true);
  });

  it("deletes batches kept as files alone when the spent reserve is not room enough, then moves the log start past them", async () => {
    const storage = await open();
    const batches = await sixBatches(storage, true);
    const disk = fullDisk();
    disk.full = true;
    disk.frees = "batches";

    await storage.truncateHead("p", 8);
    // the reserve went first, then the oldest batch alone, which made room for the truncation
    expect(disk.deletedWhileFull).toEqual(["documents", "batches"]);
    const state = await storage.loadPartition("p");
    expect(state.logStartOffset).toBe(8);
    expect(state.sizeInBytes).toBe(sizeOf(batches.slice(4)));
    expect(await bases(storage)).toEqual([8, 10]);
    expect(await hasReserve(storage)).toBe(true);
  });

  it("changes nothing when even the spent reserve leaves no room, and truncates once there is", async () => {
    const storage = await open();
    const batches = await sixBatches(storage);
    const disk = fullDisk();
    disk.full = true;
    disk.frees = "nothing";

    expect(isQuota(await storage.truncateHead("p", 8).catch((e) => e))).toBe(true);
    expect(await storage.loadPartition("p")).toMatchObject({ logStartOffset: 0, sizeInBytes: sizeOf(batches) });
    expect(await bases(storage)).toEqual([0, 2, 4, 6, 8, 10]);
    expect(await hasReserve(storage)).toBe(false);

    disk.full = false;
    await storage.truncateHead("p", 8);
    expect(await storage.loadPartition("p")).toMatchObject({ logStartOffset: 8, sizeInBytes: sizeOf(batches.slice(4)) });
    expect(await hasReserve(storage)).toBe(true);
  });

  it("opens on a full disk without a reserve, and writes one with the first truncation that fits", async () => {
    const disk = fullDisk();
    disk.full = true;
    const storage = await open();
    expect(await hasReserve(storage)).toBe(false);
    disk.full = false;
    await sixBatches(storage);
    await storage.truncateHead("p", 4);
    expect(await hasReserve(storage)).toBe(true);
    expect(await bases(storage)).toEqual([4, 6, 8, 10]);
  });
});
