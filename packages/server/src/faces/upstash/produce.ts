// Producing through the Upstash Kafka REST API.
//   POST /produce                    {topic, value, key?, partition?, timestamp?, headers?} or a list of them
//   POST /produce/:topic             {value, ...} or a list, all to :topic
//   POST /produce/:topic/:message    one message from the path (not GET: a GET never writes here)
//   POST /webhook?topic=             the request body is the value, `key` and `partition` from the query
//   -> [{topic, partition, offset, timestamp}] in request order (one object for the path and webhook forms)

import {
  concatBytes,
  createStickyPartitioner,
  encodeRecordsInBatches,
  partitionForKey,
  type RecordInput,
  resolveTopicConfig,
  type StickyPartitioner,
} from "@rill/core";
import type { Broker } from "../../broker.ts";
import { invalid, partitionOf, toRecord } from "./messages.ts";

export interface Produced {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
}

interface Placed {
  topic: string;
  partition: number | undefined;
  record: RecordInput;
}

export function createProducer(broker: Broker) {
  // keyless messages of one request stick to one partition; the next request moves on (KIP-480)
  const sticky = new Map<string, StickyPartitioner>();
  const stickyFor = (topic: string) => {
    let s = sticky.get(topic);
    if (!s) {
      if (sticky.size > 10_000) sticky.clear();
      sticky.set(topic, (s = createStickyPartitioner()));
    }
    return s;
  };

  async function produce(items: Placed[]): Promise<Produced[]> {
    if (items.length === 0) throw invalid("nothing to produce");
    if (items.length > 10_000) throw invalid("at most 10 000 messages per request");
    const now = Date.now();
    const groups = new Map<string, { topic: string; partition: number; indexes: number[]; records: RecordInput[] }>();
    const topics = new Map<string, Awaited<ReturnType<Broker["topic"]>>>();
    for (const [i, item] of items.entries()) {
      let meta = topics.get(item.topic);
      if (!meta) topics.set(item.topic, (meta = await broker.topic(item.topic)));
      const count = meta.partitions.length;
      const partition =
        item.partition ?? (item.record.key ? partitionForKey(item.record.key, count) : stickyFor(item.topic).current(count));
      partitionOf(meta, partition);
      const id = `${item.topic}\u0000${partition}`;
      let group = groups.get(id);
      if (!group) groups.set(id, (group = { topic: item.topic, partition, indexes: [], records: [] }));
      group.indexes.push(i);
      group.records.push({ ...item.record, timestamp: item.record.timestamp ?? now });
    }
    for (const topic of topics.keys()) stickyFor(topic).next();
    const answers: Produced[] = new Array(items.length);
    await Promise.all(
      [...groups.values()].map(async (g) => {
        const meta = topics.get(g.topic) as Awaited<ReturnType<Broker["topic"]>>;
        const config = resolveTopicConfig(meta.config);
        const bytes = concatBytes(
          encodeRecordsInBatches(g.records, { maxBatchBytes: config["max.message.bytes"], compression: "none", now }).map((b) => b.bytes),
        );
        const result = await broker.append(partitionOf(meta, g.partition), bytes, -1);
        const base = result.batches[0]?.baseOffset ?? 0;
        g.indexes.forEach((index, n) => {
          const timestamp = result.logAppendTime >= 0 ? result.logAppendTime : (g.records[n]?.timestamp ?? now);
          answers[index] = { topic: g.topic, partition: g.partition, offset: base + n, timestamp };
        });
      }),
    );
    return answers;
  }

  return {
    /** Items of a JSON body: one object or a list; `topic` from the path when the path names one. */
    fromBody(body: unknown, topic?: string): Placed[] {
      const list = Array.isArray(body) ? body : [body];
      return list.map((raw) => {
        if (raw === null || typeof raw !== "object" || Array.isArray(raw)) throw invalid("each message is an object");
        const item = raw as Record<string, unknown>;
        const name = topic ?? item.topic;
        if (typeof name !== "string" || name === "") throw invalid("each message needs a topic");
        const partition = item.partition;
        if (partition !== undefined && partition !== null && !Number.isSafeInteger(partition))
          throw invalid("partition must be an integer");
        return { topic: name, partition: (partition ?? undefined) as number | undefined, record: toRecord(item) };
      });
    },
    produce,
  };
}
