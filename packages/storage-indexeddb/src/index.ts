// @rill/storage-indexeddb: the browser backend of the storage seam, on IndexedDB through idb.

import type { Storage } from "@rill/core";
import { closeConnection, type IndexedDbCloseEvent, openRillDb } from "./connection.ts";
import { createDocumentStore } from "./documents.ts";
import { keepReserve } from "./head-truncation.ts";
import { createKeyRanges } from "./keys.ts";
import { createLogReads } from "./log-reads.ts";
import { createLogWrites } from "./log-writes.ts";
import { createOffsetStore } from "./offsets.ts";

export type { CloseReason, IndexedDbCloseEvent } from "./connection.ts";
export { DEFAULT_UPGRADE_BLOCKED_TIMEOUT_MS } from "./connection.ts";

export interface IndexedDbStorageOptions {
  /** The database name; one database holds any number of partitions, groups and documents. */
  dbName: string;
  /**
   * The IndexedDB factory, by default the global `indexedDB`. idb checks values against the global
   * IDB* classes, so the factory must come from the same implementation as those globals (in Node,
   * `fake-indexeddb/auto` installs both).
   */
  indexedDB?: IDBFactory;
  /**
   * How long opening may wait on a schema upgrade that older connections (other tabs, perhaps
   * frozen) block, before it fails with RillError STORAGE_UPGRADE_BLOCKED `{ upgradeBlocked: true }`.
   * Default 5000 ms.
   */
  upgradeBlockedTimeoutMs?: number;
  /**
   * Called once if the connection closes without close() being called: another tab asked for a
   * newer schema (`versionchange`; this connection gives way at once) or the browser closed it
   * (`forced`). Every later call fails with RillError STORAGE_CLOSED (details.versionChange for the
   * first); a host reports it and reopens, usually by reloading.
   */
  onClose?: (event: IndexedDbCloseEvent) => void;
}

/**
 * Opens (creating if needed) an IndexedDB-backed storage. Each method is one IndexedDB transaction
 * (read-write ones with durability "strict"). A full disk fails a write with RillError
 * KAFKA_STORAGE_ERROR `{ quotaExceeded: true }`, with nothing of it stored.
 */
export async function createIndexedDbStorage(options: IndexedDbStorageOptions): Promise<Storage> {
  const factory = options.indexedDB ?? globalThis.indexedDB;
  if (!factory) throw new TypeError("no IndexedDB factory: pass `indexedDB` or run where the global exists");
  const ranges = createKeyRanges();
  const db = await openRillDb(factory, options.dbName, {
    upgradeBlockedTimeoutMs: options.upgradeBlockedTimeoutMs,
    onClose: options.onClose,
  });
  // room kept back, while there is some, so that retention can still run once the disk is full
  await keepReserve(db);
  return {
    ...createLogReads(db, ranges),
    ...createLogWrites(db, ranges),
    ...createOffsetStore(db, ranges),
    ...createDocumentStore(db, ranges),
    async close() {
      // idb's close lets transactions already running finish; the data stays
      closeConnection(db);
    },
  };
}
