// The dead-letter topic: a record that used up its retries is appended there with the error and
// where it came from, in headers, so it can be inspected and replayed. Same key and value, so a
// keyed record lands on the partition Kafka's partitioner picks for its key.

import {
  encodeBatch,
  encodeUtf8,
  finishDeadLetters,
  type LogRecord,
  partitionForKey,
  type RecordHeader,
  type TopicMetadata,
} from "@rill/core";
import type { Broker } from "../broker.ts";
import { partitionRef } from "../routes/produce.ts";
import { readRecords } from "./partition-reader.ts";
import type { PartitionRecord } from "./pump-state.ts";
import type { SubscriptionConfig, SubscriptionCounters } from "./types.ts";

/** Header names on dead-lettered records. */
export const DEAD_LETTER_HEADERS = {
  topic: "rill-dlq-topic",
  partition: "rill-dlq-partition",
  offset: "rill-dlq-offset",
  timestamp: "rill-dlq-timestamp",
  error: "rill-dlq-error",
  attempts: "rill-dlq-attempts",
  subscription: "rill-dlq-subscription",
} as const;

export interface DeadLetter {
  record: LogRecord;
  error: string;
  attempts: number;
}

/** Appends dead letters of one source partition (acks all); at-least-once: a crash before the commit appends again. */
export async function appendDeadLetters(
  broker: Broker,
  deadLetterTopic: string,
  source: { topic: string; partition: number; subscription: string },
  letters: readonly DeadLetter[],
): Promise<void> {
  if (letters.length === 0) return;
  const topic = await broker.topic(deadLetterTopic);
  const count = topic.partitions.length;
  const byPartition = new Map<number, LogRecord[]>();
  const headersOf = new Map<LogRecord, RecordHeader[]>();
  for (const { record, error, attempts } of letters) {
    const partition = record.key ? partitionForKey(record.key, count) : source.partition % count;
    const list = byPartition.get(partition) ?? [];
    list.push(record);
    byPartition.set(partition, list);
    headersOf.set(record, [
      ...record.headers,
      { key: DEAD_LETTER_HEADERS.topic, value: encodeUtf8(source.topic) },
      { key: DEAD_LETTER_HEADERS.partition, value: encodeUtf8(String(source.partition)) },
      { key: DEAD_LETTER_HEADERS.offset, value: encodeUtf8(String(record.offset)) },
      { key: DEAD_LETTER_HEADERS.timestamp, value: encodeUtf8(String(record.timestamp)) },
      { key: DEAD_LETTER_HEADERS.error, value: encodeUtf8(error.slice(0, 4000)) },
      { key: DEAD_LETTER_HEADERS.attempts, value: encodeUtf8(String(attempts)) },
      { key: DEAD_LETTER_HEADERS.subscription, value: encodeUtf8(source.subscription) },
    ]);
  }
  for (const [partition, records] of byPartition) {
    const bytes = encodeBatch(records.map((r) => ({ key: r.key, value: r.value, headers: headersOf.get(r), timestamp: r.timestamp })));
    await broker.append(partitionRef(topic, partition), bytes, -1);
  }
}

export interface DeadLetterContext {
  broker: Broker;
  /** The settings now (they may change while a flush waits). */
  config: () => SubscriptionConfig;
  counters: SubscriptionCounters;
  now: () => number;
  topicOf(name: string): Promise<TopicMetadata>;
  fail(error: unknown, where: { topic: string; partition: number }): void;
}

/**
 * Appends a partition's exhausted records to the subscription's dead-letter topic (or drops them
 * when it has none) and takes them off its list. False when that failed: the partition then waits
 * a retry delay. `known` holds records in memory by offset; the others are read again.
 */
export async function flushDeadLetters(ctx: DeadLetterContext, p: PartitionRecord, known: Map<number, LogRecord>): Promise<boolean> {
  if (p.deadLetters.length === 0) return true;
  const { broker, counters, now } = ctx;
  try {
    const letters = [];
    for (const d of p.deadLetters) {
      let record = known.get(d.offset);
      if (!record) {
        // the records left memory (a restart): read them again
        const read = await readRecords(broker, await ctx.topicOf(p.topic), p.partition, d.offset, {
          wanted: 1,
          idleWaitMs: 0,
          fillWaitMs: 0,
          now,
        });
        record = read.records.find((r) => r.offset === d.offset);
      }
      if (record) letters.push({ record, error: d.error, attempts: d.attempts });
    }
    const offsets = p.deadLetters.map((d) => d.offset);
    const config = ctx.config();
    if (config.deadLetterTopic !== null) {
      await appendDeadLetters(
        broker,
        config.deadLetterTopic,
        { topic: p.topic, partition: p.partition, subscription: `${config.group}/${config.name}` },
        letters,
      );
      counters.deadLettered += letters.length;
    } else counters.dropped += letters.length;
    finishDeadLetters(p, offsets);
    return true;
  } catch (error) {
    ctx.fail(error, { topic: p.topic, partition: p.partition });
    p.notBefore = now() + Math.max(1000, ctx.config().retryDelayMs);
    return false;
  }
}
