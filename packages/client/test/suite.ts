// The client suite: one set of cases run in every runtime the client must work in unchanged
// (Node against the in-process app, workerd against the Durable Object broker through SELF.fetch,
// Chromium against a Node server over real HTTP). Runtime-specific cases live beside each runner.
import {
  batchCompression,
  type CompressionType,
  encodeUtf8,
  isRillError,
  partitionForKey,
  readBatchHeader,
  splitBatches,
} from "@rill/core";
import { describe, expect, it } from "vitest";
import { z } from "zod/v4";
import { uniqueTopic } from "../../../test/helpers/names.ts";
import { until } from "../../../test/helpers/wait.ts";
import {
  type Client,
  type ClientOptions,
  createClient,
  deserializers,
  type FetchLike,
  type RecordMetadata,
  serializers,
} from "../src/index.ts";

export interface ClientFixture {
  name: string;
  brokers: string[];
  /** Default: the global fetch. */
  fetch?: FetchLike;
}

export function fixtureClient(fixture: ClientFixture, extra: Partial<ClientOptions> = {}): Client {
  return createClient({
    brokers: fixture.brokers,
    fetch: fixture.fetch,
    clientId: "client-suite",
    logger: { warn: () => undefined },
    ...extra,
  });
}

export const baseFetch = (fixture: ClientFixture): FetchLike => fixture.fetch ?? ((input, init) => fetch(input, init));

export interface ConsumedRecord {
  partition: number;
  offset: number;
  key: string | null;
  value: string | null;
  timestamp: number;
  headers: Record<string, string>;
}

/** Reads every partition of `topic` from the start until `count` records arrived (or 10 s passed). */
export async function readAll(client: Client, topic: string, count: number): Promise<ConsumedRecord[]> {
  const consumer = client.consumer({
    autoOffsetReset: "earliest",
    fetchMaxWaitMs: 100,
    deserializers: { key: deserializers.string, value: deserializers.string },
  });
  await consumer.assign([{ topic }]);
  const out: ConsumedRecord[] = [];
  await consumer.run({
    signal: AbortSignal.timeout(10_000),
    eachMessage: ({ partition, message }) => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(message.headers)) headers[k] = new TextDecoder().decode(v as Uint8Array);
      out.push({ partition, offset: message.offset, key: message.key, value: message.value, timestamp: message.timestamp, headers });
      if (out.length >= count) void consumer.stop();
    },
  });
  await consumer.disconnect();
  return out;
}

export type Fault = "pass" | "drop-response" | "fail-before" | "delay";

/**
 * Wraps a fetch so batch appends meet faults: the response lost after the broker appended
 * ("drop-response"), the request lost before it ("fail-before"), or held back so later requests
 * overtake it ("delay"). Counts the broker's duplicate and out-of-order answers.
 */
export function faultyFetch(inner: FetchLike, plan: (n: number) => Fault) {
  const stats = { batchPosts: 0, duplicates: 0, outOfOrder: 0, injected: 0 };
  const wrapped: FetchLike = async (input, init) => {
    if (init.method !== "POST" || !input.includes("/batches")) return inner(input, init);
    const fault = plan(stats.batchPosts++);
    if (fault === "fail-before") {
      stats.injected++;
      throw new TypeError("injected: connection refused");
    }
    if (fault === "delay") await new Promise((r) => setTimeout(r, 15));
    const response = await inner(input, init);
    const body = await response.clone().text();
    if (body.includes('"duplicate":true')) stats.duplicates++;
    if (body.includes("OUT_OF_ORDER_SEQUENCE_NUMBER")) stats.outOfOrder++;
    if (fault === "drop-response") {
      stats.injected++;
      throw new TypeError("injected: connection reset after the request was processed");
    }
    return response;
  };
  return { fetch: wrapped, stats };
}

/** The same fault pattern for every idempotence run: losses both sides of the broker, and overtaking. */
export const mixedFaults = (n: number): Fault =>
  n % 5 === 1 ? "drop-response" : n % 7 === 3 ? "fail-before" : n % 4 === 2 ? "delay" : "pass";

export function clientSuite(fixture: ClientFixture): void {
  describe(`client: ${fixture.name}`, () => {
    it("administers topics and rebuilds the broker's typed errors", async () => {
      const warnings: string[] = [];
      const admin = fixtureClient(fixture, { logger: { warn: (m) => warnings.push(m) } }).admin();
      const topic = uniqueTopic();
      expect(
        await admin.createTopics({ topics: [{ topic, numPartitions: 2, configEntries: [{ name: "retention.ms", value: "60000" }] }] }),
      ).toBe(true);
      expect(await admin.createTopics({ topics: [{ topic }] })).toBe(false);
      expect(await admin.listTopics()).toContain(topic);
      const described = await admin.describeTopic(topic);
      expect(described.partitions.map((p) => p.partition)).toEqual([0, 1]);
      expect(described.config["retention.ms"]).toBe("60000");
      expect((await admin.alterTopicConfig(topic, { "retention.ms": "1000" })).config["retention.ms"]).toBe("1000");
      const added = await admin.createPartitions({ topicPartitions: [{ topic, count: 4 }] });
      expect(added[0]).toMatchObject({ topic, partitions: 4 });
      expect(added[0]?.warning).toMatch(/keyed records/);
      expect(warnings.some((w) => /keyed records/.test(w))).toBe(true);
      expect((await admin.fetchTopicMetadata({ topics: [topic] })).topics[0]?.partitions).toHaveLength(4);
      expect(await admin.fetchTopicOffsets(topic)).toEqual([0, 1, 2, 3].map((partition) => ({ partition, offset: 0, high: 0, low: 0 })));
      await admin.deleteTopics({ topics: [topic] });
      const error = await admin.describeTopic(topic).catch((e: unknown) => e);
      expect(isRillError(error, "UNKNOWN_TOPIC_OR_PARTITION")).toBe(true);
      expect(error).toMatchObject({ code: "UNKNOWN_TOPIC_OR_PARTITION", retriable: false });
      const invalid = await admin.createTopics({ topics: [{ topic: uniqueTopic(), numPartitions: 0 }] }).catch((e: unknown) => e);
      expect(invalid).toMatchObject({ name: "RillError", code: "INVALID_PARTITIONS" });
    });

    it("produces keyed records where Kafka's partitioner puts them and consumes them in order", async () => {
      const client = fixtureClient(fixture);
      const topic = uniqueTopic();
      await client.admin().createTopics({ topics: [{ topic, numPartitions: 3 }] });
      const producer = client.producer({ lingerMs: 1 });
      const keys = ["alice", "bob", "carol", "dave", "alice", "erin", "bob"];
      const metadata = await producer.send({
        topic,
        messages: keys.map((key, i) => ({ key, value: `v${i}`, headers: { trace: `t${i}` }, timestamp: 1_700_000_000_000 + i })),
      });
      expect(metadata.map((m) => m.partition)).toEqual(keys.map((k) => partitionForKey(encodeUtf8(k), 3)));
      for (const m of metadata) expect(m).toMatchObject({ topicName: topic, errorCode: 0 });
      await producer.disconnect();
      const records = await readAll(client, topic, keys.length);
      expect(records).toHaveLength(keys.length);
      for (const [i, key] of keys.entries()) {
        const r = records.find((x) => x.value === `v${i}`);
        expect(r).toMatchObject({ key, partition: metadata[i]?.partition, offset: metadata[i]?.offset, timestamp: 1_700_000_000_000 + i });
        expect(r?.headers).toEqual({ trace: `t${i}` });
      }
      for (let p = 0; p < 3; p++) {
        const offsets = records.filter((r) => r.partition === p).map((r) => r.offset);
        expect(offsets).toEqual(offsets.map((_, i) => i));
      }
    });

    for (const compression of ["gzip", "snappy", "lz4"] as const) {
      it(`round-trips ${compression}-compressed batches through the broker`, async () => {
        const client = fixtureClient(fixture);
        const topic = uniqueTopic(compression);
        await client.admin().createTopics({ topics: [{ topic }] });
        const producer = client.producer({ compression, lingerMs: 20 });
        const values = Array.from({ length: 40 }, (_, i) => `${compression} record ${i} `.repeat(8));
        await Promise.all(values.map((value) => producer.send({ topic, messages: [{ value }] })));
        await producer.disconnect();
        const raw = await baseFetch(fixture)(`${fixture.brokers[0]}/v1/topics/${topic}/partitions/0/records?offset=0`, {
          headers: { accept: "application/vnd.rill.batches" },
        });
        const stored = splitBatches(new Uint8Array(await raw.arrayBuffer()));
        expect(stored.length).toBeGreaterThan(0);
        for (const b of stored) expect(batchCompression(readBatchHeader(b.bytes)) satisfies CompressionType).toBe(compression);
        expect((await readAll(client, topic, values.length)).map((r) => r.value)).toEqual(values);
      });
    }

    it("refuses records that break the topic's schema, naming the field, and sends nothing", async () => {
      const client = fixtureClient(fixture);
      const [zodTopic, jsonTopic] = [uniqueTopic("zod"), uniqueTopic("json")];
      await client.admin().createTopics({ topics: [{ topic: zodTopic }, { topic: jsonTopic }] });
      const producer = client.producer({
        serializers: { value: serializers.json },
        schemas: {
          [zodTopic]: z.object({ id: z.string(), amount: z.number() }),
          [jsonTopic]: {
            jsonSchema: {
              type: "object",
              required: ["id"],
              properties: {
                id: { type: "string" },
                lines: { type: "array", items: { type: "object", properties: { qty: { type: "integer" } } } },
              },
            },
          },
        },
      });
      const zodError = await producer.send({ topic: zodTopic, messages: [{ value: { id: "a", amount: "12" } }] }).catch((e: unknown) => e);
      expect(zodError).toMatchObject({ code: "INVALID_RECORD" });
      expect((zodError as Error).message).toMatch(/^value\.amount: .*expected number/);
      const jsonError = await producer
        .send({ topic: jsonTopic, messages: [{ value: { id: "b", lines: [{ qty: 1 }, { qty: 1.5 }] } }] })
        .catch((e) => e);
      expect(jsonError).toMatchObject({ code: "INVALID_RECORD" });
      expect((jsonError as Error).message).toMatch(/^value\.lines\[1\]\.qty: .*integer/);
      // one bad message refuses the whole send: its good neighbours are not sent either
      await expect(
        producer.send({ topic: zodTopic, messages: [{ value: { id: "ok", amount: 1 } }, { value: { id: 7 } }] }),
      ).rejects.toThrow(/value\.id.*message 1/);
      const good = await producer.send({ topic: zodTopic, messages: [{ value: { id: "c", amount: 3 } }] });
      expect(good[0]?.offset).toBe(0);
      await producer.disconnect();
    });

    it("retries idempotently through lost requests and responses: no duplicates, order kept", async () => {
      const faults = faultyFetch(baseFetch(fixture), mixedFaults);
      const client = fixtureClient({ ...fixture, fetch: faults.fetch }, { retry: { initialRetryTime: 5, retries: 20 } });
      const topic = uniqueTopic("idem");
      await client.admin().createTopics({ topics: [{ topic, numPartitions: 2 }] });
      // one record per batch and five batches in flight per partition: the most reordering possible
      const producer = client.producer({ batchSize: 1, lingerMs: 0, maxInFlight: 5 });
      const sends: Array<Promise<RecordMetadata[]>> = [];
      for (let i = 0; i < 60; i++) sends.push(producer.send({ topic, messages: [{ value: `m${i}`, partition: i % 2 }] }));
      const metadata = (await Promise.all(sends)).map((m) => m[0] as RecordMetadata);
      await producer.disconnect();
      expect(faults.stats.injected).toBeGreaterThan(5);
      expect(faults.stats.duplicates).toBeGreaterThan(0);
      const records = await readAll(fixtureClient(fixture), topic, 60);
      for (const p of [0, 1]) {
        const values = records.filter((r) => r.partition === p).map((r) => r.value);
        expect(values).toEqual(Array.from({ length: 30 }, (_, i) => `m${i * 2 + p}`));
      }
      // every send learned the offset its record really has
      for (const [i, m] of metadata.entries()) expect(records.find((r) => r.value === `m${i}`)?.offset).toBe(m.offset);
      expect((await fixtureClient(fixture).admin().fetchTopicOffsets(topic)).map((o) => o.high)).toEqual([30, 30]);
    });

    it("serializes and deserializes JSON and int32 values", async () => {
      const client = fixtureClient(fixture);
      const topic = uniqueTopic();
      await client.admin().createTopics({ topics: [{ topic }] });
      const producer = client.producer({ serializers: { key: serializers.int32, value: serializers.json } });
      await producer.send({
        topic,
        messages: [
          { key: -7, value: { a: [1, "two"] } },
          { key: 2 ** 31 - 1, value: null },
        ],
      });
      await producer.disconnect();
      const consumer = client.consumer({
        autoOffsetReset: "earliest",
        deserializers: { key: deserializers.int32, value: deserializers.json },
      });
      await consumer.assign([{ topic }]);
      const seen: Array<[number | null, unknown]> = [];
      await consumer.run({
        eachMessage: ({ message }) => {
          seen.push([message.key, message.value]);
          if (seen.length === 2) void consumer.stop();
        },
      });
      expect(seen).toEqual([
        [-7, { a: [1, "two"] }],
        [2 ** 31 - 1, null],
      ]);
    });

    it("seeks by offset, to either end, and by timestamp", async () => {
      const client = fixtureClient(fixture);
      const topic = uniqueTopic();
      await client.admin().createTopics({ topics: [{ topic }] });
      const producer = client.producer();
      await producer.send({ topic, messages: [1000, 2000, 3000, 4000].map((timestamp, i) => ({ value: `r${i}`, timestamp })) });
      const consumer = client.consumer({ deserializers: { value: deserializers.string }, fetchMaxWaitMs: 50 });
      await consumer.assign([{ topic, partitions: [0] }]);
      const firstValue = async () => {
        let value: string | null = null;
        await consumer.run({
          eachMessage: ({ message }) => {
            value = message.value;
            void consumer.stop();
          },
        });
        return value;
      };
      consumer.seek({ topic, partition: 0, offset: { timestamp: 2500 } });
      expect(await firstValue()).toBe("r2");
      consumer.seek({ topic, partition: 0, offset: "beginning" });
      expect(await firstValue()).toBe("r0");
      consumer.seek({ topic, partition: 0, offset: 1 });
      expect(await firstValue()).toBe("r1");
      expect(consumer.position({ topic, partition: 0 })).toBe(2);
      consumer.seek({ topic, partition: 0, offset: "end" });
      const late = firstValue();
      // the seek to the end is resolved before the next record is produced
      await until(() => consumer.position({ topic, partition: 0 }) === 4, "the seek to the end to resolve");
      await producer.send({ topic, messages: [{ value: "after-end" }] });
      expect(await late).toBe("after-end");
      await producer.disconnect();
      await consumer.disconnect();
    });

    it("surfaces OFFSET_OUT_OF_RANGE when autoOffsetReset is none", async () => {
      const client = fixtureClient(fixture);
      const topic = uniqueTopic();
      await client.admin().createTopics({ topics: [{ topic }] });
      const consumer = client.consumer({ autoOffsetReset: "none" });
      await consumer.assign([{ topic }]);
      await expect(consumer.run({ eachMessage: () => undefined })).rejects.toMatchObject({ code: "OFFSET_OUT_OF_RANGE" });
      consumer.seek({ topic, partition: 0, offset: 5 });
      await expect(consumer.run({ eachMessage: () => undefined })).rejects.toMatchObject({ code: "OFFSET_OUT_OF_RANGE" });
    });
  });
}
