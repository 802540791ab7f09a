// Retention and compaction (Kafka's LogCleaner and retention checks), run from a timer or alarm.
// Both run with appends excluded, touch only committed data (below the high watermark), never move
// the log start backwards, and keep every surviving record at its original offset.

import { RillError } from "./errors.ts";
import type { PartitionLog } from "./partition-log.ts";
import type { LogRecord } from "./record.ts";
import { batchCompression, batchTimestampType, encodeBatch, setLogAppendTime, setPartitionLeaderEpoch } from "./record-batch.ts";
import { decodeBatch } from "./record-batch-decode.ts";
import type { StoredBatch } from "./storage.ts";

const SCAN_PAGE = 512;
const READ_CHUNK_BYTES = 4 * 1024 * 1024;

export interface RetentionResult {
  deletedBatches: number;
  logStartOffset: number;
}

/** Deletes whole batches from the head that are past retention.ms or beyond retention.bytes. */
export function enforceRetention(log: PartitionLog): Promise<RetentionResult> {
  return log.exclusive(async (s) => {
    const cfg = log.config();
    if (!cfg["cleanup.policy"].includes("delete")) return { deletedBatches: 0, logStartOffset: s.logStartOffset };
    const { highWatermark } = await log.state();
    const expiredBefore = cfg["retention.ms"] >= 0 ? log.now() - cfg["retention.ms"] : Number.NEGATIVE_INFINITY;
    const maxBytes = cfg["retention.bytes"];
    let newStart = s.logStartOffset;
    let size = s.sizeInBytes;
    let deleted = 0;
    scanning: for (;;) {
      const page = await log.storage.scan(log.partition, newStart, SCAN_PAGE);
      for (const batch of page) {
        if (batch.lastOffset >= highWatermark) break scanning;
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

async function* committedBatches(log: PartitionLog, from: number, highWatermark: number): AsyncGenerator<StoredBatch> {
  let next = from;
  while (next < highWatermark) {
    const chunk = await log.storage.read(log.partition, next, READ_CHUNK_BYTES);
    if (chunk.length === 0) return;
    for (const b of chunk) {
      if (b.lastOffset >= highWatermark) return;
      yield b;
      next = b.lastOffset + 1;
    }
  }
}

/** Keeps the latest record per key; drops tombstones older than delete.retention.ms. */
export function compactLog(log: PartitionLog): Promise<CompactionResult> {
  return log.exclusive(async (s) => {
    const result: CompactionResult = { batchesRewritten: 0, batchesRemoved: 0, recordsRemoved: 0 };
    const cfg = log.config();
    if (!cfg["cleanup.policy"].includes("compact")) return result;
    const { highWatermark } = await log.state();
    const now = log.now();
    const latest = new Map<string, number>();
    for await (const b of committedBatches(log, s.logStartOffset, highWatermark)) {
      for (const r of decodeBatch(b.bytes).records) if (r.key) latest.set(keyString(r.key), r.offset);
    }
    const lagBefore = now - cfg["min.compaction.lag.ms"];
    const tombstonesBefore = now - cfg["delete.retention.ms"];
    const survives = (r: LogRecord) =>
      r.key !== null && latest.get(keyString(r.key)) === r.offset && !(r.value === null && r.timestamp < tombstonesBefore);
    for await (const b of committedBatches(log, s.logStartOffset, highWatermark)) {
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
