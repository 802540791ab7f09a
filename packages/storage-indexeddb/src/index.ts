// @rill/storage-indexeddb: the browser backend of the storage seam, on IndexedDB through idb.

import type { Storage } from "@rill/core";
import { createDocumentStore } from "./documents.ts";
import { createKeyRanges } from "./keys.ts";
import { createLogReads } from "./log-reads.ts";
import { createLogWrites } from "./log-writes.ts";
import { createOffsetStore } from "./offsets.ts";
import { openRillDb } from "./schema.ts";

export interface IndexedDbStorageOptions {
  /** The database name; one database holds any number of partitions, groups and documents. */
  dbName: string;
  /**
   * The IndexedDB factory, by default the global `indexedDB`. idb checks values against the global
   * IDB* classes, so the factory must come from the same implementation as those globals (in Node,
   * `fake-indexeddb/auto` installs both).
   */
  indexedDB?: IDBFactory;
}

/** Opens (creating if needed) an IndexedDB-backed storage. Each method is one IndexedDB transaction. */
export async function createIndexedDbStorage(options: IndexedDbStorageOptions): Promise<Storage> {
  const factory = options.indexedDB ?? globalThis.indexedDB;
  if (!factory) throw new TypeError("no IndexedDB factory: pass `indexedDB` or run where the global exists");
  const ranges = createKeyRanges();
  const db = await openRillDb(factory, options.dbName);
  return {
    ...createLogReads(db, ranges),
    ...createLogWrites(db, ranges),
    ...createOffsetStore(db, ranges),
    ...createDocumentStore(db, ranges),
    async close() {
      // idb's close lets transactions already running finish; the data stays
      db.close();
    },
  };
}
