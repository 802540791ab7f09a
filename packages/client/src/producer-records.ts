// Turning an application's message into a record ready to batch: serialize the key, value and
// headers, validate against the topic's schema, stamp the timestamp, pick the partition. Every
// refusal is INVALID_RECORD (or MESSAGE_TOO_LARGE / INVALID_TIMESTAMP) naming the field and the
// message, before anything is sent.

import { BATCH_HEADER_SIZE, estimateRecordSize, type RecordInput, RillError } from "@rill/core";
import type { TopicDescription } from "./metadata.ts";
import { checkPartition, type Partitioner } from "./partitioner.ts";
import type { RecordValidator } from "./schema.ts";
import { encodeHeaders, type MessageHeaders, type Serializer } from "./serializers.ts";

/** One message to send (kafkajs's shape). */
export interface Message<K, V> {
  key?: K | null;
  /** The value; null is a tombstone (a delete on compacted topics). */
  value: V | null;
  headers?: MessageHeaders;
  /** Explicit partition; otherwise the partitioner picks one. */
  partition?: number;
  /** CreateTime in ms since the epoch (a number, a numeric string or a Date); default now. */
  timestamp?: number | string | Date;
}

export interface PreparedRecord {
  partition: number;
  record: RecordInput & { timestamp: number };
  size: number;
}

export interface PrepareContext<K, V> {
  topic: string;
  info: TopicDescription;
  keySerializer: Serializer<K>;
  valueSerializer: Serializer<V>;
  partitioner: Partitioner;
  validator: RecordValidator;
  stickyPartition: number;
  now: number;
}

/** The largest batch the topic accepts (its max.message.bytes). */
export function maxBatchBytesOf(info: TopicDescription): number {
  const n = Number(info.config["max.message.bytes"]);
  return Number.isFinite(n) && n > 0 ? n : 1_048_588;
}

function timestampOf(value: Message<unknown, unknown>["timestamp"], now: number): number {
  if (value === undefined) return now;
  const ms = value instanceof Date ? value.getTime() : typeof value === "string" && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof ms !== "number" || !Number.isSafeInteger(ms) || ms < 0) {
    throw new RillError("INVALID_TIMESTAMP", `timestamp: expected ms since the epoch, got ${JSON.stringify(value)}`, {
      field: "timestamp",
    });
  }
  return ms;
}

/** Re-throws a refusal with the topic and message index appended, keeping its code and field. */
function located(error: unknown, topic: string, index: number): RillError {
  const where = `topic ${topic}, message ${index}`;
  if (error instanceof RillError) return new RillError(error.code, `${error.message} (${where})`, { ...error.details, topic, index });
  return new RillError("INVALID_RECORD", `${(error as Error)?.message ?? String(error)} (${where})`, { topic, index });
}

function serialize<T>(serializer: Serializer<T>, value: T | null | undefined, field: "key" | "value", topic: string): Uint8Array | null {
  if (value === null || value === undefined) return null;
  try {
    return serializer(value, { topic });
  } catch (error) {
    const code = error instanceof RillError ? error.code : "INVALID_RECORD";
    throw new RillError(code, `${field}: ${(error as Error)?.message ?? String(error)}`, { field });
  }
}

/** Routes and sizes a serialized, validated message. */
function finish<K, V>(
  ctx: PrepareContext<K, V>,
  message: Message<K, V>,
  key: Uint8Array | null,
  value: Uint8Array | null,
  headers: RecordInput["headers"],
): PreparedRecord {
  const { topic, info } = ctx;
  const record = { key, value, headers, timestamp: timestampOf(message.timestamp, ctx.now) };
  const partitionCount = info.partitions.length;
  const partition = checkPartition(
    topic,
    message.partition ?? ctx.partitioner({ topic, partitionCount, key, value, stickyPartition: ctx.stickyPartition }),
    partitionCount,
  );
  const size = estimateRecordSize(record);
  const limit = maxBatchBytesOf(info);
  if (size + BATCH_HEADER_SIZE > limit) {
    throw new RillError("MESSAGE_TOO_LARGE", `record of about ${size} bytes exceeds the topic's max.message.bytes ${limit}`);
  }
  return { partition, record, size };
}

/** Prepares one message; a promise only when its schema validates asynchronously. */
export function prepareRecord<K, V>(
  ctx: PrepareContext<K, V>,
  message: Message<K, V>,
  index: number,
): PreparedRecord | Promise<PreparedRecord> {
  const { topic, info } = ctx;
  try {
    if (message === null || typeof message !== "object") throw new RillError("INVALID_RECORD", "expected a message object");
    const key = serialize(ctx.keySerializer, message.key, "key", topic);
    const value = serialize(ctx.valueSerializer, message.value, "value", topic);
    const headers = encodeHeaders(message.headers);
    const validating = ctx.validator.check(topic, info.config, key, message.value);
    if (!validating) return finish(ctx, message, key, value, headers);
    return validating
      .then(() => finish(ctx, message, key, value, headers))
      .catch((error: unknown) => {
        throw located(error, topic, index);
      });
  } catch (error) {
    throw located(error, topic, index);
  }
}
