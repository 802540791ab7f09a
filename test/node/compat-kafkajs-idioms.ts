// Common kafkajs idioms, written as kafkajs users write them, run against @rill/kafkajs with only
// the import (and `brokers`) changed. Runtime-agnostic: the Node file runs them against the
// in-process broker over a socket, the workerd file against the edge broker through SELF.fetch.
import {
  AclOperationTypes,
  AclPermissionTypes,
  AclResourceTypes,
  CompressionTypes,
  ConfigResourceTypes,
  type EachBatchPayload,
  type EachMessagePayload,
  type Kafka,
  type KafkaConfig,
  KafkaJSInvalidArgument,
  KafkaJSNotImplemented,
  KafkaJSProtocolError,
  type LogEntry,
  logLevel,
  type Message,
  ResourcePatternTypes,
} from "@rill/kafkajs";
import { expect } from "vitest";
import { until } from "../helpers/wait.ts";

export interface IdiomContext {
  kafka: Kafka;
  /** A Kafka instance with other settings (same brokers and transport). */
  kafkaWith(config: Partial<KafkaConfig>): Kafka;
  /** A new topic of `partitions` partitions (made with kafkajs's own admin). */
  topic(partitions?: number): Promise<string>;
  group(): string;
}

export interface Idiom {
  name: string;
  run(ctx: IdiomContext): Promise<void>;
}

const text = (b: { toString(): string } | null | undefined) => (b === null || b === undefined ? null : b.toString());

/** Sends `messages` with a producer of its own: the setup of the consumer and admin idioms. */
async function send(ctx: IdiomContext, topic: string, messages: Message[]): Promise<void> {
  const producer = ctx.kafka.producer();
  await producer.connect();
  await producer.send({ topic, messages });
  await producer.disconnect();
}

/** Runs a consumer of `topics` from the beginning and collects what eachMessage hands over. */
async function collect(ctx: IdiomContext, topics: string[], count: number) {
  const consumer = ctx.kafka.consumer({ groupId: ctx.group(), maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: true });
  const seen: EachMessagePayload[] = [];
  await consumer.run({ eachMessage: async (payload) => void seen.push(payload) });
  await until(() => seen.length >= count, `${count} messages`);
  await consumer.disconnect();
  return seen;
}

export const idioms: Idiom[] = [
  {
    name: "1. producer: connect, send one message, disconnect",
    async run(ctx) {
      const topic = await ctx.topic();
      const producer = ctx.kafka.producer();
      await producer.connect();
      const result = await producer.send({ topic, messages: [{ value: "Hello KafkaJS user!" }] });
      expect(result).toEqual([expect.objectContaining({ topicName: topic, partition: 0, errorCode: 0, baseOffset: "0" })]);
      await producer.disconnect();
    },
  },
  {
    name: "2. keyed messages land on one partition, in order",
    async run(ctx) {
      const topic = await ctx.topic(4);
      const producer = ctx.kafka.producer();
      await producer.connect();
      await producer.send({ topic, messages: ["a", "b", "c"].map((value) => ({ key: "user-1", value })) });
      await producer.disconnect();
      const seen = await collect(ctx, [topic], 3);
      expect(new Set(seen.map((s) => s.partition)).size).toBe(1);
      expect(seen.map((s) => text(s.message.value))).toEqual(["a", "b", "c"]);
      expect(text(seen[0]?.message.key)).toBe("user-1");
    },
  },
  {
    name: "3. explicit partition, and offsets and timestamps as strings",
    async run(ctx) {
      const topic = await ctx.topic(3);
      const producer = ctx.kafka.producer();
      await producer.connect();
      await producer.send({ topic, messages: [{ value: "p2", partition: 2, timestamp: "1700000000000" }] });
      await producer.disconnect();
      const [only] = await collect(ctx, [topic], 1);
      expect(only?.partition).toBe(2);
      expect(only?.message.offset).toBe("0");
      expect(only?.message.timestamp).toBe("1700000000000");
    },
  },
  {
    name: "4. headers go out as strings or Buffers and come back as Buffers",
    async run(ctx) {
      const topic = await ctx.topic();
      const producer = ctx.kafka.producer();
      await producer.connect();
      await producer.send({
        topic,
        messages: [
          { value: "v", headers: { "correlation-id": "2bfb68bb", system: new TextEncoder().encode("my-system"), multi: ["x", "y"] } },
        ],
      });
      await producer.disconnect();
      const [only] = await collect(ctx, [topic], 1);
      const headers = only?.message.headers ?? {};
      expect(text(headers["correlation-id"] as never)).toBe("2bfb68bb");
      expect(text(headers.system as never)).toBe("my-system");
      expect((headers.multi as unknown as Array<{ toString(): string }>).map(text)).toEqual(["x", "y"]);
      expect(headers.system).toBeInstanceOf(Uint8Array);
    },
  },
  {
    name: "5. sendBatch to several topics",
    async run(ctx) {
      const [a, b] = [await ctx.topic(), await ctx.topic()];
      const producer = ctx.kafka.producer();
      await producer.connect();
      const result = await producer.sendBatch({
        topicMessages: [
          { topic: a as string, messages: [{ value: "a1" }, { value: "a2" }] },
          { topic: b as string, messages: [{ value: "b1" }] },
        ],
      });
      expect(result.map((r) => r.topicName).sort()).toEqual([a, b].sort());
      await producer.disconnect();
      const seen = await collect(ctx, [a as string, b as string], 3);
      expect(seen.map((s) => text(s.message.value)).sort()).toEqual(["a1", "a2", "b1"]);
    },
  },
  {
    name: "6. acks: -1, 1 and 0",
    async run(ctx) {
      const topic = await ctx.topic();
      const producer = ctx.kafka.producer();
      await producer.connect();
      await producer.send({ topic, acks: -1, messages: [{ value: "all" }] });
      await producer.send({ topic, acks: 1, messages: [{ value: "leader" }] });
      await producer.send({ topic, acks: 0, messages: [{ value: "fire" }] });
      await producer.disconnect();
      const seen = await collect(ctx, [topic], 3);
      expect(seen.map((s) => text(s.message.value))).toEqual(["all", "leader", "fire"]);
    },
  },
  {
    name: "7. GZIP and Snappy compression",
    async run(ctx) {
      const topic = await ctx.topic();
      const producer = ctx.kafka.producer();
      await producer.connect();
      await producer.send({ topic, compression: CompressionTypes.GZIP, messages: [{ value: "zipped".repeat(100) }] });
      await producer.send({ topic, compression: CompressionTypes.Snappy, messages: [{ value: "snappy" }] });
      await producer.disconnect();
      const seen = await collect(ctx, [topic], 2);
      expect(seen.map((s) => text(s.message.value))).toEqual(["zipped".repeat(100), "snappy"]);
    },
  },
  {
    name: "8. idempotent producer with one request in flight",
    async run(ctx) {
      const topic = await ctx.topic();
      const producer = ctx.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
      expect(producer.isIdempotent()).toBe(true);
      await producer.connect();
      for (let i = 0; i < 5; i++) await producer.send({ topic, messages: [{ value: `m${i}` }] });
      await producer.disconnect();
      const seen = await collect(ctx, [topic], 5);
      expect(seen.map((s) => s.message.offset)).toEqual(["0", "1", "2", "3", "4"]);
    },
  },
  {
    name: "9. producer instrumentation events",
    async run(ctx) {
      const topic = await ctx.topic();
      const producer = ctx.kafka.producer();
      const events: string[] = [];
      const removeConnect = producer.on(producer.events.CONNECT, (e) => void events.push(e.type));
      producer.on(producer.events.DISCONNECT, (e) => void events.push(e.type));
      producer.on(producer.events.REQUEST, (e) => void events.push(e.type));
      await producer.connect();
      removeConnect();
      await producer.send({ topic, messages: [{ value: "x" }] });
      await producer.disconnect();
      expect(events[events.length - 1]).toBe("producer.disconnect");
      expect(events).toContain("producer.connect");
      expect(events).toContain("producer.request");
    },
  },
  {
    name: "10. transactions are refused by name, not ignored",
    async run(ctx) {
      const producer = ctx.kafka.producer({ transactionalId: "my-tx", maxInFlightRequests: 1, idempotent: true });
      await expect(producer.transaction()).rejects.toBeInstanceOf(KafkaJSNotImplemented);
    },
  },
  {
    name: "11. subscribe({ topic, fromBeginning: true }) and eachMessage",
    async run(ctx) {
      const topic = await ctx.topic();
      await send(ctx, topic, [{ value: "before the consumer" }]);
      const consumer = ctx.kafka.consumer({ groupId: ctx.group() });
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      const values: string[] = [];
      await consumer.run({
        eachMessage: async ({ topic: t, partition, message }) => {
          expect(t).toBe(topic);
          expect(partition).toBe(0);
          values.push(message.value?.toString() ?? "");
        },
      });
      await until(() => values.length === 1, "the earlier message");
      expect(values).toEqual(["before the consumer"]);
      await consumer.disconnect();
    },
  },
  {
    name: "12. subscribe({ topics: [a, b] })",
    async run(ctx) {
      const [a, b] = [await ctx.topic(), await ctx.topic()] as [string, string];
      const producer = ctx.kafka.producer();
      await producer.connect();
      await producer.send({ topic: a, messages: [{ value: "from a" }] });
      await producer.send({ topic: b, messages: [{ value: "from b" }] });
      await producer.disconnect();
      const seen = await collect(ctx, [a, b], 2);
      expect(seen.map((s) => `${s.topic === a ? "a" : "b"}:${text(s.message.value)}`).sort()).toEqual(["a:from a", "b:from b"]);
    },
  },
  {
    name: "13. subscribe to a RegExp of topics",
    async run(ctx) {
      const topic = await ctx.topic();
      await send(ctx, topic, [{ value: "matched" }]);
      const consumer = ctx.kafka.consumer({ groupId: ctx.group(), maxWaitTimeInMs: 100 });
      await consumer.subscribe({ topic: new RegExp(`^${topic.replace(/[.-]/g, "\\$&")}$`), fromBeginning: true });
      const values: string[] = [];
      await consumer.run({ eachMessage: async ({ message }) => void values.push(text(message.value) ?? "") });
      await until(() => values.length === 1, "the matched topic's message");
      expect(values).toEqual(["matched"]);
      await consumer.disconnect();
    },
  },
  {
    name: "14. eachBatch with resolveOffset and heartbeat",
    async run(ctx) {
      const topic = await ctx.topic();
      await send(ctx, topic, [{ value: "1" }, { value: "2" }, { value: "3" }]);
      const consumer = ctx.kafka.consumer({ groupId: ctx.group(), maxWaitTimeInMs: 100 });
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      const values: string[] = [];
      let lastBatch: EachBatchPayload["batch"] | undefined;
      await consumer.run({
        eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
          lastBatch = batch;
          for (const message of batch.messages) {
            if (!isRunning() || isStale()) break;
            values.push(text(message.value) ?? "");
            resolveOffset(message.offset);
            await heartbeat();
          }
        },
      });
      await until(() => values.length === 3, "three messages");
      expect(values).toEqual(["1", "2", "3"]);
      expect(lastBatch?.highWatermark).toBe("3");
      expect(lastBatch?.lastOffset()).toBe("2");
      await consumer.disconnect();
    },
  },
  {
    name: "15. eachBatchAutoResolve: false commits only what was resolved",
    async run(ctx) {
      const topic = await ctx.topic();
      const groupId = ctx.group();
      await send(ctx, topic, [{ value: "1" }, { value: "2" }, { value: "3" }]);
      const consumer = ctx.kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      let batches = 0;
      await consumer.run({
        eachBatchAutoResolve: false,
        eachBatch: async ({ batch, resolveOffset }) => {
          batches++;
          // only the first message is handled
          const first = batch.messages[0];
          if (first && batches === 1) resolveOffset(first.offset);
        },
      });
      await until(() => batches >= 1, "a batch");
      await consumer.disconnect();
      const admin = ctx.kafka.admin();
      const offsets = await admin.fetchOffsets({ groupId, topics: [topic] });
      expect(offsets).toEqual([{ topic, partitions: [{ partition: 0, offset: "1", metadata: null }] }]);
    },
  },
  {
    name: "16. autoCommit: committed offsets survive the consumer",
    async run(ctx) {
      const topic = await ctx.topic();
      const groupId = ctx.group();
      await send(ctx, topic, [{ value: "x" }, { value: "y" }]);
      const consumer = ctx.kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
      await consumer.subscribe({ topic, fromBeginning: true });
      let n = 0;
      await consumer.run({ autoCommit: true, autoCommitInterval: 100, eachMessage: async () => void n++ });
      await until(() => n === 2, "both messages");
      await consumer.disconnect();
      const [committed] = await ctx.kafka.admin().fetchOffsets({ groupId, topics: [topic] });
      expect(committed?.partitions[0]?.offset).toBe("2");
    },
  },
  {
    name: "17. autoCommit: false and consumer.commitOffsets",
    async run(ctx) {
      const topic = await ctx.topic();
      const groupId = ctx.group();
      await send(ctx, topic, [{ value: "x" }, { value: "y" }]);
      const consumer = ctx.kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
      await consumer.subscribe({ topic, fromBeginning: true });
      const commits: unknown[] = [];
      consumer.on(consumer.events.COMMIT_OFFSETS, (e) => void commits.push(e.payload));
      let handled = 0;
      await consumer.run({
        autoCommit: false,
        eachMessage: async ({ topic: t, partition, message }) => {
          if (message.offset === "0")
            await consumer.commitOffsets([{ topic: t, partition, offset: (Number(message.offset) + 1).toString() }]);
          handled++;
        },
      });
      await until(() => handled === 2, "both messages");
      await consumer.disconnect();
      const [committed] = await ctx.kafka.admin().fetchOffsets({ groupId, topics: [topic] });
      expect(committed?.partitions[0]?.offset).toBe("1");
      expect(commits).toHaveLength(1);
    },
  },
  {
    name: "18. seek back to the start while running",
    async run(ctx) {
      const topic = await ctx.topic();
      await send(ctx, topic, [{ value: "a" }, { value: "b" }]);
      const consumer = ctx.kafka.consumer({ groupId: ctx.group(), maxWaitTimeInMs: 100 });
      await consumer.subscribe({ topic, fromBeginning: true });
      const values: string[] = [];
      let sought = false;
      await consumer.run({
        eachMessage: async ({ message }) => {
          values.push(text(message.value) ?? "");
          if (values.length === 2 && !sought) {
            sought = true;
            consumer.seek({ topic, partition: 0, offset: "0" });
          }
        },
      });
      await until(() => values.length >= 4, "the messages twice");
      expect(values.slice(0, 4)).toEqual(["a", "b", "a", "b"]);
      await consumer.disconnect();
    },
  },
  {
    name: "19. pause() from eachMessage, paused(), resume()",
    async run(ctx) {
      const topic = await ctx.topic();
      await send(ctx, topic, [{ value: "1" }, { value: "2" }]);
      const consumer = ctx.kafka.consumer({ groupId: ctx.group(), maxWaitTimeInMs: 100 });
      await consumer.subscribe({ topic, fromBeginning: true });
      const values: string[] = [];
      let resumeLater: (() => void) | undefined;
      await consumer.run({
        eachMessage: async ({ message, pause }) => {
          values.push(text(message.value) ?? "");
          if (values.length === 1) resumeLater = pause();
        },
      });
      await until(() => resumeLater !== undefined, "the pause");
      expect(consumer.paused()).toEqual([{ topic, partitions: [0] }]);
      expect(values).toEqual(["1"]);
      consumer.resume([{ topic }]);
      await until(() => values.length === 2, "the second message after resume");
      expect(consumer.paused()).toEqual([]);
      await consumer.disconnect();
    },
  },
  {
    name: "20. stop() and run() again",
    async run(ctx) {
      const topic = await ctx.topic();
      const producer = ctx.kafka.producer();
      await producer.connect();
      await producer.send({ topic, messages: [{ value: "first" }] });
      const consumer = ctx.kafka.consumer({ groupId: ctx.group(), maxWaitTimeInMs: 100 });
      await consumer.subscribe({ topic, fromBeginning: true });
      const values: string[] = [];
      await consumer.run({ eachMessage: async ({ message }) => void values.push(text(message.value) ?? "") });
      await until(() => values.length === 1, "first");
      await consumer.stop();
      await producer.send({ topic, messages: [{ value: "second" }] });
      await consumer.run({ eachMessage: async ({ message }) => void values.push(text(message.value) ?? "") });
      await until(() => values.length === 2, "second");
      expect(values).toEqual(["first", "second"]);
      await consumer.disconnect();
      await producer.disconnect();
    },
  },
  {
    name: "21. consumer instrumentation: GROUP_JOIN and batch events",
    async run(ctx) {
      const topic = await ctx.topic();
      await send(ctx, topic, [{ value: "x" }]);
      const consumer = ctx.kafka.consumer({ groupId: ctx.group(), maxWaitTimeInMs: 100 });
      const seen: string[] = [];
      consumer.on(consumer.events.GROUP_JOIN, (e) => void seen.push(e.type));
      consumer.on(consumer.events.END_BATCH_PROCESS, (e) => void seen.push(e.type));
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({ eachBatch: async () => undefined });
      await until(() => seen.includes("consumer.end_batch_process"), "a processed batch");
      expect(seen[0]).toBe("consumer.group_join");
      await consumer.disconnect();
    },
  },
  {
    name: "22. two consumers of one group share the partitions",
    async run(ctx) {
      const topic = await ctx.topic(4);
      const groupId = ctx.group();
      const a = ctx.kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
      const b = ctx.kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
      const owner = new Map<number, string>();
      for (const [name, consumer] of [
        ["a", a],
        ["b", b],
      ] as const) {
        await consumer.subscribe({ topic, fromBeginning: true });
        await consumer.run({ eachMessage: async ({ partition }) => void owner.set(partition, name) });
      }
      const producer = ctx.kafka.producer();
      await producer.connect();
      // keep writing to every partition until both members have handled some
      await until(
        async () => {
          await producer.send({ topic, messages: [0, 1, 2, 3].map((partition) => ({ value: "x", partition })) });
          return new Set(owner.values()).size === 2;
        },
        "both members consuming",
        { everyMs: 20 },
      );
      await producer.disconnect();
      await a.disconnect();
      await b.disconnect();
    },
  },
  {
    name: "23. consumer.describeGroup",
    async run(ctx) {
      const topic = await ctx.topic();
      const groupId = ctx.group();
      const consumer = ctx.kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
      await consumer.subscribe({ topic });
      await consumer.run({ eachMessage: async () => undefined });
      const description = await consumer.describeGroup();
      expect(description).toMatchObject({ groupId, protocolType: "consumer", errorCode: 0 });
      expect(description.members).toHaveLength(1);
      await consumer.disconnect();
    },
  },
  {
    name: "24. admin: connect, createTopics (true, then false), disconnect",
    async run(ctx) {
      const admin = ctx.kafka.admin();
      await admin.connect();
      const topic = `${ctx.group()}-created`;
      const created = await admin.createTopics({
        waitForLeaders: true,
        topics: [{ topic, numPartitions: 2, replicationFactor: 1, configEntries: [{ name: "cleanup.policy", value: "compact" }] }],
      });
      expect(created).toBe(true);
      expect(await admin.createTopics({ topics: [{ topic }] })).toBe(false);
      await admin.disconnect();
    },
  },
  {
    name: "25. admin: listTopics and deleteTopics",
    async run(ctx) {
      const admin = ctx.kafka.admin();
      const topic = await ctx.topic();
      expect(await admin.listTopics()).toContain(topic);
      await admin.deleteTopics({ topics: [topic] });
      expect(await admin.listTopics()).not.toContain(topic);
    },
  },
  {
    name: "26. admin: createPartitions and fetchTopicMetadata",
    async run(ctx) {
      const admin = ctx.kafka.admin();
      const topic = await ctx.topic(1);
      await admin.createPartitions({ topicPartitions: [{ topic, count: 3 }] });
      const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
      expect(topics[0]?.name).toBe(topic);
      expect(topics[0]?.partitions.map((p) => p.partitionId).sort()).toEqual([0, 1, 2]);
      expect(topics[0]?.partitions[0]).toMatchObject({ partitionErrorCode: 0, leader: expect.any(Number), isr: expect.any(Array) });
    },
  },
  {
    name: "27. admin: fetchTopicOffsets and fetchTopicOffsetsByTimestamp",
    async run(ctx) {
      const admin = ctx.kafka.admin();
      const topic = await ctx.topic();
      const producer = ctx.kafka.producer();
      await producer.connect();
      await producer.send({
        topic,
        messages: [
          { value: "old", timestamp: "1000" },
          { value: "new", timestamp: "5000" },
        ],
      });
      await producer.disconnect();
      expect(await admin.fetchTopicOffsets(topic)).toEqual([{ partition: 0, offset: "2", high: "2", low: "0" }]);
      expect(await admin.fetchTopicOffsetsByTimestamp(topic, 3000)).toEqual([{ partition: 0, offset: "1" }]);
    },
  },
  {
    name: "28. admin: fetchOffsets, setOffsets, resetOffsets({ earliest })",
    async run(ctx) {
      const admin = ctx.kafka.admin();
      const topic = await ctx.topic(2);
      const groupId = ctx.group();
      await send(
        ctx,
        topic,
        [0, 0, 1].map((partition) => ({ value: "v", partition })),
      );
      expect(await admin.fetchOffsets({ groupId, topics: [topic] })).toEqual([
        {
          topic,
          partitions: [
            { partition: 0, offset: "-1", metadata: null },
            { partition: 1, offset: "-1", metadata: null },
          ],
        },
      ]);
      await admin.setOffsets({ groupId, topic, partitions: [{ partition: 0, offset: "1" }] });
      expect((await admin.fetchOffsets({ groupId, topics: [topic] }))[0]?.partitions[0]?.offset).toBe("1");
      await admin.resetOffsets({ groupId, topic });
      expect((await admin.fetchOffsets({ groupId, topics: [topic] }))[0]?.partitions.map((p) => p.offset)).toEqual(["2", "1"]);
      await admin.resetOffsets({ groupId, topic, earliest: true });
      expect((await admin.fetchOffsets({ groupId, topics: [topic] }))[0]?.partitions.map((p) => p.offset)).toEqual(["0", "0"]);
    },
  },
  {
    name: "29. admin: listGroups, describeGroups, deleteGroups",
    async run(ctx) {
      const admin = ctx.kafka.admin();
      const topic = await ctx.topic();
      const groupId = ctx.group();
      await admin.setOffsets({ groupId, topic, partitions: [{ partition: 0, offset: "0" }] });
      const { groups } = await admin.listGroups();
      expect(groups).toContainEqual({ groupId, protocolType: "consumer" });
      const described = await admin.describeGroups([groupId]);
      expect(described.groups[0]).toMatchObject({ groupId, state: "Empty", members: [] });
      expect(await admin.deleteGroups([groupId])).toEqual([{ groupId, errorCode: 0 }]);
      expect((await admin.listGroups()).groups.map((g) => g.groupId)).not.toContain(groupId);
    },
  },
  {
    name: "30. admin: describeConfigs and alterConfigs",
    async run(ctx) {
      const admin = ctx.kafka.admin();
      const topic = await ctx.topic();
      await admin.alterConfigs({
        validateOnly: false,
        resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configEntries: [{ name: "retention.ms", value: "3600000" }] }],
      });
      const { resources } = await admin.describeConfigs({
        includeSynonyms: false,
        resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ["retention.ms", "cleanup.policy"] }],
      });
      expect(resources[0]?.configEntries).toEqual([
        expect.objectContaining({ configName: "retention.ms", configValue: "3600000", isDefault: false }),
        expect.objectContaining({ configName: "cleanup.policy", configValue: "delete", isDefault: true }),
      ]);
    },
  },
  {
    name: "31. admin: deleteTopicRecords",
    async run(ctx) {
      const admin = ctx.kafka.admin();
      const topic = await ctx.topic();
      await send(
        ctx,
        topic,
        ["a", "b", "c"].map((value) => ({ value })),
      );
      await admin.deleteTopicRecords({ topic, partitions: [{ partition: 0, offset: "2" }] });
      expect(await admin.fetchTopicOffsets(topic)).toEqual([{ partition: 0, offset: "3", high: "3", low: "2" }]);
      const [only] = await collect(ctx, [topic], 1);
      expect(text(only?.message.value)).toBe("c");
    },
  },
  {
    name: "32. admin: describeCluster and ACLs",
    async run(ctx) {
      const admin = ctx.kafka.admin();
      const cluster = await admin.describeCluster();
      expect(cluster.brokers).toHaveLength(1);
      expect(cluster.controller).toBe(0);
      const principal = `User:${ctx.group()}`;
      const acl = {
        resourceType: AclResourceTypes.TOPIC,
        resourceName: "orders",
        resourcePatternType: ResourcePatternTypes.LITERAL,
        principal,
        host: "*",
        operation: AclOperationTypes.READ,
        permissionType: AclPermissionTypes.ALLOW,
      };
      await admin.createAcls({ acl: [acl] });
      const described = await admin.describeAcls({ principal, resourceType: AclResourceTypes.TOPIC });
      expect(described.resources).toEqual([
        {
          resourceType: 2,
          resourceName: "orders",
          resourcePatternType: 3,
          acls: [expect.objectContaining({ principal, operation: 3, permissionType: 3 })],
        },
      ]);
      const deleted = await admin.deleteAcls({ filters: [{ principal }] });
      expect(deleted.filterResponses[0]?.matchingAcls).toHaveLength(1);
    },
  },
  {
    name: "33. errors: a send to a missing topic is a KafkaJSProtocolError, an unknown option a KafkaJSInvalidArgument",
    async run(ctx) {
      const producer = ctx.kafka.producer({ retry: { retries: 0 } });
      await producer.connect();
      const error = await producer.send({ topic: `${ctx.group()}-missing`, messages: [{ value: "x" }] }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(KafkaJSProtocolError);
      expect(error).toMatchObject({ type: "UNKNOWN_TOPIC_OR_PARTITION", retriable: false });
      await producer.disconnect();
      expect(() => ctx.kafka.consumer({ groupId: "g", sessionTimeOut: 1000 } as never)).toThrow(KafkaJSInvalidArgument);
    },
  },
  {
    name: "34. logLevel and logCreator",
    async run(ctx) {
      const entries: LogEntry[] = [];
      const kafka = ctx.kafkaWith({ logLevel: logLevel.WARN, logCreator: () => (entry) => void entries.push(entry) });
      kafka.logger().info("not shown");
      kafka.logger().warn("shown", { extra: 1 });
      expect(entries.map((e) => [e.label, e.log.message, e.log.extra])).toEqual([["WARN", "shown", 1]]);
    },
  },
];
