// The database layout. Bump SCHEMA_VERSION and extend `upgradeSchema` (never rewrite it) when the
// layout changes, so existing browser databases migrate. Opening lives in connection.ts.

import type { CommittedOffset, EpochStart, ProducerEntry, StoredDocument } from "@rill/core";
import type { DBSchema, IDBPDatabase } from "idb";

export const SCHEMA_VERSION = 1;

/** The per-partition row. The log end lives here, not in the last batch: compaction may remove that batch. */
export interface PartitionRow {
  logStartOffset: number;
  logEndOffset: number;
  sizeInBytes: number;
  epochs: EpochStart[];
}

/** One stored batch. The partition name is inside the row because index key paths can only read the value. */
export interface BatchRow {
  partition: string;
  baseOffset: number;
  lastOffset: number;
  timeIndex: number;
  sizeInBytes: number;
  bytes: Uint8Array;
}

/** Key of the `meta` index: everything `scan` and the truncations need, so they never load batch bytes. */
export type BatchMetaKey = [partition: string, lastOffset: number, baseOffset: number, timeIndex: number, sizeInBytes: number];

export interface RillDb extends DBSchema {
  partitions: { key: string; value: PartitionRow };
  batches: {
    key: [string, number];
    value: BatchRow;
    indexes: { meta: BatchMetaKey; time: [string, number] };
  };
  producers: { key: [string, number]; value: ProducerEntry };
  offsets: { key: [string, string, number]; value: CommittedOffset };
  documents: { key: [string, string]; value: StoredDocument };
}

export type Db = IDBPDatabase<RillDb>;

/** Brings a database from `oldVersion` to SCHEMA_VERSION, inside the upgrade transaction. */
export function upgradeSchema(db: IDBDatabase, oldVersion: number): void {
  if (oldVersion < 1) createVersion1(db);
}

function createVersion1(db: IDBDatabase): void {
  db.createObjectStore("partitions");
  const batches = db.createObjectStore("batches", { keyPath: ["partition", "lastOffset"] });
  batches.createIndex("meta", ["partition", "lastOffset", "baseOffset", "timeIndex", "sizeInBytes"]);
  batches.createIndex("time", ["partition", "timeIndex"]);
  db.createObjectStore("producers");
  db.createObjectStore("offsets");
  db.createObjectStore("documents");
}
