// Appending to a Durable Stream. Each append is one record; an idempotent producer's append is
// one Kafka batch whose producer id is derived from the Producer-Id, epoch = Producer-Epoch and
// base sequence = Producer-Seq, so the partition's own idempotence check (kept in the same storage
// call as the append) deduplicates retries, fences stale epochs and refuses gaps — atomically, in
// the partition object at the edge. Kafka limits epochs to 16 bits and sequences to 31.

import {
  concatBytes,
  encodeBatch,
  encodeRecordsInBatches,
  isRillError,
  MAX_BATCH_BYTES,
  type RecordHeader,
  type RecordInput,
  RillError,
  readBatchHeader,
} from "@rill/core";
import type { Broker } from "../../broker.ts";
import { invalid } from "./protocol.ts";
import { CLOSE_HEADER } from "./reader.ts";
import type { ProducerTuple, Stream } from "./stream-store.ts";

export const MAX_PRODUCER_EPOCH = 0x7fff;
export const MAX_PRODUCER_SEQ = 0x7fffffff;
/** Records of a plain append are cut at this size, so a row stays far below the Durable Object limit. */
const CHUNK_BYTES = 512 * 1024;

export type AppendOutcome =
  | { kind: "appended"; next: number; duplicate: boolean; highestSeq?: number }
  | { kind: "stale-epoch"; currentEpoch?: number }
  | { kind: "epoch-needs-seq-0" }
  | { kind: "gap"; expected: number; received: number };

// FNV-1a over UTF-16 code units, twice with different offsets: 52 bits, placed above 2^52 so a
// derived id never meets the broker's own (small, counted) producer ids.
function fnv(text: string, seed: number): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

export function kafkaProducerId(producerId: string): number {
  return 2 ** 52 + (fnv(producerId, 0x811c9dc5) % 2 ** 20) * 2 ** 32 + fnv(producerId, 0x050c5d1f);
}

export function createStreamWriter(broker: Broker) {
  /**
   * The highest sequence a producer's epoch has written, from `from` on: a retry of an older
   * append is answered with it (the protocol's Producer-Seq), found from batch headers alone.
   */
  async function highestSequence(stream: Stream, producer: ProducerTuple, from: number): Promise<number> {
    const ref = { topic: stream.topic, partition: 0 };
    const id = kafkaProducerId(producer.id);
    let highest = producer.seq;
    for (let offset = Math.max(0, from); ; ) {
      const result = await broker.fetch(ref, { offset, maxBytes: 4 * 1024 * 1024 });
      for (const batch of result.batches) {
        const h = readBatchHeader(batch.bytes);
        if (h.producerId === id && h.producerEpoch === producer.epoch) highest = Math.max(highest, h.baseSequence + h.recordCount - 1);
      }
      if (result.nextOffset <= offset || result.nextOffset >= result.highWatermark) return highest;
      offset = result.nextOffset;
    }
  }

  return {
    /** Appends a value (null: the close marker only); `close` marks the last record as the end. */
    async append(stream: Stream, value: Uint8Array | null, options: { close: boolean; producer?: ProducerTuple }): Promise<AppendOutcome> {
      const base = stream.state.config.fork?.offset ?? 0;
      const closeHeader: RecordHeader[] = options.close ? [{ key: CLOSE_HEADER, value: new TextEncoder().encode("true") }] : [];
      const now = Date.now();
      let bytes: Uint8Array;
      if (options.producer) {
        const { id, epoch, seq } = options.producer;
        if (value !== null && value.length > MAX_BATCH_BYTES - 1024) {
          throw new RillError("MESSAGE_TOO_LARGE", `an idempotent append is one record of at most ${MAX_BATCH_BYTES - 1024} bytes`);
        }
        bytes = encodeBatch([{ value, headers: closeHeader, timestamp: now }], {
          producerId: kafkaProducerId(id),
          producerEpoch: epoch,
          baseSequence: seq,
          now,
        });
      } else {
        const records: RecordInput[] = [];
        if (value === null) records.push({ value: null, headers: closeHeader, timestamp: now });
        for (let at = 0; value !== null && at < value.length; at += CHUNK_BYTES) {
          const last = at + CHUNK_BYTES >= value.length;
          records.push({ value: value.subarray(at, at + CHUNK_BYTES), headers: last ? closeHeader : [], timestamp: now });
        }
        bytes = concatBytes(
          encodeRecordsInBatches(records, { maxBatchBytes: MAX_BATCH_BYTES, compression: "none", now }).map((b) => b.bytes),
        );
      }
      try {
        const result = await broker.append({ topic: stream.topic, partition: 0 }, bytes, -1);
        const last = result.batches[result.batches.length - 1];
        const duplicate = result.batches.some((b) => b.duplicate);
        const highestSeq =
          duplicate && options.producer ? await highestSequence(stream, options.producer, last?.baseOffset ?? 0) : undefined;
        return { kind: "appended", next: base + (last?.lastOffset ?? -1) + 1, duplicate, highestSeq };
      } catch (error) {
        const seq = options.producer?.seq ?? 0;
        if (isRillError(error, "PRODUCER_FENCED"))
          return { kind: "stale-epoch", currentEpoch: error.details?.currentEpoch as number | undefined };
        if (isRillError(error, "UNKNOWN_PRODUCER_ID")) return { kind: "gap", expected: 0, received: seq };
        if (isRillError(error, "OUT_OF_ORDER_SEQUENCE_NUMBER")) {
          const expected = error.details?.expectedSequence;
          return typeof expected === "number" ? { kind: "gap", expected, received: seq } : { kind: "epoch-needs-seq-0" };
        }
        if (isRillError(error, "DUPLICATE_SEQUENCE_NUMBER") && options.producer) {
          return { kind: "appended", next: -1, duplicate: true, highestSeq: await highestSequence(stream, options.producer, 0) };
        }
        throw error;
      }
    },
  };
}

export type StreamWriter = ReturnType<typeof createStreamWriter>;

/** The three producer headers, all or none; strict non-negative integers within Kafka's ranges. */
export function producerFrom(id: string | undefined, epoch: string | undefined, seq: string | undefined): ProducerTuple | undefined {
  if (id === undefined && epoch === undefined && seq === undefined) return undefined;
  if (id === undefined || epoch === undefined || seq === undefined) {
    throw invalid("Producer-Id, Producer-Epoch and Producer-Seq go together: send all three or none");
  }
  if (id === "") throw invalid("Producer-Id must not be empty");
  const int = (value: string, name: string, max: number) => {
    if (!/^\d+$/.test(value)) throw invalid(`${name} must be a non-negative integer, got ${JSON.stringify(value)}`);
    const n = Number(value);
    if (!Number.isSafeInteger(n)) throw invalid(`${name} must be at most 2^53-1`);
    if (n > max) throw invalid(`${name} above ${max} is not supported by this server`);
    return n;
  };
  return { id, epoch: int(epoch, "Producer-Epoch", MAX_PRODUCER_EPOCH), seq: int(seq, "Producer-Seq", MAX_PRODUCER_SEQ) };
}
