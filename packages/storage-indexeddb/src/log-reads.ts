// The read side of a partition: state, batches by offset, metadata, lookup by time. Each method is
// one read-only transaction, so it sees one consistent version of the partition.

import { type BatchMeta, emptyPartitionState, type PartitionState, type StoredBatch } from "@rill/core";
import type { KeyRanges } from "./keys.ts";
import { fromMetaKey, fromRow } from "./rows.ts";
import type { Db } from "./schema.ts";
import { inTransaction } from "./transaction.ts";

export interface LogReads {
  loadPartition(partition: string): Promise<PartitionState>;
  read(partition: string, fromOffset: number, maxBytes: number): Promise<StoredBatch[]>;
  scan(partition: string, fromOffset: number, limit: number): Promise<BatchMeta[]>;
  findByTime(partition: string, timestamp: number): Promise<StoredBatch | null>;
}

export function createLogReads(db: Db, ranges: KeyRanges): LogReads {
  return {
    loadPartition: (partition) =>
      inTransaction(db, ["partitions", "batches", "producers"], "readonly", async (tx) => {
        const [row, producers, last] = await Promise.all([
          tx.objectStore("partitions").get(partition),
          tx.objectStore("producers").getAll(ranges.partition(partition)),
          // the newest batch's time index, read from the index key alone so no batch bytes load
          tx.objectStore("batches").index("meta").openKeyCursor(ranges.partition(partition), "prev"),
        ]);
        if (!row) return emptyPartitionState();
        return {
          logStartOffset: row.logStartOffset,
          logEndOffset: row.logEndOffset,
          sizeInBytes: row.sizeInBytes,
          timeIndex: last ? fromMetaKey(last.key).timeIndex : -1,
          producers,
          epochs: row.epochs,
        };
      }),

    read: (partition, fromOffset, maxBytes) =>
      inTransaction(db, ["batches"], "readonly", async (tx) => {
        // batches are keyed by [partition, lastOffset]: the batch holding fromOffset comes first
        let cursor = await tx.objectStore("batches").openCursor(ranges.partition(partition, fromOffset));
        const out: StoredBatch[] = [];
        let size = 0;
        while (cursor) {
          out.push(fromRow(cursor.value));
          size += cursor.value.sizeInBytes;
          if (size >= maxBytes) break; // stop before the cursor loads one more batch
          cursor = await cursor.continue();
        }
        return out;
      }),

    scan: (partition, fromOffset, limit) =>
      inTransaction(db, ["batches"], "readonly", async (tx) => {
        const out: BatchMeta[] = [];
        if (limit <= 0) return out;
        let cursor = await tx.objectStore("batches").index("meta").openKeyCursor(ranges.partition(partition, fromOffset));
        while (cursor) {
          out.push(fromMetaKey(cursor.key));
          if (out.length >= limit) break;
          cursor = await cursor.continue();
        }
        return out;
      }),

    findByTime: (partition, timestamp) =>
      inTransaction(db, ["batches"], "readonly", async (tx) => {
        // time indexes run monotonically with offsets, and ties sort by primary key (offset order)
        const row = await tx.objectStore("batches").index("time").get(ranges.partition(partition, timestamp));
        return row ? fromRow(row) : null;
      }),
  };
}
