// Reads records of one partition for a delivery: from an offset, waiting up to `idleWaitMs` for a
// first record and then up to `fillWaitMs` for the batch to fill, through the Broker seam.

import { decodeBatches, isRillError, type LogRecord, type TopicMetadata } from "@rill/core";
import type { Broker } from "../broker.ts";
import { partitionRef } from "../routes/produce.ts";

export interface ReadRecords {
  /** Records at or after the offset asked, ascending. */
  records: LogRecord[];
  nextOffset: number;
  highWatermark: number;
  logStartOffset: number;
}

export interface ReadOptions {
  /** Stop once this many records are in hand. */
  wanted: number;
  idleWaitMs: number;
  fillWaitMs: number;
  now: () => number;
  /** Ends a held long-poll early (where the broker can: in-process). */
  signal?: AbortSignal;
}

/** Fetches more than once only while filling a batch; a fetch answers whole stored batches. */
export async function readRecords(
  broker: Broker,
  topic: TopicMetadata,
  partition: number,
  offset: number,
  options: ReadOptions,
): Promise<ReadRecords> {
  const ref = partitionRef(topic, partition);
  const records: LogRecord[] = [];
  let from = offset;
  let fillDeadline: number | null = null;
  let waitMs = options.idleWaitMs;
  let last = { nextOffset: offset, highWatermark: offset, logStartOffset: 0 };
  for (let round = 0; round < 64; round++) {
    const maxWaitMs = options.signal?.aborted ? 0 : Math.max(0, Math.round(waitMs));
    const result = await broker.fetch(ref, { offset: from, maxWaitMs }, { signal: options.signal });
    last = result;
    for (const r of decodeBatches(result.batches.map((b) => b.bytes))) if (r.offset >= from) records.push(r);
    if (result.nextOffset <= from) break; // the wait ran out with nothing new
    from = result.nextOffset;
    if (records.length >= options.wanted) break;
    if (records.length === 0 || from < result.highWatermark) {
      // a compaction gap, or more than one answer holds: read on at once
      waitMs = records.length === 0 ? options.idleWaitMs : 0;
      continue;
    }
    const now = options.now();
    fillDeadline ??= now + options.fillWaitMs;
    if (now >= fillDeadline) break;
    waitMs = fillDeadline - now;
  }
  return { records, nextOffset: last.nextOffset, highWatermark: last.highWatermark, logStartOffset: last.logStartOffset };
}

/** Where a partition's log starts now (after retention), or null when the partition is gone. */
export async function logStartOf(broker: Broker, topic: TopicMetadata, partition: number): Promise<number | null> {
  try {
    return (await broker.listOffset(partitionRef(topic, partition), "earliest")).offset;
  } catch (error) {
    if (isRillError(error, "UNKNOWN_TOPIC_OR_PARTITION")) return null;
    throw error;
  }
}
