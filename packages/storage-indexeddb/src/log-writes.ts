// The write side of a partition: append, the two truncations, compaction's replace, reset, drop. Each
// method is one read-write transaction over exactly the stores it changes, and keeps the partition
// row's size and offsets in step with the batches in that same transaction.

import { type AppendRequest, checkAppend, checkReset, type ProducerEntry, type ResetOptions, type StoredBatch } from "@rill/core";
import { truncateHead, watchingFullDisk } from "./head-truncation.ts";
import type { KeyRanges } from "./keys.ts";
import { emptyPartitionRow, fromMetaKey, toRow } from "./rows.ts";
import type { Db } from "./schema.ts";
import { collectWrites, inTransaction } from "./transaction.ts";

export interface LogWrites {
  append(partition: string, request: AppendRequest): Promise<void>;
  truncateHead(partition: string, newStartOffset: number): Promise<void>;
  truncateTail(partition: string, fromOffset: number, producers: ProducerEntry[]): Promise<void>;
  replace(partition: string, fromOffset: number, toOffset: number, batches: StoredBatch[]): Promise<void>;
  resetTo(partition: string, offset: number, options?: ResetOptions): Promise<void>;
  dropPartition(partition: string): Promise<void>;
}

export function createLogWrites(db: Db, ranges: KeyRanges): LogWrites {
  return {
    // a refusal for quota makes truncateHead careful (head-truncation.ts)
    append: (partition, request) =>
      watchingFullDisk(db, () =>
        inTransaction(db, ["partitions", "batches", "producers"], "readwrite", async (tx) => {
          const row = (await tx.objectStore("partitions").get(partition)) ?? emptyPartitionRow();
          // checked against the stored end, inside the transaction, so two writers cannot both pass;
          // throwing here aborts the transaction before anything is written
          const end = checkAppend(row.logEndOffset, request);
          const batches = tx.objectStore("batches");
          const producers = tx.objectStore("producers");
          const writes = collectWrites();
          for (const b of request.batches) {
            const stored = toRow(partition, b);
            row.sizeInBytes += stored.sizeInBytes;
            writes.add(batches.put(stored));
          }
          for (const id of request.expiredProducers ?? []) writes.add(producers.delete([partition, id]));
          for (const entry of request.producers) writes.add(producers.put(entry, [partition, entry.producerId]));
          row.logEndOffset = end;
          if (request.epochStart) row.epochs.push(request.epochStart);
          writes.add(tx.objectStore("partitions").put(row, partition));
          await writes.settle();
        }),
      ),

    // on a full disk, retention spends a reserve kept for it (head-truncation.ts)
    truncateHead: (partition, newStartOffset) => truncateHead(db, ranges, partition, newStartOffset),

    truncateTail: (partition, fromOffset, producerEntries) =>
      inTransaction(db, ["partitions", "batches", "producers"], "readwrite", async (tx) => {
        const row = await tx.objectStore("partitions").get(partition);
        if (!row || fromOffset >= row.logEndOffset) return;
        const producers = tx.objectStore("producers");
        await producers.delete(ranges.partition(partition));
        for (const entry of producerEntries) await producers.put(entry, [partition, entry.producerId]);
        // everything from the first batch starting at or after fromOffset goes, like the memory backend
        let firstCut: number | undefined;
        let removed = 0;
        let cursor = await tx.objectStore("batches").index("meta").openKeyCursor(ranges.partition(partition, fromOffset));
        while (cursor) {
          const meta = fromMetaKey(cursor.key);
          if (firstCut === undefined && meta.baseOffset >= fromOffset) firstCut = meta.lastOffset;
          if (firstCut !== undefined) removed += meta.sizeInBytes;
          cursor = await cursor.continue();
        }
        const writes = collectWrites();
        if (firstCut !== undefined) writes.add(tx.objectStore("batches").delete(ranges.partition(partition, firstCut)));
        row.sizeInBytes -= removed;
        row.logEndOffset = Math.max(fromOffset, row.logStartOffset);
        row.epochs = row.epochs.filter((e) => e.startOffset < fromOffset);
        writes.add(tx.objectStore("partitions").put(row, partition));
        await writes.settle();
      }),

    replace: (partition, fromOffset, toOffset, replacement) =>
      inTransaction(db, ["partitions", "batches"], "readwrite", async (tx) => {
        const row = (await tx.objectStore("partitions").get(partition)) ?? emptyPartitionRow();
        const batches = tx.objectStore("batches");
        const writes = collectWrites();
        // a batch lying inside [fromOffset, toOffset] ends inside it too; one straddling fromOffset stays
        let cursor = await batches.index("meta").openKeyCursor(ranges.partition(partition, fromOffset, toOffset));
        while (cursor) {
          const meta = fromMetaKey(cursor.key);
          if (meta.baseOffset >= fromOffset) {
            row.sizeInBytes -= meta.sizeInBytes;
            writes.add(batches.delete(cursor.primaryKey));
          }
          cursor = await cursor.continue();
        }
        // requests run in order, so a replacement ending where a removed batch ended lands after its delete
        for (const b of replacement) {
          const stored = toRow(partition, b);
          row.sizeInBytes += stored.sizeInBytes;
          writes.add(batches.put(stored));
        }
        // the log end stays: compaction never changes offsets, even when it empties the tail
        writes.add(tx.objectStore("partitions").put(row, partition));
        await writes.settle();
      }),

    resetTo: (partition, offset, options) =>
      inTransaction(db, ["partitions", "batches", "producers"], "readwrite", async (tx) => {
        const row = (await tx.objectStore("partitions").get(partition)) ?? emptyPartitionRow();
        checkReset(row.logEndOffset, offset, options);
        await Promise.all([
          tx.objectStore("batches").delete(ranges.partition(partition)),
          tx.objectStore("producers").delete(ranges.partition(partition)),
          tx.objectStore("partitions").put({ logStartOffset: offset, logEndOffset: offset, sizeInBytes: 0, epochs: [] }, partition),
        ]);
      }),

    dropPartition: (partition) =>
      inTransaction(db, ["partitions", "batches", "producers"], "readwrite", async (tx) => {
        await Promise.all([
          tx.objectStore("partitions").delete(partition),
          tx.objectStore("batches").delete(ranges.partition(partition)),
          tx.objectStore("producers").delete(ranges.partition(partition)),
        ]);
      }),
  };
}
