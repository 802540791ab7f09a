// Conversions between the seam's batches and stored rows.

import type { BatchMeta, StoredBatch } from "@rill/core";
import type { BatchMetaKey, BatchRow, PartitionRow } from "./schema.ts";

export function emptyPartitionRow(): PartitionRow {
  return { logStartOffset: 0, logEndOffset: 0, sizeInBytes: 0, epochs: [] };
}

/**
 * Structured clone copies a view's WHOLE underlying buffer, so a subarray of a large (or pooled)
 * buffer would store every byte of it; such views are cut to an exact-size copy first. The clone
 * made by `put` already keeps the stored bytes apart from the caller's.
 */
export function exactBytes(bytes: Uint8Array): Uint8Array {
  const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer;
  return whole ? bytes : bytes.slice();
}

export function toRow(partition: string, batch: StoredBatch): BatchRow {
  const bytes = exactBytes(batch.bytes);
  return {
    partition,
    baseOffset: batch.baseOffset,
    lastOffset: batch.lastOffset,
    timeIndex: batch.timeIndex,
    sizeInBytes: bytes.byteLength,
    bytes,
  };
}

/** Every read is a fresh structured clone, so the bytes are the caller's to mutate. */
export function fromRow(row: BatchRow): StoredBatch {
  return { baseOffset: row.baseOffset, lastOffset: row.lastOffset, timeIndex: row.timeIndex, bytes: row.bytes };
}

export function fromMetaKey(key: BatchMetaKey): BatchMeta {
  const [, lastOffset, baseOffset, timeIndex, sizeInBytes] = key;
  return { baseOffset, lastOffset, timeIndex, sizeInBytes };
}
