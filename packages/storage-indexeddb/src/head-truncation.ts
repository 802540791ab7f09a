// truncateHead (retention's deletes), and the reserve that lets it run on a full disk.
//
// Browsers refuse, for quota, every transaction that writes anything, however small, and let
// through one that deletes and writes nothing. truncateHead moves the partition row, so a full
// disk would refuse the very retention that could free it. The storage therefore keeps a reserve,
// a document of random bytes written while there is room, and deletes it alone when a truncation
// is refused, to run in the room that leaves; if that is not room enough (the disk can end up
// further past the quota than the reserve is large), batches the truncation deletes anyway go
// first, each alone, and the truncation then moves the log start past them. From a refusal (of
// an append or a truncation) until the disk has room again (the reserve written back, or an append
// that fits with it in place), truncations go in steps of at most STEP_BYTES, each still atomic:
// Chromium's LevelDB backend first copies what a transaction deletes into an undo log, and one
// transaction deleting tens of MB on a nearly full disk fills it, after which Chromium deletes the
// database as corrupt. The reserve, and the batches deleted alone, are over 64 KiB because
// Chromium keeps such values as files beside LevelDB and frees them as they are deleted; a smaller
// value's space comes back only when LevelDB compacts.

import { isRillError } from "@rill/core";
import type { KeyRanges } from "./keys.ts";
import { fromMetaKey } from "./rows.ts";
import type { Db } from "./schema.ts";
import { inTransaction, type Tx } from "./transaction.ts";

const RESERVE_KEY: [string, string] = ["rill-storage", "reserve"];
/** Room for a few thousand partition rows and small documents (upload cursors) on a full disk. */
export const RESERVE_BYTES = 256 * 1024;
/** Values over this Chromium keeps as files beside LevelDB, freed as they are deleted. */
const FILE_BYTES = 64 * 1024;

const isQuotaExceeded = (error: unknown) => isRillError(error, "KAFKA_STORAGE_ERROR") && error.details?.quotaExceeded === true;

/** What one truncation transaction deletes at most while the disk is full (at least one batch). */
const STEP_BYTES = 1024 * 1024;

/** Databases whose reserve was spent, or never fitted, and is to be written again. */
const withoutReserve = new WeakSet<Db>();
/** Databases that met a full disk since (their reserve in place) an append or the reserve last fitted. */
const fullDisks = new WeakSet<Db>();

/** Runs an append: one refused for quota makes truncations careful until an append fits with the reserve in place. */
export async function watchingFullDisk<T>(db: Db, append: () => Promise<T>): Promise<T> {
  try {
    const result = await append();
    // room again, and the reserve still there to spend if a truncation needs it
    if (!withoutReserve.has(db)) fullDisks.delete(db);
    return result;
  } catch (error) {
    if (isQuotaExceeded(error)) fullDisks.add(db);
    throw error;
  }
}

/** Writes the reserve if it is not there; a disk with no room for it is left as it is. */
export async function keepReserve(db: Db): Promise<void> {
  const random = new Uint8Array(RESERVE_BYTES);
  for (let at = 0; at < RESERVE_BYTES; at += 65_536) crypto.getRandomValues(random.subarray(at, at + 65_536));
  try {
    await inTransaction(db, ["documents"], "readwrite", async (tx) => {
      const documents = tx.objectStore("documents");
      if ((await documents.getKey(RESERVE_KEY)) === undefined) await documents.put({ version: 1, value: random }, RESERVE_KEY);
    });
    withoutReserve.delete(db);
    fullDisks.delete(db);
  } catch (error) {
    if (!isQuotaExceeded(error)) throw error;
    withoutReserve.add(db);
    fullDisks.add(db);
  }
}

/** Moves the log start of `partition` up to `newStartOffset` (at most its log end), deleting the batches wholly below it. */
export async function truncateHead(db: Db, ranges: KeyRanges, partition: string, newStartOffset: number): Promise<void> {
  if (!fullDisks.has(db)) {
    try {
      return await truncateTo(db, ranges, partition, newStartOffset);
    } catch (error) {
      if (!isQuotaExceeded(error)) throw error;
      fullDisks.add(db);
    }
  }
  for (;;) {
    const step = await nextStep(db, ranges, partition, newStartOffset);
    // refused: room first, from the reserve, then (when the disk is fuller than the reserve is
    // large) from the step's own batches that are files, each deleted alone; the step then moves
    // the log start past them
    let reserveTried = false;
    for (;;) {
      try {
        await truncateTo(db, ranges, partition, step);
        break;
      } catch (error) {
        if (!isQuotaExceeded(error)) throw error;
        const room = (!reserveTried && (await spendReserve(db))) || (await dropFileBatch(db, ranges, partition, step));
        reserveTried = true;
        if (!room) throw error;
      }
    }
    if (step >= newStartOffset) break;
  }
  if (withoutReserve.has(db)) await keepReserve(db);
}

/** One transaction: deletes the batches wholly below `target` and moves the log start there. */
function truncateTo(db: Db, ranges: KeyRanges, partition: string, newStartOffset: number): Promise<void> {
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
    // a hole before the first batch may be a batch deleted alone while this row could not be
    // written (its size still counted here): then count what stays instead
    row.sizeInBytes = headHole ? await sizeFrom(tx, ranges, partition, target) : row.sizeInBytes - removed;
    row.logStartOffset = target;
    await tx.objectStore("partitions").put(row, partition);
  });
}

/** Where a truncation step stops: past the first batches of the log that make up to STEP_BYTES (one at least), or at `newStartOffset`. */
function nextStep(db: Db, ranges: KeyRanges, partition: string, newStartOffset: number): Promise<number> {
  return inTransaction(db, ["partitions", "batches"], "readonly", async (tx) => {
    const start = (await tx.objectStore("partitions").get(partition))?.logStartOffset ?? 0;
    let step = start;
    let bytes = 0;
    let cursor = await tx.objectStore("batches").index("meta").openKeyCursor(ranges.partition(partition, start));
    while (cursor && step < newStartOffset) {
      const meta = fromMetaKey(cursor.key);
      if (bytes > 0 && bytes + meta.sizeInBytes > STEP_BYTES) break;
      bytes += meta.sizeInBytes;
      step = meta.lastOffset + 1;
      cursor = await cursor.continue();
    }
    // no batch below newStartOffset (a log start inside an empty stretch): one step does
    return bytes === 0 ? newStartOffset : Math.min(newStartOffset, step);
  });
}

/** Deletes the oldest batch below `step` that is kept as a file (over 64 KiB), alone in its transaction; false if there is none. */
async function dropFileBatch(db: Db, ranges: KeyRanges, partition: string, step: number): Promise<boolean> {
  const key = await inTransaction(db, ["batches"], "readonly", async (tx) => {
    let cursor = await tx
      .objectStore("batches")
      .index("meta")
      .openKeyCursor(ranges.partition(partition, -Infinity, step, true));
    while (cursor && fromMetaKey(cursor.key).sizeInBytes <= FILE_BYTES) cursor = await cursor.continue();
    return cursor?.primaryKey;
  });
  if (key === undefined) return false;
  await inTransaction(db, ["batches"], "readwrite", (tx) => tx.objectStore("batches").delete(key));
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

/** Deletes the reserve in a transaction that writes nothing else; false if there was none. */
async function spendReserve(db: Db): Promise<boolean> {
  withoutReserve.add(db);
  return inTransaction(db, ["documents"], "readwrite", async (tx) => {
    const documents = tx.objectStore("documents");
    if ((await documents.getKey(RESERVE_KEY)) === undefined) return false;
    await documents.delete(RESERVE_KEY);
    return true;
  });
}
