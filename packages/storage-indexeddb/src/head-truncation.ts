// truncateHead: batches wholly below the new log start are deleted and the log start moves, in one
// transaction. Not on a full disk: browsers refuse, for quota, every transaction that writes
// anything (here the partition row), however small, but let one that only deletes through; and
// Chromium's LevelDB backend copies every value that a transaction deleting several rows removes
// into an undo log before it commits, a copy that fills a nearly full disk (Chromium then deletes
// the database as corrupt). So once a write has met a full disk, and until an append fits again,
// batches go one at a time: the oldest alone in a transaction that only deletes, then the log start
// past it, which fails for quota while the disk is still full (the log then starts at a hole that
// reads skip, as they skip a compacted log's, and the next truncation closes it).

import { isRillError } from "@rill/core";
import type { KeyRanges } from "./keys.ts";
import { fromMetaKey } from "./rows.ts";
import type { Db } from "./schema.ts";
import { inTransaction, type Tx } from "./transaction.ts";

const isQuotaExceeded = (error: unknown) => isRillError(error, "KAFKA_STORAGE_ERROR") && error.details?.quotaExceeded === true;

const fullDisks = new WeakSet<Db>();

/** Runs an append, remembering whether it met a full disk (refused for quota) or fitted. */
export async function watchingFullDisk<T>(db: Db, write: () => Promise<T>): Promise<T> {
  try {
    const result = await write();
    fullDisks.delete(db);
    return result;
  } catch (error) {
    if (isQuotaExceeded(error)) fullDisks.add(db);
    throw error;
  }
}

/** Moves the log start of `partition` up to `newStartOffset` (at most its log end), deleting the batches below it. */
export async function truncateHead(db: Db, ranges: KeyRanges, partition: string, newStartOffset: number): Promise<void> {
  if (!fullDisks.has(db)) {
    try {
      return await truncateInOne(db, ranges, partition, newStartOffset);
    } catch (error) {
      if (!isQuotaExceeded(error)) throw error;
      fullDisks.add(db);
    }
  }
  while (await dropOldestBatch(db, ranges, partition, newStartOffset)) {
    // each round deletes one batch and moves the log start past it, or throws while the disk is full
  }
  // no batch left below it: what remains is moving the log start (inside a batch, or over a hole)
  await truncateInOne(db, ranges, partition, newStartOffset);
}

function truncateInOne(db: Db, ranges: KeyRanges, partition: string, newStartOffset: number): Promise<void> {
  return inTransaction(db, ["partitions", "batches"], "readwrite", async (tx) => {
    const row = await tx.objectStore("partitions").get(partition);
    if (!row) return;
    const target = Math.min(newStartOffset, row.logEndOffset);
    if (target <= row.logStartOffset) return;
    const doomed = ranges.partition(partition, -Infinity, target, true);
    let removed = 0;
    let headHole: boolean | undefined;
    let cursor = await tx.objectStore("batches").index("meta").openKeyCursor(doomed);
    while (cursor) {
      const meta = fromMetaKey(cursor.key);
      headHole ??= meta.baseOffset > row.logStartOffset;
      removed += meta.sizeInBytes;
      cursor = await cursor.continue();
    }
    await tx.objectStore("batches").delete(doomed);
    // before the first batch, a hole: perhaps one deleted while the disk was too full to write this
    // row (its size still counted), so count what stays instead
    row.sizeInBytes = headHole ? await sizeFrom(tx, ranges, partition, target) : row.sizeInBytes - removed;
    row.logStartOffset = target;
    await tx.objectStore("partitions").put(row, partition);
  });
}

/** Deletes the oldest batch below `newStartOffset` alone, then moves the log start past it. False when there is none. */
async function dropOldestBatch(db: Db, ranges: KeyRanges, partition: string, newStartOffset: number): Promise<boolean> {
  const oldest = await inTransaction(db, ["partitions", "batches"], "readonly", async (tx) => {
    const row = await tx.objectStore("partitions").get(partition);
    if (!row) return null;
    const target = Math.min(newStartOffset, row.logEndOffset);
    const cursor = await tx
      .objectStore("batches")
      .index("meta")
      .openKeyCursor(ranges.partition(partition, -Infinity, target, true));
    return cursor ? { key: cursor.primaryKey, ...fromMetaKey(cursor.key) } : null;
  });
  if (!oldest) return false;
  await inTransaction(db, ["batches"], "readwrite", (tx) => tx.objectStore("batches").delete(oldest.key));
  await inTransaction(db, ["partitions", "batches"], "readwrite", async (tx) => {
    const row = await tx.objectStore("partitions").get(partition);
    if (!row || row.logStartOffset > oldest.lastOffset) return;
    const headHole = oldest.baseOffset > row.logStartOffset;
    row.logStartOffset = oldest.lastOffset + 1;
    row.sizeInBytes = headHole ? await sizeFrom(tx, ranges, partition, row.logStartOffset) : row.sizeInBytes - oldest.sizeInBytes;
    await tx.objectStore("partitions").put(row, partition);
  });
  return true;
}

/** The bytes of the partition's batches that end at or after `offset`. */
async function sizeFrom(
  tx: Tx<["partitions", "batches"], "readwrite">,
  ranges: KeyRanges,
  partition: string,
  offset: number,
): Promise<number> {
  let size = 0;
  let cursor = await tx.objectStore("batches").index("meta").openKeyCursor(ranges.partition(partition, offset));
  while (cursor) {
    size += fromMetaKey(cursor.key).sizeInBytes;
    cursor = await cursor.continue();
  }
  return size;
}
