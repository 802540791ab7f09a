// Checking and decoding record batches. Input is untrusted: counts are weighed against the bytes
// that remain before anything is allocated, every length is bounds-checked, and a batch is either
// read whole or refused with CORRUPT_MESSAGE.

import { ByteReader, decodeUtf8 } from "./bytes.ts";
import { decompress } from "./compression.ts";
import { RillError } from "./errors.ts";
import type { LogRecord, RecordHeader } from "./record.ts";
import {
  BATCH_HEADER_SIZE,
  type BatchHeader,
  batchCompression,
  batchCrcMatches,
  batchTimestampType,
  readBatchHeader,
} from "./record-batch.ts";

/** The smallest possible encoded record: 7 one-byte fields. */
const MIN_RECORD_SIZE = 7;
/** Upper bound on a decompressed records section, whatever the caller allows. */
export const MAX_DECOMPRESSED_BYTES = 64 * 1024 * 1024;

export interface VerifyOptions {
  /** Require offset deltas 0..n-1, as a producer must send them (compacted batches have gaps). */
  requireDenseOffsets?: boolean;
  /** Largest decompressed records section accepted. */
  maxDecompressedBytes?: number;
  /** Refuse records without a key (compacted topics), with INVALID_RECORD. */
  requireKeys?: boolean;
}

/** Checks CRC, counts and every record's framing. Returns the header; throws CORRUPT_MESSAGE. */
export function verifyBatch(batch: Uint8Array, options: VerifyOptions = {}): BatchHeader {
  const header = readBatchHeader(batch);
  if (header.sizeInBytes !== batch.length) {
    throw new RillError("CORRUPT_MESSAGE", `corrupt record batch: length field says ${header.sizeInBytes} bytes, got ${batch.length}`);
  }
  if (!batchCrcMatches(batch, header)) throw new RillError("CORRUPT_MESSAGE", "corrupt record batch: CRC-32C mismatch");
  if (header.recordCount < 1 || header.lastOffsetDelta < header.recordCount - 1) {
    throw new RillError(
      "CORRUPT_MESSAGE",
      `corrupt record batch: ${header.recordCount} records with lastOffsetDelta ${header.lastOffsetDelta}`,
    );
  }
  if (options.requireDenseOffsets && header.lastOffsetDelta !== header.recordCount - 1) {
    throw new RillError("CORRUPT_MESSAGE", "corrupt record batch: offset deltas must run 0..n-1");
  }
  walkRecords(batch, header, options, options.requireKeys === true);
  return header;
}

/** Decodes every record of one batch, with absolute offsets and timestamps. */
export function decodeBatch(batch: Uint8Array, options: VerifyOptions = {}): { header: BatchHeader; records: LogRecord[] } {
  const header = readBatchHeader(batch);
  const records: LogRecord[] = [];
  walkRecords(batch, header, options, false, (r) => records.push(r));
  return { header, records };
}

/** Decodes every record of the batches in `buffers`; each buffer may hold several batches back to back. */
export function decodeBatches(buffers: readonly Uint8Array[], options: VerifyOptions = {}): LogRecord[] {
  const out: LogRecord[] = [];
  for (const buffer of buffers) {
    for (let at = 0; at < buffer.length; ) {
      const header = readBatchHeader(buffer, at);
      walkRecords(buffer.subarray(at, at + header.sizeInBytes), header, options, false, (r) => out.push(r));
      at += header.sizeInBytes;
    }
  }
  return out;
}

function recordsSection(batch: Uint8Array, header: BatchHeader, options: VerifyOptions): ByteReader {
  const end = header.sizeInBytes;
  const compression = batchCompression(header);
  if (compression === "none") return new ByteReader(batch, BATCH_HEADER_SIZE, end);
  const limit = Math.min(options.maxDecompressedBytes ?? MAX_DECOMPRESSED_BYTES, MAX_DECOMPRESSED_BYTES);
  const plain = decompress(compression, batch.subarray(BATCH_HEADER_SIZE, end), limit);
  return new ByteReader(plain);
}

/** A stand-in for a present key or value when only checking: no view is made per record. */
const PRESENT = new Uint8Array(0);

/**
 * Checks every record's framing; with `emit`, also decodes each one. Without it (verifyBatch, once
 * per append) nothing is allocated per record, which matters at 1000 records a batch.
 */
function walkRecords(
  batch: Uint8Array,
  header: BatchHeader,
  options: VerifyOptions,
  requireKeys: boolean,
  emit?: (r: LogRecord) => void,
): void {
  const r = recordsSection(batch, header, options);
  if (header.recordCount < 0 || header.recordCount * MIN_RECORD_SIZE > r.remaining) {
    throw new RillError("CORRUPT_MESSAGE", `corrupt record batch: ${header.recordCount} records cannot fit ${r.remaining} bytes`);
  }
  const logAppendTime = batchTimestampType(header) === "LogAppendTime";
  let previousDelta = -1;
  for (let i = 0; i < header.recordCount; i++) {
    const length = r.varint();
    if (length < MIN_RECORD_SIZE - 1 || length > r.remaining) {
      throw new RillError("CORRUPT_MESSAGE", `corrupt record batch: record ${i} claims ${length} bytes`);
    }
    const end = r.offset + length;
    r.int8(); // record attributes, unused in v2
    const tsDelta = r.varint();
    const offsetDelta = r.varint();
    if (offsetDelta <= previousDelta || offsetDelta > header.lastOffsetDelta) {
      throw new RillError("CORRUPT_MESSAGE", `corrupt record batch: record ${i} has offset delta ${offsetDelta}`);
    }
    if (options.requireDenseOffsets && offsetDelta !== i) {
      throw new RillError("CORRUPT_MESSAGE", "corrupt record batch: offset deltas must run 0..n-1");
    }
    previousDelta = offsetDelta;
    const key = emit ? nullableBytes(r, "key") : skipBytes(r, "key");
    const value = emit ? nullableBytes(r, "value") : skipBytes(r, "value");
    const headerCount = r.varint();
    if (headerCount < 0 || headerCount * 2 > end - r.offset) {
      throw new RillError("CORRUPT_MESSAGE", `corrupt record batch: record ${i} claims ${headerCount} headers`);
    }
    const headers: RecordHeader[] = [];
    for (let h = 0; h < headerCount; h++) {
      const hk = nullableBytes(r, "header key");
      if (hk === null) throw new RillError("CORRUPT_MESSAGE", "corrupt record batch: null header key");
      const hkText = decodeUtf8(hk); // checked when only verifying too: a header key must be UTF-8
      const hv = emit ? nullableBytes(r, "header value") : skipBytes(r, "header value");
      if (emit) headers.push({ key: hkText, value: hv });
    }
    if (r.offset !== end) {
      throw new RillError("CORRUPT_MESSAGE", `corrupt record batch: record ${i} length ${length} does not match its fields`);
    }
    if (requireKeys && key === null) {
      throw new RillError(
        "INVALID_RECORD",
        `record at offset delta ${offsetDelta} has no key, which this topic requires (compacted, or rill.key.required)`,
      );
    }
    emit?.({
      offset: header.baseOffset + offsetDelta,
      timestamp: logAppendTime ? header.maxTimestamp : header.baseTimestamp + tsDelta,
      key,
      value,
      headers,
    });
  }
  if (r.remaining !== 0) throw new RillError("CORRUPT_MESSAGE", `corrupt record batch: ${r.remaining} bytes after the last record`);
}

/** Steps over a nullable bytes field with nullableBytes' checks; PRESENT stands for its bytes. */
function skipBytes(r: ByteReader, what: string): Uint8Array | null {
  const length = r.varint();
  if (length === -1) return null;
  if (length < -1) throw new RillError("CORRUPT_MESSAGE", `corrupt record batch: ${what} length ${length}`);
  r.need(length, what);
  r.offset += length;
  return PRESENT;
}

function nullableBytes(r: ByteReader, what: string): Uint8Array | null {
  const length = r.varint();
  if (length === -1) return null;
  if (length < -1) throw new RillError("CORRUPT_MESSAGE", `corrupt record batch: ${what} length ${length}`);
  return r.bytesView(length, what);
}
