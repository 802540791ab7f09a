// The reserve: room kept back so that retention can run on a full disk.
//
// Browsers refuse, for quota, every transaction that writes anything, however small. truncateHead
// moves the partition row, so a full disk would refuse the very retention that could free it; only
// a transaction that deletes and writes nothing goes through. So the storage keeps a reserve, a
// document of random bytes written while there is room: when truncateHead is refused for quota,
// the reserve is deleted alone, the truncation runs again in the room that left, and the reserve is
// written back once it fits. It is over 64 KiB because Chromium keeps such values as files beside
// LevelDB and gives their space back as they are deleted; a smaller value's space returns only when
// LevelDB compacts, which the writes a full disk refuses are what trigger.

import { isRillError } from "@rill/core";
import type { Db } from "./schema.ts";
import { inTransaction } from "./transaction.ts";

const RESERVE_KEY: [string, string] = ["rill-storage", "reserve"];
/** Room for a few thousand partition rows and small documents (upload cursors) on a full disk. */
export const RESERVE_BYTES = 256 * 1024;

const isQuotaExceeded = (error: unknown) => isRillError(error, "KAFKA_STORAGE_ERROR") && error.details?.quotaExceeded === true;

/** Databases whose reserve was spent, or never fitted, and is to be written again. */
const withoutReserve = new WeakSet<Db>();

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
  } catch (error) {
    if (!isQuotaExceeded(error)) throw error;
    withoutReserve.add(db);
  }
}

/**
 * Runs `write` (a transaction that frees space: truncateHead); refused for quota, spends the
 * reserve and runs it once more. Afterwards writes the reserve back if it fits.
 */
export async function withReserve(db: Db, write: () => Promise<void>): Promise<void> {
  try {
    await write();
  } catch (error) {
    if (!isQuotaExceeded(error) || !(await spendReserve(db))) throw error;
    await write();
  }
  if (withoutReserve.has(db)) await keepReserve(db);
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
