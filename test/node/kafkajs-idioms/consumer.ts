// kafkajs consumer idioms (11-23): subscriptions, eachMessage and eachBatch, commits, seek, pause and
// resume, stop and run again, instrumentation, groups of several consumers.
import type { EachBatchPayload } from "@rill/kafkajs";
import { expect } from "vitest";
import { until } from "../../helpers/wait.ts";
import { collect, type Idiom, send, text } from "./context.ts";

export const consumerIdioms: Idiom[] = [
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
];
