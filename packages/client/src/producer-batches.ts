// The record accumulator: records gather into one open batch per partition until the batch holds
// batchSize bytes or lingerMs has passed since its first record (Kafka's batch.size / linger.ms),
// then the batch is handed to its partition's sender. Batching is where producer throughput comes
// from: one HTTP request and one stored row per batch, not per record.

import { BATCH_HEADER_SIZE, type RecordInput } from "@rill/core";
import type { Deferred } from "./signals.ts";

/** Kafka's acks: 0 (fire and forget), 1 (the leader has it), -1 ("all": every in-sync replica has it). */
export type Acks = 0 | 1 | -1;

/** What send() answers per record (close to kafkajs's RecordMetadata). */
export interface RecordMetadata {
  topicName: string;
  partition: number;
  /** Always 0: failures reject the send with a RillError instead. */
  errorCode: 0;
  /** The record's offset; -1 under acks=0, where the broker does not say. */
  offset: number;
  /** Offset of the first record of the batch the record travelled in; -1 under acks=0. */
  baseOffset: number;
  /** The broker's append time when the topic uses LogAppendTime, else -1. */
  logAppendTime: number;
  /** The partition's log start offset after the append; -1 under acks=0. */
  logStartOffset: number;
  /** The record's timestamp as stored. */
  timestamp: number;
}

/**
 * The outcome of one send() call, shared by its records: one promise per send, not per record,
 * because a send of thousands of records would otherwise allocate thousands of promises.
 */
export interface SendOutcome {
  metadata: RecordMetadata[];
  /** Records not yet acknowledged. */
  remaining: number;
  result: Deferred<RecordMetadata[]>;
}

export interface PendingRecord {
  record: RecordInput & { timestamp: number };
  /** Estimated encoded size, counted against batchSize and bufferMemory. */
  size: number;
  send: SendOutcome;
  /** The record's place in its send's messages. */
  index: number;
}

/** Records a record's metadata; the send resolves with the last of its records. */
export function acknowledge(record: PendingRecord, metadata: RecordMetadata): void {
  const send = record.send;
  send.metadata[record.index] = metadata;
  if (--send.remaining === 0) send.result.resolve(send.metadata);
}

/** A closed batch, from the accumulator to a partition sender. */
export interface ProducerBatch {
  topic: string;
  partition: number;
  acks: Acks;
  records: PendingRecord[];
  sizeBytes: number;
}

export interface AccumulatorOptions {
  batchSize: number;
  lingerMs: number;
  onReady(batch: ProducerBatch): void;
}

export interface Accumulator {
  /** Adds a record to its partition's open batch; `maxBatchBytes` is the topic's max.message.bytes. */
  append(topic: string, partition: number, acks: Acks, record: PendingRecord, maxBatchBytes: number): void;
  /** Closes every open batch now (flush, shutdown). */
  closeAll(): void;
}

interface OpenBatch extends ProducerBatch {
  timer: ReturnType<typeof setTimeout> | undefined;
}

export function createAccumulator(options: AccumulatorOptions): Accumulator {
  const open = new Map<string, OpenBatch>();

  function close(key: string, batch: OpenBatch): void {
    if (open.get(key) !== batch) return;
    open.delete(key);
    if (batch.timer !== undefined) clearTimeout(batch.timer);
    const { timer: _, ...closed } = batch;
    options.onReady(closed);
  }

  return {
    append(topic, partition, acks, record, maxBatchBytes) {
      const key = `${acks}\u0000${partition}\u0000${topic}`;
      let batch = open.get(key);
      // a record that would push the batch past the topic's limit starts the next batch instead
      if (batch && batch.sizeBytes + record.size > maxBatchBytes) {
        close(key, batch);
        batch = undefined;
      }
      if (!batch) {
        const fresh: OpenBatch = { topic, partition, acks, records: [], sizeBytes: BATCH_HEADER_SIZE, timer: undefined };
        fresh.timer = setTimeout(() => close(key, fresh), options.lingerMs);
        open.set(key, fresh);
        batch = fresh;
      }
      batch.records.push(record);
      batch.sizeBytes += record.size;
      if (batch.sizeBytes >= options.batchSize) close(key, batch);
    },
    closeAll() {
      for (const [key, batch] of [...open]) close(key, batch);
    },
  };
}
