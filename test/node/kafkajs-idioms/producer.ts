// kafkajs producer idioms (1-10): sends, keys and partitions, headers, batches, acks, compression,
// idempotence, instrumentation, refused transactions.
import { CompressionTypes, KafkaJSNotImplemented } from "@rill/kafkajs";
import { expect } from "vitest";
import { collect, type Idiom, text } from "./context.ts";

export const producerIdioms: Idiom[] = [
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
];
