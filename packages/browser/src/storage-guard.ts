// Watches the host's storage: failures of the storage itself (KAFKA_STORAGE_ERROR such as
// {quotaExceeded: true}, STORAGE_CLOSED, STORAGE_UPGRADE_BLOCKED) are reported for the status, and
// an append that succeeds clears a "storage full" state. The IndexedDB backend types its errors
// itself; a DOMException that still reaches this far (another backend) gets the same codes.

import { isRillError, RillError, type Storage, toRillError } from "@rill/core";

export interface StorageWatch {
  onError(error: RillError): void;
  onWrite(): void;
}

// an append that fits again is what ends "storage full"; a tiny offset commit may fit where batches do not
const WRITES = new Set(["append"]);

const STORAGE_CODES = new Set<string>(["KAFKA_STORAGE_ERROR", "STORAGE_CLOSED", "STORAGE_UPGRADE_BLOCKED"]);

function causeNamed(error: unknown, name: string): boolean {
  for (let e = error, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    if ((e as { name?: unknown }).name === name) return true;
  }
  return false;
}

/** The typed form of a storage failure. */
export function storageError(error: unknown): RillError {
  if (isRillError(error)) return error;
  if (causeNamed(error, "QuotaExceededError")) {
    return new RillError("KAFKA_STORAGE_ERROR", "the browser's storage quota is exhausted; nothing of this write was stored", {
      quotaExceeded: true,
    });
  }
  if (causeNamed(error, "InvalidStateError")) {
    return new RillError("STORAGE_CLOSED", "the IndexedDB connection is closed", { reason: "closed" });
  }
  return toRillError(error);
}

/** The same storage, with its failures typed and reported and its successful writes signalled. */
export function watchStorage(storage: Storage, watch: StorageWatch): Storage {
  const watched = {} as Record<string, unknown>;
  for (const [key, value] of Object.entries(storage)) {
    if (typeof value !== "function") continue;
    watched[key] = async (...args: unknown[]) => {
      try {
        const result = await (value as (...a: unknown[]) => Promise<unknown>).apply(storage, args);
        if (WRITES.has(key)) watch.onWrite();
        return result;
      } catch (error) {
        const typed = storageError(error);
        if (STORAGE_CODES.has(typed.code)) watch.onError(typed);
        throw typed;
      }
    };
  }
  return watched as unknown as Storage;
}

/** The storage without its close: brokers that come and go over one connection share it. */
export function keepOpen(storage: Storage): Storage {
  return { ...storage, close: async () => undefined };
}
