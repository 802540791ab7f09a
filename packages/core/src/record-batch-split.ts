// Packs records into as few batches as fit the size limit. A batch is the unit of storage (one row)
// and of atomicity on the wire, so a large JSON produce becomes several batches appended together.

import { encodeUtf8 } from "./bytes.ts";
import type { CompressionType } from "./compression.ts";
import { RillError } from "./errors.ts";
import type { RecordInput } from "./record.ts";
import { BATCH_HEADER_SIZE, type BatchHeader, encodeBatch, readBatchHeader } from "./record-batch.ts";

/** Per-record framing upper bound: length, attributes, timestamp and offset deltas, key/value/header counts. */
const RECORD_OVERHEAD = 40;

/** An upper bound on a record's encoded size. */
export function estimateRecordSize(record: RecordInput): number {
  let size = RECORD_OVERHEAD + (record.key?.length ?? 0) + (record.value?.length ?? 0);
  for (const h of record.headers ?? []) size += 10 + encodeUtf8(h.key).length + (h.value?.length ?? 0);
  return size;
}

export interface SplitOptions {
  maxBatchBytes: number;
  compression: CompressionType;
  now: number;
}

export function encodeRecordsInBatches(
  records: readonly RecordInput[],
  options: SplitOptions,
): Array<{ header: BatchHeader; bytes: Uint8Array }> {
  if (records.length === 0) throw new RillError("INVALID_RECORD", "no records to append");
  const groups: RecordInput[][] = [];
  let group: RecordInput[] = [];
  let size = BATCH_HEADER_SIZE;
  for (const record of records) {
    const recordSize = estimateRecordSize(record);
    if (BATCH_HEADER_SIZE + recordSize > options.maxBatchBytes) {
      throw new RillError(
        "MESSAGE_TOO_LARGE",
        `a record of about ${recordSize} bytes does not fit max.message.bytes ${options.maxBatchBytes}`,
      );
    }
    if (size + recordSize > options.maxBatchBytes && group.length > 0) {
      groups.push(group);
      group = [];
      size = BATCH_HEADER_SIZE;
    }
    group.push(record);
    size += recordSize;
  }
  groups.push(group);
  return groups.map((g) => {
    const bytes = encodeBatch(g, { compression: options.compression, now: options.now });
    return { header: readBatchHeader(bytes), bytes };
  });
}
