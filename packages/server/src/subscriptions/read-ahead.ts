// Records read ahead, per partition: a fetch answers whole stored batches up to 1 MiB, usually more
// than one delivery takes, and reading them again for every delivery would multiply reads. Memory
// only; a partition's are dropped whenever it is (re)taken or a read of it fails.

import type { LogRecord, TopicMetadata } from "@rill/core";
import type { Broker } from "../broker.ts";
import { type ReadRecords, readRecords } from "./partition-reader.ts";

export interface ReadAheadRequest {
  from: number;
  /** Records wanted in hand, from `from` on. */
  wanted: number;
  /** Whether an empty hand may wait for records (a partition with retries due does not). */
  mayWait: boolean;
  /** How long an empty hand waits for a first record, then for the batch to fill. */
  idleWaitMs: number;
  fillWaitMs: number;
  /** Ends a held long-poll early (where the broker can: in-process). */
  signal: AbortSignal;
}

export interface ReadAhead {
  /** Records from `from` on: those in hand, and read on when fewer than wanted. */
  read(key: string, topic: TopicMetadata, partition: number, request: ReadAheadRequest): Promise<ReadRecords>;
  drop(key: string): void;
}

export function createReadAhead(broker: Broker, now: () => number): ReadAhead {
  const buffers = new Map<string, { records: LogRecord[]; nextOffset: number; highWatermark: number }>();
  return {
    async read(key, topic, partition, { from, wanted, mayWait, idleWaitMs, fillWaitMs, signal }) {
      const buffer = buffers.get(key);
      const first = buffer?.records[0]?.offset;
      let records =
        buffer && first !== undefined && first <= from && from < buffer.nextOffset ? buffer.records.filter((r) => r.offset >= from) : [];
      let read: ReadRecords = {
        records,
        nextOffset: records.length > 0 && buffer ? buffer.nextOffset : from,
        highWatermark: buffer?.highWatermark ?? 0,
        logStartOffset: 0,
      };
      if (records.length < wanted) {
        const more = await readRecords(broker, topic, partition, read.nextOffset, {
          wanted: wanted - records.length,
          // what is in hand goes out now; an empty hand waits for records
          idleWaitMs: records.length > 0 || !mayWait ? 0 : idleWaitMs,
          fillWaitMs: records.length > 0 ? 0 : fillWaitMs,
          now,
          signal,
        });
        records = [...records, ...more.records];
        read = { ...more, records };
      }
      buffers.set(key, { records: read.records, nextOffset: read.nextOffset, highWatermark: read.highWatermark });
      return read;
    },
    drop(key) {
      buffers.delete(key);
    },
  };
}
