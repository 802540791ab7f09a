// IndexedDB's failures as RillErrors. What a caller can act on gets its own shape: a full disk
// (quota) and a closed connection; other browser-side I/O failures are KAFKA_STORAGE_ERROR, as in
// Kafka. Errors that are not IndexedDB's (a RillError thrown by a method's own check) pass as they are.

import { RillError } from "@rill/core";
import { type CloseReason, closeReasonOf, storageClosedError } from "./connection.ts";
import type { Db } from "./schema.ts";

const nameOf = (error: unknown): string | undefined =>
  typeof error === "object" && error !== null && typeof (error as { name?: unknown }).name === "string"
    ? (error as { name: string }).name
    : undefined;

/** Chromium and Safari say QuotaExceededError; older Firefox said NS_ERROR_DOM_QUOTA_REACHED. */
const isQuota = (error: unknown) => {
  const name = nameOf(error);
  return name === "QuotaExceededError" || name === "NS_ERROR_DOM_QUOTA_REACHED";
};

/** Names IndexedDB uses for failures of the store itself rather than of the request. */
const STORE_FAILURES = new Set(["UnknownError", "AbortError", "TimeoutError", "NotReadableError"]);
const CLOSED_CONNECTION = new Set(["InvalidStateError", "TransactionInactiveError", "AbortError"]);

/**
 * Maps what a transaction threw. `txError` is the transaction's own error: when the commit fails
 * for quota, the request that surfaced first may only say AbortError.
 */
export function toStorageError(error: unknown, db: Db, txError?: unknown): unknown {
  if (error instanceof RillError) return error;
  if (isQuota(error) || isQuota(txError)) {
    const message = (isQuota(error) ? error : txError) as { message?: string };
    return new RillError("KAFKA_STORAGE_ERROR", `IndexedDB quota exceeded; nothing of this write was stored (${message.message ?? ""})`, {
      quotaExceeded: true,
    });
  }
  const name = nameOf(error);
  const closed: CloseReason | undefined = closeReasonOf(db);
  if (name !== undefined && CLOSED_CONNECTION.has(name) && closed) return storageClosedError(closed);
  if (name !== undefined && STORE_FAILURES.has(name)) {
    return new RillError("KAFKA_STORAGE_ERROR", `IndexedDB failed: ${name} ${(error as Error).message ?? ""}`, { domException: name });
  }
  return error;
}
