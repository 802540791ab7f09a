// Record batch v2, laid out byte for byte like Kafka's (KIP-98):
//
//   0 baseOffset int64        | 21 attributes int16       | 43 producerId int64
//   8 batchLength int32       | 23 lastOffsetDelta int32  | 51 producerEpoch int16
//  12 partitionLeaderEpoch i32| 27 baseTimestamp int64    | 53 baseSequence int32
//  16 magic int8 (=2)         | 35 maxTimestamp int64     | 57 recordCount int32
//  17 crc uint32 (CRC-32C of bytes 21..end)                | 61 records...
//
// baseOffset and partitionLeaderEpoch sit outside the CRC, so the broker can stamp them on the
// client's bytes in place without re-checksumming: the batch travels client -> log untouched.

import { ByteReader, encodeUtf8, readInt64, varintSize, writeInt64 } from "./bytes.ts";
import { type CompressionType, compress, compressionCodeOf, compressionTypeOf } from "./compression.ts";
import { crc32c } from "./crc32c.ts";
import { RillError } from "./errors.ts";
import type { RecordHeader, RecordInput, TimestampType } from "./record.ts";

export const BATCH_HEADER_SIZE = 61;
/** Bytes before batchLength's count starts (baseOffset + batchLength). */
export const LOG_OVERHEAD = 12;
export const MAGIC = 2;
export const CRC_START = 21;

const ATTR_COMPRESSION_MASK = 0x07;
const ATTR_LOG_APPEND_TIME = 0x08;
const ATTR_TRANSACTIONAL = 0x10;
const ATTR_CONTROL = 0x20;

export interface BatchHeader {
  baseOffset: number;
  /** Total size of this batch in bytes, header included. */
  sizeInBytes: number;
  partitionLeaderEpoch: number;
  magic: number;
  crc: number;
  attributes: number;
  lastOffsetDelta: number;
  baseTimestamp: number;
  maxTimestamp: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  recordCount: number;
}

export function batchCompression(h: BatchHeader): CompressionType {
  return compressionTypeOf(h.attributes & ATTR_COMPRESSION_MASK);
}

export function batchTimestampType(h: BatchHeader): TimestampType {
  return h.attributes & ATTR_LOG_APPEND_TIME ? "LogAppendTime" : "CreateTime";
}

export function isTransactionalBatch(h: BatchHeader): boolean {
  return (h.attributes & ATTR_TRANSACTIONAL) !== 0;
}

export function isControlBatch(h: BatchHeader): boolean {
  return (h.attributes & ATTR_CONTROL) !== 0;
}

export function lastOffsetOf(h: BatchHeader): number {
  return h.baseOffset + h.lastOffsetDelta;
}

/** Reads the fixed header at `at` without checking the CRC. */
export function readBatchHeader(bytes: Uint8Array, at = 0): BatchHeader {
  if (bytes.length - at < BATCH_HEADER_SIZE) {
    throw new RillError("CORRUPT_MESSAGE", `corrupt record batch: ${bytes.length - at} bytes is shorter than a batch header`);
  }
  const r = new ByteReader(bytes, at);
  const baseOffset = r.int64();
  const batchLength = r.int32();
  const h: BatchHeader = {
    baseOffset,
    sizeInBytes: batchLength + LOG_OVERHEAD,
    partitionLeaderEpoch: r.int32(),
    magic: r.int8(),
    crc: r.uint32(),
    attributes: r.int16(),
    lastOffsetDelta: r.int32(),
    baseTimestamp: r.int64(),
    maxTimestamp: r.int64(),
    producerId: r.int64(),
    producerEpoch: r.int16(),
    baseSequence: r.int32(),
    recordCount: r.int32(),
  };
  if (h.magic !== MAGIC) throw new RillError("CORRUPT_MESSAGE", `unsupported record batch magic ${h.magic}`);
  if (batchLength < BATCH_HEADER_SIZE - LOG_OVERHEAD || h.sizeInBytes > bytes.length - at) {
    throw new RillError("CORRUPT_MESSAGE", `corrupt record batch: batchLength ${batchLength} does not fit ${bytes.length - at} bytes`);
  }
  return h;
}

/** Splits concatenated batches, checking each one's length; each part is a view, not a copy. */
export function splitBatches(bytes: Uint8Array): Array<{ header: BatchHeader; bytes: Uint8Array }> {
  const out: Array<{ header: BatchHeader; bytes: Uint8Array }> = [];
  let at = 0;
  while (at < bytes.length) {
    const header = readBatchHeader(bytes, at);
    out.push({ header, bytes: bytes.subarray(at, at + header.sizeInBytes) });
    at += header.sizeInBytes;
  }
  if (out.length === 0) throw new RillError("CORRUPT_MESSAGE", "no record batch in an empty body");
  return out;
}

export function batchCrcMatches(batch: Uint8Array, header: BatchHeader): boolean {
  return crc32c(batch, CRC_START, header.sizeInBytes) === header.crc;
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Stamps the base offset in place (outside the CRC). */
export function setBaseOffset(batch: Uint8Array, baseOffset: number): void {
  writeInt64(view(batch), 0, baseOffset);
}

/** Stamps the partition leader epoch in place (outside the CRC). */
export function setPartitionLeaderEpoch(batch: Uint8Array, epoch: number): void {
  view(batch).setInt32(12, epoch);
}

export function readBaseOffset(batch: Uint8Array): number {
  return readInt64(view(batch), 0);
}

/** Marks the batch LogAppendTime with `time` as its max timestamp, and re-checksums it. */
export function setLogAppendTime(batch: Uint8Array, time: number): void {
  const v = view(batch);
  v.setInt16(21, v.getInt16(21) | ATTR_LOG_APPEND_TIME);
  writeInt64(v, 35, time);
  v.setUint32(17, crc32c(batch, CRC_START, batch.length));
}

/** Producer fields of a batch header, all inside the CRC. */
export interface ProducerStamp {
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
}

function checkStampField(name: string, value: number, min: number, max: number): void {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new RillError("INVALID_REQUEST", `${name} ${value} is outside [${min}, ${max}]`);
  }
}

/**
 * A copy of one v2 batch with its producer id, epoch and base sequence replaced and the CRC-32C
 * recomputed (an uploader re-sends a stored batch under its own producer identity). The batch's
 * CRC is checked first, so a corrupt batch is refused rather than given a valid checksum.
 */
export function restampProducer(batch: Uint8Array, stamp: ProducerStamp): Uint8Array {
  const header = readBatchHeader(batch);
  if (header.sizeInBytes !== batch.length) {
    throw new RillError("CORRUPT_MESSAGE", `corrupt record batch: length field says ${header.sizeInBytes} bytes, got ${batch.length}`);
  }
  if (!batchCrcMatches(batch, header)) throw new RillError("CORRUPT_MESSAGE", "corrupt record batch: CRC-32C mismatch");
  checkStampField("producerId", stamp.producerId, -1, Number.MAX_SAFE_INTEGER);
  checkStampField("producerEpoch", stamp.producerEpoch, -1, 0x7fff);
  checkStampField("baseSequence", stamp.baseSequence, -1, 0x7fffffff);
  const copy = batch.slice();
  const v = view(copy);
  writeInt64(v, 43, stamp.producerId);
  v.setInt16(51, stamp.producerEpoch);
  v.setInt32(53, stamp.baseSequence);
  v.setUint32(17, crc32c(copy, CRC_START, copy.length));
  return copy;
}

export interface EncodeBatchOptions {
  baseOffset?: number;
  partitionLeaderEpoch?: number;
  compression?: CompressionType;
  producerId?: number;
  producerEpoch?: number;
  baseSequence?: number;
  isTransactional?: boolean;
  /** Offset deltas of the records; defaults to 0..n-1 (compaction keeps gaps). */
  offsetDeltas?: readonly number[];
  /** lastOffsetDelta when it differs from the last record's delta (compaction). */
  lastOffsetDelta?: number;
  /** Timestamp for records without one. */
  now?: number;
}

interface SizedRecord {
  size: number;
  bodySize: number;
  tsDelta: number;
  offsetDelta: number;
  key: Uint8Array | null;
  value: Uint8Array | null;
  headers: Array<[Uint8Array, Uint8Array | null]>;
}

function sizeRecords(records: readonly RecordInput[], baseTs: number, now: number, deltas?: readonly number[]): SizedRecord[] {
  return records.map((rec, i) => {
    const tsDelta = (rec.timestamp ?? now) - baseTs;
    const offsetDelta = deltas ? (deltas[i] as number) : i;
    const key = rec.key ?? null;
    const value = rec.value;
    const headers = (rec.headers ?? []).map((h: RecordHeader): [Uint8Array, Uint8Array | null] => [encodeUtf8(h.key), h.value]);
    let bodySize = 1 + varintSize(tsDelta) + varintSize(offsetDelta);
    bodySize += key ? varintSize(key.length) + key.length : 1;
    bodySize += value ? varintSize(value.length) + value.length : 1;
    bodySize += varintSize(headers.length);
    for (const [hk, hv] of headers) {
      bodySize += varintSize(hk.length) + hk.length + (hv ? varintSize(hv.length) + hv.length : 1);
    }
    return { size: varintSize(bodySize) + bodySize, bodySize, tsDelta, offsetDelta, key, value, headers };
  });
}

function writeVarint(out: Uint8Array, at: number, v: number): number {
  let z = v >= 0 ? v * 2 : -v * 2 - 1;
  while (z >= 128) {
    out[at++] = (z % 128) | 0x80;
    z = Math.floor(z / 128);
  }
  out[at++] = z;
  return at;
}

function writeBytesField(out: Uint8Array, at: number, b: Uint8Array | null): number {
  if (b === null) return writeVarint(out, at, -1);
  at = writeVarint(out, at, b.length);
  out.set(b, at);
  return at + b.length;
}

function writeRecords(sized: SizedRecord[], out: Uint8Array, start: number): void {
  let at = start;
  for (const s of sized) {
    at = writeVarint(out, at, s.bodySize);
    out[at++] = 0; // record attributes: unused in v2
    at = writeVarint(out, at, s.tsDelta);
    at = writeVarint(out, at, s.offsetDelta);
    at = writeBytesField(out, at, s.key);
    at = writeBytesField(out, at, s.value);
    at = writeVarint(out, at, s.headers.length);
    for (const [hk, hv] of s.headers) {
      at = writeBytesField(out, at, hk);
      at = writeBytesField(out, at, hv);
    }
  }
}

/** Encodes records into one record batch, sized exactly (no slack bytes to store or clone). */
export function encodeBatch(records: readonly RecordInput[], options: EncodeBatchOptions = {}): Uint8Array {
  if (records.length === 0) throw new RillError("INVALID_RECORD", "a record batch needs at least one record");
  const now = options.now ?? Date.now();
  const baseTs = records[0]?.timestamp ?? now;
  let maxTs = -1;
  for (const r of records) maxTs = Math.max(maxTs, r.timestamp ?? now);
  const sized = sizeRecords(records, baseTs, now, options.offsetDeltas);
  let recordsSize = 0;
  for (const s of sized) recordsSize += s.size;

  const compression = options.compression ?? "none";
  let body: Uint8Array;
  if (compression === "none") {
    body = new Uint8Array(BATCH_HEADER_SIZE + recordsSize);
    writeRecords(sized, body, BATCH_HEADER_SIZE);
  } else {
    const plain = new Uint8Array(recordsSize);
    writeRecords(sized, plain, 0);
    const packed = compress(compression, plain);
    body = new Uint8Array(BATCH_HEADER_SIZE + packed.length);
    body.set(packed, BATCH_HEADER_SIZE);
  }

  const v = view(body);
  let attributes = compressionCodeOf(compression);
  if (options.isTransactional) attributes |= ATTR_TRANSACTIONAL;
  writeInt64(v, 0, options.baseOffset ?? 0);
  v.setInt32(8, body.length - LOG_OVERHEAD);
  v.setInt32(12, options.partitionLeaderEpoch ?? -1);
  v.setInt8(16, MAGIC);
  v.setInt16(21, attributes);
  v.setInt32(23, options.lastOffsetDelta ?? (sized[sized.length - 1] as SizedRecord).offsetDelta);
  writeInt64(v, 27, baseTs);
  writeInt64(v, 35, maxTs);
  writeInt64(v, 43, options.producerId ?? -1);
  v.setInt16(51, options.producerEpoch ?? -1);
  v.setInt32(53, options.baseSequence ?? -1);
  v.setInt32(57, records.length);
  v.setUint32(17, crc32c(body, CRC_START, body.length));
  return body;
}
