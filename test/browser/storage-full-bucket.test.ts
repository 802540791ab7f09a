// The IndexedDB storage when Chromium's quota is really exhausted: a storage bucket with a small
// quota (Storage Buckets API) holds the database, filled to the last few bytes: then every
// transaction that writes anything is refused for quota, the partition row that truncateHead moves
// included, and only one that deletes alone goes through. truncateHead must still free the space
// (it spends the reserve the storage keeps for that, reserve.ts), so that appends fit again. The
// batches are over 64 KiB: Chromium keeps such values as files and gives their space back as they
// are deleted (smaller ones wait for LevelDB to compact).
import { encodeBatch, isRillError, type StoredBatch } from "@rill/core";
import { createIndexedDbStorage } from "@rill/storage-indexeddb";
import { describe, expect, it } from "vitest";

const KB = 1024;
const MB = 1024 * KB;

/** A batch of two records of 50 KB of random bytes each (incompressible, so ~100 KB on disk). */
function bigBatch(baseOffset: number): StoredBatch {
  const records = [0, 1].map(() => {
    const value = new Uint8Array(50 * KB);
    for (let at = 0; at < value.length; at += 65_536) crypto.getRandomValues(value.subarray(at, Math.min(value.length, at + 65_536)));
    return { key: null, value, timestamp: 1_700_000_000_000 };
  });
  return { baseOffset, lastOffset: baseOffset + 1, timeIndex: 1_700_000_000_000, bytes: encodeBatch(records, { baseOffset }) };
}

describe("indexeddb storage in a full storage bucket", () => {
  it("frees the space with truncateHead when even the partition row cannot be written, and appends fit again", async () => {
    const buckets = (
      navigator as Navigator & { storageBuckets: { open(name: string, o: { quota: number }): Promise<{ indexedDB: IDBFactory }> } }
    ).storageBuckets;
    const bucket = await buckets.open(`rill-full-${Math.random().toString(36).slice(2, 8)}`, { quota: 3 * MB });
    const storage = await createIndexedDbStorage({ dbName: "full", indexedDB: bucket.indexedDB });
    try {
      let end = 0;
      let refusal: unknown;
      while (end < 200) {
        refusal = await storage.append("p", { expectedEndOffset: end, batches: [bigBatch(end)], producers: [] }).catch((e) => e);
        if (refusal) break;
        end += 2;
      }
      expect(isRillError(refusal, "KAFKA_STORAGE_ERROR") && refusal.details?.quotaExceeded).toBe(true);
      expect(end).toBeGreaterThan(10);
      // then the last bytes, with ever smaller documents, until not even a few bytes fit
      let documents = 0;
      for (let size = 64 * KB; size >= 1; size = Math.floor(size / 2)) {
        while (
          await storage.putDocument("filler", `d${documents}`, 0, "x".repeat(size)).then(
            () => true,
            () => false,
          )
        )
          documents++;
      }

      const kept = await storage.read("p", end / 2, 4 * MB);
      await storage.truncateHead("p", end / 2);
      const state = await storage.loadPartition("p");
      expect(state.logStartOffset).toBe(end / 2);
      expect(state.sizeInBytes).toBe(kept.reduce((n, b) => n + b.bytes.length, 0));
      expect(await storage.read("p", 0, 4 * MB)).toEqual(kept);

      await storage.append("p", { expectedEndOffset: end, batches: [bigBatch(end)], producers: [] });
      expect((await storage.loadPartition("p")).logEndOffset).toBe(end + 2);
    } finally {
      await storage.close();
    }
  });
});
