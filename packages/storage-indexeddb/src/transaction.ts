// Runs one storage method as one IndexedDB transaction. A transaction auto-commits as soon as the
// event loop turns over with no request of its own pending, so bodies await only their own
// transaction's requests; anything else would commit half a method.

import type { IDBPTransaction, StoreNames } from "idb";
import { closeReasonOf, storageClosedError } from "./connection.ts";
import { toStorageError } from "./errors.ts";
import type { Db, RillDb } from "./schema.ts";

type Names = StoreNames<RillDb>[];

/** A transaction over exactly the stores a method names. */
export type Tx<S extends Names, M extends IDBTransactionMode> = IDBPTransaction<RillDb, S, M>;

/**
 * Opens a transaction over `stores`, runs `body`, and resolves once the transaction has committed,
 * so a write is on disk before the caller hears of it. If `body` throws or the commit fails, the
 * transaction is aborted, nothing it wrote stays, and IndexedDB's failures arrive as RillErrors
 * (quota: KAFKA_STORAGE_ERROR with quotaExceeded; a closed connection: STORAGE_CLOSED).
 */
export async function inTransaction<S extends Names, M extends IDBTransactionMode, T>(
  db: Db,
  stores: S,
  mode: M,
  body: (tx: Tx<S, M>) => Promise<T>,
): Promise<T> {
  const closed = closeReasonOf(db);
  if (closed) throw storageClosedError(closed);
  let tx: Tx<S, M>;
  try {
    // Chromium's default ("relaxed") acknowledges before the OS flush; an acknowledged append must be durable.
    tx = db.transaction(stores, mode, mode === "readwrite" ? { durability: "strict" } : {});
  } catch (error) {
    // a closed connection refuses new transactions; the close may not have been announced yet
    if ((error as { name?: unknown })?.name === "InvalidStateError") throw storageClosedError(closeReasonOf(db) ?? "forced");
    throw toStorageError(error, db);
  }
  try {
    const result = await body(tx);
    await tx.done;
    return result;
  } catch (error) {
    try {
      tx.abort();
    } catch {
      // already finished (it failed on its own): there is nothing left to undo
    }
    // the abort makes `done` reject too; that rejection is this same failure
    await tx.done.catch(() => undefined);
    throw toStorageError(error, db, tx.error);
  }
}

/**
 * Collects a method's write requests and awaits them together, so a failing one fails the method
 * (aborting its transaction) instead of surfacing as an unhandled rejection while a cursor still runs.
 */
export function collectWrites(): { add(request: Promise<unknown>): void; settle(): Promise<void> } {
  const pending: Array<Promise<unknown>> = [];
  return {
    add(request) {
      request.catch(() => undefined);
      pending.push(request);
    },
    async settle() {
      await Promise.all(pending);
    },
  };
}
