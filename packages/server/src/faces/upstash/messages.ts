// Records as the Upstash Kafka REST API writes and reads them: keys, values and header values are
// UTF-8 strings; a message carries its topic, partition, offset and timestamp.

import {
  decodeBatches,
  decodeUtf8,
  encodeUtf8,
  isRillError,
  type LogRecord,
  type RecordInput,
  RillError,
  type TopicMetadata,
} from "@rill/core";
import type { Broker } from "../../broker.ts";

export interface UpstashHeader {
  key: string;
  value: string;
}

export interface UpstashMessage {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
  key: string;
  value: string;
  headers: UpstashHeader[];
}

export interface TopicPartition {
  topic: string;
  partition: number;
}

export function invalid(message: string): RillError {
  return new RillError("INVALID_REQUEST", message);
}

function text(bytes: Uint8Array | null): string {
  if (bytes === null) return "";
  try {
    return decodeUtf8(bytes);
  } catch {
    // not UTF-8: the REST API has only strings, so such bytes are shown as Latin-1 rather than lost
    return String.fromCharCode(...bytes);
  }
}

export function toMessage(topic: string, partition: number, record: LogRecord): UpstashMessage {
  return {
    topic,
    partition,
    offset: record.offset,
    timestamp: record.timestamp,
    key: text(record.key),
    value: text(record.value),
    headers: record.headers.map((h) => ({ key: h.key, value: text(h.value) })),
  };
}

/** A produce item's record: value (a string, or JSON for anything else), key, headers, timestamp (ms). */
export function toRecord(item: Record<string, unknown>): RecordInput {
  const value = item.value;
  if (value === undefined) throw invalid("each message needs a value");
  const headers = item.headers ?? [];
  if (!Array.isArray(headers)) throw invalid("headers must be a list of { key, value }");
  const key = item.key;
  if (key !== undefined && key !== null && typeof key !== "string") throw invalid("key must be a string");
  const timestamp = item.timestamp;
  if (timestamp !== undefined && (typeof timestamp !== "number" || !Number.isSafeInteger(timestamp) || timestamp < 0)) {
    throw invalid("timestamp must be milliseconds since the epoch");
  }
  return {
    key: typeof key === "string" ? encodeUtf8(key) : null,
    value: value === null ? null : encodeUtf8(typeof value === "string" ? value : JSON.stringify(value)),
    headers: headers.map((h: unknown) => {
      const header = h as Partial<UpstashHeader> | null;
      if (!header || typeof header.key !== "string") throw invalid("each header needs a string key");
      return { key: header.key, value: header.value === undefined || header.value === null ? null : encodeUtf8(String(header.value)) };
    }),
    timestamp: timestamp as number | undefined,
  };
}

export function topicPartitions(body: unknown): TopicPartition[] {
  const items = Array.isArray(body) ? body : body === undefined || body === null ? [] : [body];
  return items.map((item) => {
    const tp = item as Partial<TopicPartition> | null;
    if (!tp || typeof tp.topic !== "string" || !Number.isSafeInteger(tp.partition)) throw invalid("expected { topic, partition }");
    return { topic: tp.topic, partition: tp.partition as number };
  });
}

export function partitionOf(topic: TopicMetadata, partition: number) {
  if (!Number.isSafeInteger(partition) || partition < 0 || partition >= topic.partitions.length) {
    throw new RillError("UNKNOWN_TOPIC_OR_PARTITION", `topic ${topic.name} has no partition ${partition}`);
  }
  return { topic, partition };
}

/** Messages of one partition from `offset`, waiting up to `timeoutMs` for the first. */
export async function fetchMessages(
  broker: Broker,
  tp: TopicPartition,
  offset: number,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<{ messages: UpstashMessage[]; nextOffset: number }> {
  const ref = partitionOf(await broker.topic(tp.topic), tp.partition);
  try {
    const result = await broker.fetch(ref, { offset, maxBytes: 1024 * 1024, minBytes: 1, maxWaitMs: timeoutMs }, { signal });
    const messages = decodeBatches(result.batches.map((b) => b.bytes))
      .filter((r) => r.offset >= offset && r.offset < result.highWatermark)
      .map((r) => toMessage(tp.topic, tp.partition, r));
    return { messages, nextOffset: result.nextOffset };
  } catch (error) {
    if (signal?.aborted && !isRillError(error)) return { messages: [], nextOffset: offset };
    throw error;
  }
}
