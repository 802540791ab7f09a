// Retention and compaction (Kafka's LogCleaner and retention checks), run from a timer or alarm.
// Both run with appends excluded, touch only committed data (below the high watermark) and nothing
// at or above an optional floor (an upload cursor), never move the log start backwards, and keep
// every surviving record at its original offset.

import { RillError } from "./errors.ts";
import type { PartitionLog } from "./partition-log.ts";
import type { LogRecord } from "./record.ts";
import { batchCompression, batchTimestampType, encodeBatch, setLogAppendTime, setPartitionLeaderEpoch } from "./record-batch.ts";
import { decodeBatch } from "./record-batch-decode.ts";
import type { StoredBatch } from "./storage.ts";

const SCAN_PAGE = 512;
const READ_CHUNK_BYTES = 4 * 1024 * 1024;

/** An offset, or a function reading it when the cleaner runs (e.g. an upload cursor kept in storage). */
export type FloorOffset = number | (() => number | Promise<number>);

export interface CleanerOptions {
  /**
   * Nothing at or above this offset is deleted or rewritten: a batch is cleaned only when it lies
   * wholly below it. A browser outbox passes its upload cursor, so records not yet uploaded
   * survive retention.ms and compaction. Default: no floor.
   */
  floorOffset?: FloorOffset;
}

async function cleaningLimit(highWatermark: number, options: CleanerOptions): Promise<number> {
  const floor = typeof options.floorOffset === "function" ? await options.floorOffset() : options.floorOffset;
  if (floor === undefined) return highWatermark;
  if (typeof floor !== "number" || Number.isNaN(floor)) throw new RillError("INVALID_REQUEST", `cleaning floor ${floor} is not an offset`);
  return Math.min(highWatermark, floor);
}

export interface RetentionResult {
  deletedBatches: number;
  logStartOffset: number;
}

/**
 * Deletes whole batches from the head that are past retention.ms or beyond retention.bytes, up to
 * the high watermark and `options.floorOffset`.
 */
export function enforceRetention(log: PartitionLog, options: CleanerOptions = {}): Promise<RetentionResult> {
  return log.exclusive(async (s) => {
    const cfg = log.config();
    if (!cfg["cleanup.policy"].includes("delete")) return { deletedBatches: 0, logStartOffset: s.logStartOffset };
    const limit = await cleaningLimit((await log.state()).highWatermark, options);
    const expiredBefore = cfg["retention.ms"] >= 0 ? log.now() - cfg["retention.ms"] : Number.NEGATIVE_INFINITY;
    const maxBytes = cfg["retention.bytes"];
    let newStart = s.logStartOffset;
    let size = s.sizeInBytes;
    let deleted = 0;
    scanning: for (;;) {
      const page = await log.storage.scan(log.partition, newStart, SCAN_PAGE);
      for (const batch of page) {
        if (batch.lastOffset >= limit) break scanning;
        const expired = batch.timeIndex < expiredBefore;
        const oversize = maxBytes >= 0 && size - batch.sizeInBytes >= maxBytes;
        if (!expired && !oversize) break scanning;
        newStart = batch.lastOffset + 1;
        size -= batch.sizeInBytes;
        deleted++;
      }
      if (page.length < SCAN_PAGE) break;
    }
    if (deleted > 0) {
      await log.storage.truncateHead(log.partition, newStart);
      await log.reload();
    }
    return { deletedBatches: deleted, logStartOffset: Math.max(newStart, s.logStartOffset) };
  });
}

/** Kafka's DeleteRecords: moves the log start up to `offset` (at most the high watermark). */
export function deleteRecordsBefore(log: PartitionLog, offset: number): Promise<number> {
  return log.exclusive(async (s) => {
    const { highWatermark } = await log.state();
    if (!Number.isSafeInteger(offset) || offset < 0 || offset > highWatermark) {
      throw new RillError("OFFSET_OUT_OF_RANGE", `cannot delete records before ${offset}: the high watermark is ${highWatermark}`, {
        logStartOffset: s.logStartOffset,
        highWatermark,
      });
    }
    if (offset > s.logStartOffset) {
      await log.storage.truncateHead(log.partition, offset);
      await log.reload();
    }
    return Math.max(offset, s.logStartOffset);
  });
}

export interface CompactionResult {
  batchesRewritten: number;
  batchesRemoved: number;
  recordsRemoved: number;
}

function keyString(key: Uint8Array): string {
  let s = "";
  for (let i = 0; i < key.length; i++) s += String.fromCharCode(key[i] as number);
  return s;
}

/** Batches from `from` that lie wholly below `below` (the high watermark, or a lower floor). */
async function* committedBatches(log: PartitionLog, from: number, below: number): AsyncGenerator<StoredBatch> {
  let next = from;
  while (next < below) {
    const chunk = await log.storage.read(log.partition, next, READ_CHUNK_BYTES);
    if (chunk.length === 0) return;
    for (const b of chunk) {
      if (b.lastOffset >= below) return;
      yield b;
      next = b.lastOffset + 1;
    }
  }
}

/**
 * Keeps the latest record per key; drops tombstones older than delete.retention.ms. Only batches
 * wholly below `options.floorOffset` are rewritten (records above it still count as the latest).
 */
export function compactLog(log: PartitionLog, options: CleanerOptions = {}): Promise<CompactionResult> {
  return log.exclusive(async (s) => {
    const result: CompactionResult = { batchesRewritten: 0, batchesRemoved: 0, recordsRemoved: 0 };
    const cfg = log.config();
    if (!cfg["cleanup.policy"].includes("compact")) return result;
    const { highWatermark } = await log.state();
    const limit = await cleaningLimit(highWatermark, options);
    const now = log.now();
    const latest = new Map<string, number>();
    for await (const b of committedBatches(log, s.logStartOffset, highWatermark)) {
      for (const r of decodeBatch(b.bytes).records) if (r.key) latest.set(keyString(r.key), r.offset);
    }
    const lagBefore = now - cfg["min.compaction.lag.ms"];
    const tombstonesBefore = now - cfg["delete.retention.ms"];
    const survives = (r: LogRecord) =>
      r.key !== null && latest.get(keyString(r.key)) === r.offset && !(r.value === null && r.timestamp < tombstonesBefore);
    for await (const b of committedBatches(log, s.logStartOffset, limit)) {
      if (b.timeIndex > lagBefore) break; // younger than min.compaction.lag.ms: this and later batches stay
      const { header, records } = decodeBatch(b.bytes);
      const kept = records.filter(survives);
      if (kept.length === records.length) continue;
      result.recordsRemoved += records.length - kept.length;
      const replacement: StoredBatch[] = [];
      if (kept.length === 0) result.batchesRemoved++;
      else {
        const bytes = encodeBatch(kept, {
          baseOffset: header.baseOffset,
          offsetDeltas: kept.map((r) => r.offset - header.baseOffset),
          lastOffsetDelta: header.lastOffsetDelta,
          compression: batchCompression(header),
          producerId: header.producerId,
          producerEpoch: header.producerEpoch,
          baseSequence: header.baseSequence,
        });
        setPartitionLeaderEpoch(bytes, header.partitionLeaderEpoch);
        if (batchTimestampType(header) === "LogAppendTime") setLogAppendTime(bytes, header.maxTimestamp);
        replacement.push({ baseOffset: b.baseOffset, lastOffset: b.lastOffset, timeIndex: b.timeIndex, bytes });
        result.batchesRewritten++;
      }
      await log.storage.replace(log.partition, b.baseOffset, b.lastOffset, replacement);
    }
    if (result.recordsRemoved > 0) await log.reload();
    return result;
  });
}
