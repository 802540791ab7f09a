// Consumed records as kafkajs hands them over: Buffers, and offsets and timestamps as strings.

import type { ConsumedMessage, Batch as RillBatch } from "@rill/client";
import { toBuffer } from "./buffer.ts";
import type { Batch, KafkaMessage } from "./types.ts";

type Raw = ConsumedMessage<Uint8Array | null, Uint8Array | null>;

export function toKafkaMessage(m: Raw): KafkaMessage {
  const headers: KafkaMessage["headers"] = {};
  for (const [key, value] of Object.entries(m.headers)) {
    // kafkajs gives a header without a value as undefined, and repeats as an array
    headers[key] = Array.isArray(value) ? value.map((v) => toBuffer(v ?? new Uint8Array(0))) : value === null ? undefined : toBuffer(value);
  }
  return {
    key: toBuffer(m.key),
    value: toBuffer(m.value),
    timestamp: String(m.timestamp),
    attributes: 0,
    offset: String(m.offset),
    size: (m.key?.length ?? 0) + (m.value?.length ?? 0),
    headers,
  };
}

export function toKafkaBatch(batch: RillBatch<Uint8Array | null, Uint8Array | null>): Batch {
  const messages = batch.messages.map(toKafkaMessage);
  return {
    topic: batch.topic,
    partition: batch.partition,
    highWatermark: String(batch.highWatermark),
    messages,
    isEmpty: () => batch.isEmpty(),
    firstOffset: () => {
      const first = batch.firstOffset();
      return first === null ? null : String(first);
    },
    lastOffset: () => String(batch.lastOffset()),
    offsetLag: () => String(batch.offsetLag()),
    offsetLagLow: () => {
      const first = batch.firstOffset();
      return String(first === null ? 0 : Math.max(0, batch.highWatermark - 1 - first));
    },
  };
}
