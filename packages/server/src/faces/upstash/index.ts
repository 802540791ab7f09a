// The Upstash Kafka REST API over Rill's engine, so `@upstash/kafka` (and curl scripts written for
// Upstash) work with only a new URL and credentials. Answers are JSON, errors too — its client
// parses every answer and retries every failure, so refusals are quick, in Rill's error shape
// ({error: {code, message, retriable}}, which the client keeps as UpstashError.error).
// Credentials are HTTP Basic, mapped to Rill's tokens by auth.ts.

import { isInternalGroup, ROUTES } from "@rill/protocol";
import { type Context, Hono } from "hono";
import type { Broker } from "../../broker.ts";
import { createGroupConsumer } from "./consume.ts";
import { fetchMessages, invalid, partitionOf, type TopicPartition, topicPartitions } from "./messages.ts";
import { createProducer } from "./produce.ts";

/** Paths that take a body: the app puts its body limit on them before authorization reads one. */
export const UPSTASH_BODY_PATHS = [
  ROUTES.upstashProduce,
  ROUTES.upstashProduceTopic,
  ROUTES.upstashProduceMessage,
  ROUTES.upstashWebhook,
  ROUTES.upstashFetch,
  ROUTES.upstashConsume,
  ROUTES.upstashCommit,
  ROUTES.upstashCommitted,
  ROUTES.upstashOffsets,
  ROUTES.upstashDeleteConsumer,
];
const DEFAULT_TIMEOUT_MS = 1000;
const MAX_TIMEOUT_MS = 30_000;

async function json(c: Context): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text);
  } catch (error) {
    throw invalid(`request body is not valid JSON: ${(error as Error).message}`);
  }
}

function timeoutOf(value: unknown): number {
  if (value === undefined || value === null) return DEFAULT_TIMEOUT_MS;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) throw invalid("timeout must be milliseconds");
  return Math.min(value, MAX_TIMEOUT_MS);
}

function record(body: unknown): Record<string, unknown> {
  if (body === undefined) return {};
  if (body === null || typeof body !== "object" || Array.isArray(body)) throw invalid("the body must be a JSON object");
  return body as Record<string, unknown>;
}

export function upstashRoutes(broker: Broker): Hono {
  const app = new Hono();
  const producer = createProducer(broker);
  const groups = createGroupConsumer(broker);

  app.post(ROUTES.upstashProduce, async (c) => c.json(await producer.produce(producer.fromBody(await json(c)))));
  app.post(ROUTES.upstashProduceTopic, async (c) => c.json(await producer.produce(producer.fromBody(await json(c), c.req.param("topic")))));
  app.post(ROUTES.upstashProduceMessage, async (c) => {
    const [answer] = await producer.produce(producer.fromBody({ value: c.req.param("message") }, c.req.param("topic")));
    return c.json(answer);
  });
  app.post(ROUTES.upstashWebhook, async (c) => {
    const partition = c.req.query("partition");
    if (partition !== undefined && !/^\d+$/.test(partition)) throw invalid("partition must be an integer");
    const item = { value: await c.req.text(), key: c.req.query("key"), partition: partition === undefined ? undefined : Number(partition) };
    const [answer] = await producer.produce(producer.fromBody(item, c.req.query("topic")));
    return c.json(answer);
  });

  app.post(ROUTES.upstashFetch, async (c) => {
    const body = record(await json(c));
    const timeoutMs = timeoutOf(body.timeout);
    const list = Array.isArray(body.topicPartitionOffsets) ? [...body.topicPartitionOffsets] : [];
    if (body.topic !== undefined) list.push({ topic: body.topic, partition: body.partition ?? 0, offset: body.offset ?? 0 });
    const wanted = topicPartitions(list).map((tp, i) => {
      const offset = (list[i] as { offset?: unknown }).offset;
      if (!Number.isSafeInteger(offset) || (offset as number) < 0) throw invalid("offset must be a non-negative integer");
      return { ...tp, offset: offset as number };
    });
    if (wanted.length === 0) throw invalid("fetch needs {topic, partition, offset} or topicPartitionOffsets");
    const results = await Promise.all(wanted.map((tp) => fetchMessages(broker, tp, tp.offset, timeoutMs)));
    return c.json(results.flatMap((r) => r.messages));
  });

  app.post(ROUTES.upstashConsume, async (c) => {
    const body = record(await json(c));
    const topics = body.topics ?? (body.topic === undefined ? [] : [body.topic]);
    if (!Array.isArray(topics) || topics.some((t) => typeof t !== "string")) throw invalid("topics must be a list of names");
    const reset = (c.req.header("kafka-auto-offset-reset") ?? "latest").toLowerCase();
    if (reset !== "earliest" && reset !== "latest" && reset !== "none")
      throw invalid("Kafka-Auto-Offset-Reset is earliest, latest or none");
    const autoCommit = (c.req.header("kafka-enable-auto-commit") ?? "true").toLowerCase() !== "false";
    const messages = await groups.consume(c.req.param("group"), c.req.param("instance"), {
      topics: topics as string[],
      timeoutMs: timeoutOf(body.timeout),
      autoCommit,
      reset,
    });
    return c.json(messages);
  });
  app.post(ROUTES.upstashCommit, async (c) => {
    const body = await json(c);
    const offsets =
      body === undefined
        ? undefined
        : topicPartitions(body).map((tp, i) => {
            const offset = ((Array.isArray(body) ? body[i] : body) as { offset?: unknown }).offset;
            if (!Number.isSafeInteger(offset) || (offset as number) < 0) throw invalid("offset must be a non-negative integer");
            return { ...tp, offset: offset as number };
          });
    await groups.commit(c.req.param("group"), c.req.param("instance"), offsets);
    return c.json({ result: "Success", status: 200 });
  });
  app.post(ROUTES.upstashCommitted, async (c) => c.json(await groups.committed(c.req.param("group"), topicPartitions(await json(c)))));
  app.post(ROUTES.upstashDeleteConsumer, async (c) => {
    await groups.remove(c.req.param("group"), c.req.param("instance"));
    return c.json({ result: "Success", status: 200 });
  });

  app.post(ROUTES.upstashOffsets, async (c) => {
    const time = c.req.param("time");
    const spec = time === "earliest" || time === "latest" ? time : /^\d+$/.test(time) ? { timestamp: Number(time) } : null;
    if (spec === null) throw invalid("the time is milliseconds since the epoch, earliest or latest");
    const answers = await Promise.all(
      topicPartitions(await json(c)).map(async (tp: TopicPartition) => {
        const listed = await broker.listOffset(partitionOf(await broker.topic(tp.topic), tp.partition), spec);
        return { ...tp, offset: listed.offset };
      }),
    );
    return c.json(answers);
  });
  app.get(ROUTES.upstashTopics, async (c) =>
    c.json(Object.fromEntries((await broker.listTopics()).map((t) => [t.name, t.partitions.length]))),
  );
  app.get(ROUTES.upstashConsumers, async (c) => {
    // internal groups (stream settings, REST instances) are the broker's own bookkeeping
    const names = (await broker.listGroups()).filter((g) => !isInternalGroup(g));
    const described = await Promise.all(names.map(async (name) => ({ name, group: await broker.describeGroup(name) })));
    return c.json(
      described
        .filter((d) => d.group && Object.keys(d.group.members).length > 0)
        .map(({ name, group }) => ({
          name,
          instances: Object.values(group?.members ?? {}).map((m) => ({
            name: m.instanceId ?? m.memberId,
            topics: Object.entries(m.assigned).map(([topic, partitions]) => ({ topic, partitions })),
          })),
        })),
    );
  });
  return app;
}
