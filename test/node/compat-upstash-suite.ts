// The Upstash Kafka REST API, driven by Upstash's own npm client (@upstash/kafka) unchanged but for
// the URL and credentials: produce, fetch, consume in a group with commit and committed, offsets by
// time, topics, consumers and instance removal. Shared by the in-process and edge test files.
import { Kafka } from "@upstash/kafka";
import { expect, it } from "vitest";
import { until } from "../helpers/wait.ts";

export interface UpstashTarget {
  url: string;
  /** A Rill deployment token or API key: the Basic password. */
  token: string;
}

async function createTopic(target: UpstashTarget, name: string, partitions: number): Promise<void> {
  const res = await fetch(`${target.url}/v1/topics`, {
    method: "POST",
    headers: { authorization: `Bearer ${target.token}`, "content-type": "application/json" },
    body: JSON.stringify({ name, partitions }),
  });
  if (res.status !== 201) throw new Error(`create ${name}: ${res.status} ${await res.text()}`);
}

export function upstashSuite(target: () => UpstashTarget): void {
  const run = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const kafka = () => new Kafka({ url: target().url, username: "rill", password: target().token });

  it("produces one message and many, and fetches them back by partition and offset", async () => {
    const topic = `up-produce-${run}`;
    await createTopic(target(), topic, 2);
    const producer = kafka().producer();
    const one = await producer.produce(topic, { hello: "world" }, { key: "k", partition: 1, headers: [{ key: "h", value: "v" }] });
    expect(one).toMatchObject({ topic, partition: 1, offset: 0 });
    expect(typeof one.timestamp).toBe("number");
    const many = await producer.produceMany([
      { topic, value: "a", partition: 0 },
      { topic, value: "b", partition: 0 },
      { topic, value: "c", partition: 1 },
    ]);
    expect(many.map((m) => [m.partition, m.offset])).toEqual([
      [0, 0],
      [0, 1],
      [1, 1],
    ]);
    const consumer = kafka().consumer();
    const p0 = await consumer.fetch({ topic, partition: 0, offset: 0, timeout: 1000 });
    expect(p0.map((m) => m.value)).toEqual(["a", "b"]);
    const both = await consumer.fetch({
      topicPartitionOffsets: [
        { topic, partition: 1, offset: 0 },
        { topic, partition: 0, offset: 1 },
      ],
      timeout: 1000,
    });
    const first = both.find((m) => m.partition === 1 && m.offset === 0);
    expect(first).toMatchObject({ key: "k", value: JSON.stringify({ hello: "world" }), headers: [{ key: "h", value: "v" }] });
    expect(both.map((m) => `${m.partition}:${m.value}`).sort()).toEqual(["0:b", `1:${JSON.stringify({ hello: "world" })}`, "1:c"].sort());
  });

  it("consumes in a group, commits, reads committed offsets, lists consumers and removes the instance", async () => {
    const topic = `up-group-${run}`;
    const group = `up-g-${run}`;
    await createTopic(target(), topic, 3);
    const values = Array.from({ length: 9 }, (_, i) => `m${i}`);
    await kafka()
      .producer()
      .produceMany(values.map((value, i) => ({ topic, value, partition: i % 3 })));
    const consumer = kafka().consumer();
    const seen: string[] = [];
    await until(
      async () => {
        const messages = await consumer.consume({
          consumerGroupId: group,
          instanceId: "i1",
          topics: [topic],
          autoOffsetReset: "earliest",
          autoCommit: false,
          timeout: 500,
        });
        seen.push(...messages.map((m) => m.value));
        return seen.length >= values.length;
      },
      "every message, once",
      { timeoutMs: 60_000, everyMs: 20 },
    );
    expect(seen.sort()).toEqual([...values].sort());
    // nothing committed yet (autoCommit off): commit the instance's positions
    const tps = [0, 1, 2].map((partition) => ({ topic, partition }));
    expect((await consumer.committed({ consumerGroupId: group, instanceId: "i1", topicPartitions: tps })).map((o) => o.offset)).toEqual([
      -1, -1, -1,
    ]);
    await consumer.commit({ consumerGroupId: group, instanceId: "i1" });
    const committed = await consumer.committed({ consumerGroupId: group, instanceId: "i1", topicPartitions: tps });
    expect(committed.map((o) => [o.partition, o.offset])).toEqual([
      [0, 3],
      [1, 3],
      [2, 3],
    ]);
    // an explicit commit moves one partition
    await consumer.commit({ consumerGroupId: group, instanceId: "i1", offset: { topic, partition: 2, offset: 1 } });
    const admin = kafka().admin();
    expect(
      (await admin.committedOffsets({ consumerGroupId: group, instanceId: "i1", topicPartition: { topic, partition: 2 } }))[0],
    ).toMatchObject({ topic, partition: 2, offset: 1 });
    const groups = await admin.consumers();
    const mine = groups.find((g) => g.name === group);
    expect(mine?.instances.map((i) => i.name)).toEqual(["i1"]);
    expect(mine?.instances[0]?.topics.flatMap((t) => t.partitions).sort()).toEqual([0, 1, 2]);
    await admin.removeConsumerInstance(group, "i1");
    expect((await admin.consumers()).find((g) => g.name === group)).toBeUndefined();
  });

  it("auto-commits what consume returned, so a new instance of the group goes on from there", async () => {
    const topic = `up-auto-${run}`;
    const group = `up-auto-g-${run}`;
    await createTopic(target(), topic, 1);
    const producer = kafka().producer();
    await producer.produceMany(["x", "y"].map((value) => ({ topic, value })));
    const consumer = kafka().consumer();
    const seen: string[] = [];
    await until(
      async () => {
        const got = await consumer.consume({
          consumerGroupId: group,
          instanceId: "a",
          topics: [topic],
          autoOffsetReset: "earliest",
          timeout: 500,
        });
        seen.push(...got.map((m) => m.value));
        return seen.length >= 2;
      },
      "x and y",
      { timeoutMs: 60_000, everyMs: 20 },
    );
    await kafka().admin().removeConsumerInstance(group, "a");
    await producer.produce(topic, "z");
    const later: string[] = [];
    await until(
      async () => {
        const got = await consumer.consume({
          consumerGroupId: group,
          instanceId: "b",
          topics: [topic],
          autoOffsetReset: "earliest",
          timeout: 500,
        });
        later.push(...got.map((m) => m.value));
        return later.length >= 1;
      },
      "z",
      { timeoutMs: 60_000, everyMs: 20 },
    );
    expect(later).toEqual(["z"]);
    await kafka().admin().removeConsumerInstance(group, "b");
  });

  it("answers offsets by time, earliest and latest, and lists topics with their partition counts", async () => {
    const topic = `up-offsets-${run}`;
    await createTopic(target(), topic, 1);
    const producer = kafka().producer();
    await producer.produce(topic, "early", { timestamp: 1_000_000 });
    await producer.produce(topic, "late", { timestamp: 3_000_000 });
    const admin = kafka().admin();
    const tp = { topic, partition: 0 };
    expect(await admin.topicPartitionOffsets({ timestamp: 2_000_000, topicPartition: tp })).toEqual([{ ...tp, offset: 1 }]);
    expect(await admin.topicPartitionOffsets({ timestamp: "earliest", topicPartitions: [tp] })).toEqual([{ ...tp, offset: 0 }]);
    expect(await admin.topicPartitionOffsets({ timestamp: "latest", topicPartitions: [tp] })).toEqual([{ ...tp, offset: 2 }]);
    const topics = await admin.topics();
    expect(topics[topic]).toBe(1);
  });

  it("refuses a wrong Basic password with 401 JSON, at once", async () => {
    const basic = btoa("rill:not-the-token");
    const res = await fetch(`${target().url}/topics`, { headers: { authorization: `Basic ${basic}` } });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("SASL_AUTHENTICATION_FAILED");
    const bad = await fetch(`${target().url}/produce`, {
      method: "POST",
      headers: { authorization: `Basic ${btoa(`rill:${target().token}`)}`, "content-type": "application/json" },
      body: JSON.stringify({ topic: `no-such-topic-${run}`, value: "v" }),
    });
    expect(bad.status).toBe(404);
    expect(await bad.json()).toMatchObject({ error: { code: "UNKNOWN_TOPIC_OR_PARTITION" } });
  });
}
