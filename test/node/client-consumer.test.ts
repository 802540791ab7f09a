// Consumer behaviour: pausing, batches, offset resets after retention, redelivery after a handler
// error, what the fetch requests ask for, the prefetch bound and request deadlines.
import { describe, expect, it } from "vitest";
import { type Client, type Consumer, deserializers } from "../../packages/client/src/index.ts";
import { inProcessBroker } from "../../packages/client/test/in-process.ts";
import { uniqueTopic } from "../helpers/names.ts";
import { until } from "../helpers/wait.ts";

type StringConsumer = Consumer<string | null, string | null>;

async function setup(partitions = 1, config: Record<string, string> = {}) {
  const env = inProcessBroker();
  const client = env.client({ retry: { initialRetryTime: 1, retries: 2 } });
  const topic = uniqueTopic("k");
  await client.admin().createTopics({
    topics: [{ topic, numPartitions: partitions, configEntries: Object.entries(config).map(([name, value]) => ({ name, value })) }],
  });
  return { env, client, topic };
}

function stringConsumer(client: Client, options: Parameters<Client["consumer"]>[0] = {}): StringConsumer {
  return client.consumer({
    fetchMaxWaitMs: 50,
    autoOffsetReset: "earliest",
    ...options,
    deserializers: { key: deserializers.string, value: deserializers.string },
  }) as StringConsumer;
}

async function produce(client: Client, topic: string, messages: Array<{ value: string; partition?: number; timestamp?: number }>) {
  const producer = client.producer({ lingerMs: 0 });
  await producer.send({ topic, messages });
  await producer.disconnect();
}

describe("consumer", () => {
  it("pauses and resumes partitions, also from inside the handler", async () => {
    const { env, client, topic } = await setup(2);
    await produce(client, topic, [
      { value: "a0", partition: 0 },
      { value: "a1", partition: 0 },
      { value: "b0", partition: 1 },
      { value: "b1", partition: 1 },
    ]);
    const consumer = stringConsumer(client);
    await consumer.assign([{ topic }]);
    consumer.pause([{ topic, partitions: [0] }]);
    expect(consumer.paused()).toEqual([{ topic, partition: 0 }]);
    const seen: string[] = [];
    let resumeB: (() => void) | undefined;
    const running = consumer.run({
      eachMessage: ({ message, pause }) => {
        seen.push(message.value as string);
        // the handler pauses its own partition after b0: b1 waits for the resume
        if (message.value === "b0") resumeB = pause();
      },
    });
    await until(() => seen.length === 1, "b0");
    // both partitions are held, and the state says so: 0 by pause(), 1 by its own handler; and
    // nothing was ever fetched for 0 (b1 may be fetched, but the paused partition hands it to nobody)
    expect(seen).toEqual(["b0"]);
    expect(consumer.paused()).toEqual(
      expect.arrayContaining([
        { topic, partition: 0 },
        { topic, partition: 1 },
      ]),
    );
    expect(consumer.paused()).toHaveLength(2);
    expect(env.requests.filter((r) => r.includes(`/topics/${topic}/partitions/0/records`))).toEqual([]);
    consumer.resume([{ topic, partitions: [0] }]);
    await until(() => seen.length === 3, "a0 and a1 after the resume");
    expect(seen).toEqual(["b0", "a0", "a1"]);
    resumeB?.();
    await until(() => seen.length === 4, "b1 after its resume");
    expect(seen[3]).toBe("b1");
    await consumer.stop();
    await running;
  });

  it("hands over batches, moving the position as far as resolveOffset says", async () => {
    const { client, topic } = await setup();
    await produce(
      client,
      topic,
      ["r0", "r1", "r2", "r3", "r4"].map((value) => ({ value })),
    );
    const consumer = stringConsumer(client);
    await consumer.assign([{ topic }]);
    const batches: Array<{ values: Array<string | null>; hw: number; lag: number; first: number | null; last: number }> = [];
    await consumer.run({
      eachBatchAutoResolve: false,
      eachBatch: ({ batch, resolveOffset, isRunning, isStale }) => {
        expect(isRunning()).toBe(true);
        expect(isStale()).toBe(false);
        batches.push({
          values: batch.messages.map((m) => m.value),
          hw: batch.highWatermark,
          lag: batch.offsetLag(),
          first: batch.firstOffset(),
          last: batch.lastOffset(),
        });
        resolveOffset(2);
        void consumer.stop();
      },
    });
    expect(batches).toEqual([{ values: ["r0", "r1", "r2", "r3", "r4"], hw: 5, lag: 0, first: 0, last: 4 }]);
    expect(consumer.position({ topic, partition: 0 })).toBe(3);
    const rest: Array<string | null> = [];
    await consumer.run({
      eachBatch: ({ batch }) => {
        rest.push(...batch.messages.map((m) => m.value));
        void consumer.stop();
      },
    });
    expect(rest).toEqual(["r3", "r4"]);
    expect(consumer.position({ topic, partition: 0 })).toBe(5);
  });

  it("resets an out-of-range position to the log start (earliest) or the end (latest)", async () => {
    const { env, client, topic } = await setup(1, { "retention.ms": "60000" });
    const old = Date.now() - 3_600_000;
    await produce(client, topic, [{ value: "old-1", timestamp: old }]);
    await produce(client, topic, [{ value: "old-2", timestamp: old + 1 }]);
    await produce(client, topic, [{ value: "fresh" }]);
    await env.broker.runMaintenance();
    expect((await client.admin().fetchTopicOffsets(topic))[0]).toMatchObject({ low: 2, high: 3 });

    const earliest = stringConsumer(client, { autoOffsetReset: "earliest" });
    await earliest.assign([{ topic }]);
    earliest.seek({ topic, partition: 0, offset: 0 });
    let first: string | null = null;
    await earliest.run({
      eachMessage: ({ message }) => {
        first = message.value;
        void earliest.stop();
      },
    });
    expect(first).toBe("fresh");

    const latest = stringConsumer(client, { autoOffsetReset: "latest" });
    await latest.assign([{ topic }]);
    latest.seek({ topic, partition: 0, offset: 0 });
    const values: Array<string | null> = [];
    const running = latest.run({
      eachMessage: ({ message }) => {
        values.push(message.value);
        void latest.stop();
      },
    });
    await until(() => latest.position({ topic, partition: 0 }) === 3, "the reset to the end");
    await produce(client, topic, [{ value: "newest" }]);
    await running;
    expect(values).toEqual(["newest"]);
  });

  it("rejects run() with the handler's error and delivers that message again on the next run", async () => {
    const { client, topic } = await setup();
    await produce(client, topic, [{ value: "ok" }, { value: "boom" }, { value: "after" }]);
    const consumer = stringConsumer(client);
    await consumer.assign([{ topic }]);
    let fail = true;
    const seen: Array<string | null> = [];
    const handler = ({ message }: { message: { value: string | null } }) => {
      seen.push(message.value);
      if (message.value === "boom" && fail) {
        fail = false;
        throw new Error("handler failed");
      }
      if (message.value === "after") void consumer.stop();
    };
    await expect(consumer.run({ eachMessage: handler })).rejects.toThrow("handler failed");
    expect(consumer.position({ topic, partition: 0 })).toBe(1);
    await consumer.run({ eachMessage: handler });
    expect(seen).toEqual(["ok", "boom", "boom", "after"]);
  });

  it("asks the broker for fetchMinBytes, fetchMaxWaitMs and maxPartitionFetchBytes in the binary format", async () => {
    const { env, client, topic } = await setup();
    await produce(client, topic, [{ value: "x" }]);
    const consumer = stringConsumer(client, { fetchMinBytes: 7, fetchMaxWaitMs: 123, maxPartitionFetchBytes: 4096 });
    await consumer.assign([{ topic }]);
    await consumer.run({ eachMessage: () => void consumer.stop() });
    const fetches = env.requests.filter((r) => r.includes("/records"));
    expect(fetches.length).toBeGreaterThan(0);
    expect(fetches[0]).toMatch(/offset=0/);
    for (const p of ["minBytes=7", "maxWaitMs=123", "maxBytes=4096"]) expect(fetches[0]).toContain(p);
  });

  it("stops fetching ahead while the prefetch buffer is full", async () => {
    const { env, topic } = await setup();
    const producing = env.client();
    for (let i = 0; i < 40; i++) await produce(producing, topic, [{ value: `v${i}` }]);
    // the network as the test sees it: each records request with how many handlers had returned
    // when it went out, and a signal once the answer to the fetch of offset 1 is in the client's hands
    const asked: Array<{ offset: number; handled: number }> = [];
    let handled = 0;
    let secondAnswered!: () => void;
    const second = new Promise<void>((r) => (secondAnswered = r));
    const client = env.client({ retry: { initialRetryTime: 1, retries: 2 } }, (inner) => async (input, init) => {
      const offset = input.includes("/records") ? Number(new URL(input).searchParams.get("offset")) : undefined;
      if (offset !== undefined) asked.push({ offset, handled });
      const response = await inner(input, init);
      if (offset === 1) secondAnswered();
      return response;
    });
    // one record per fetch, and room for one fetched record beside the one in the handler
    const consumer = stringConsumer(client, { maxPartitionFetchBytes: 1, maxPrefetchBytes: 1 });
    await consumer.assign([{ topic }]);
    const seen: string[] = [];
    const running = consumer.run({
      eachMessage: async ({ message }) => {
        seen.push(message.value as string);
        // the first handler holds on until the buffer has been filled behind it, and the fetch
        // loop has had its turn to go on (the one it must not take)
        if (seen.length === 1) {
          await second;
          await new Promise((r) => setImmediate(r));
        }
        handled++;
        if (seen.length === 40) void consumer.stop();
      },
    });
    await running;
    expect(seen).toEqual(Array.from({ length: 40 }, (_, i) => `v${i}`));
    // the bound, from the request log: the fetch of offset k went out only once the handlers had
    // returned for all but the record in hand and the one buffered (k - 1 of them); v0's handler
    // was held, so nothing after offset 1 was asked for until it returned
    for (const { offset, handled: done } of asked) expect(done, `fetch of offset ${offset}`).toBeGreaterThanOrEqual(offset - 1);
    expect(asked.slice(0, 2).map((a) => a.offset)).toEqual([0, 1]);
  });

  it("gives up a fetch after requestTimeoutMs beyond the wait, with REQUEST_TIMED_OUT", async () => {
    const { env, topic } = await setup();
    const hanging = env.client({ retry: { initialRetryTime: 1, retries: 1 } }, (inner) => async (input, init) => {
      if (!input.includes("/records")) return inner(input, init);
      return new Promise<Response>((_, reject) => init.signal?.addEventListener("abort", () => reject(init.signal?.reason)));
    });
    const consumer = hanging.consumer({ requestTimeoutMs: 30, fetchMaxWaitMs: 20, autoOffsetReset: "earliest" });
    await consumer.assign([{ topic }]);
    await expect(consumer.run({ eachMessage: () => undefined })).rejects.toMatchObject({ code: "REQUEST_TIMED_OUT", retriable: true });
  });

  it("stops a long poll at once and follows the assignment as it changes", async () => {
    const { env, client, topic } = await setup(2);
    const consumer = stringConsumer(client, { fetchMaxWaitMs: 30_000, autoOffsetReset: "latest" });
    await consumer.assign([{ topic, partitions: [0] }]);
    const seen: string[] = [];
    const running = consumer.run({ eachMessage: ({ partition, message }) => void seen.push(`${partition}:${message.value}`) });
    await until(() => consumer.position({ topic, partition: 0 }) === 0, "partition 0 positioned");
    await consumer.assign([{ topic, partitions: [1] }]);
    expect(consumer.assignment()).toEqual([{ topic, partition: 1 }]);
    const partition0 = () => env.requests.filter((r) => r.startsWith(`GET /v1/topics/${topic}/partitions/0/`)).length;
    const askedOf0 = partition0();
    await until(() => consumer.position({ topic, partition: 1 }) === 0, "partition 1 positioned");
    await produce(client, topic, [
      { value: "zero", partition: 0 },
      { value: "one", partition: 1 },
    ]);
    await until(() => seen.length === 1, "the record of partition 1");
    expect(seen).toEqual(["1:one"]);
    expect(() => consumer.seek({ topic, partition: 0, offset: 0 })).toThrow(/not assigned/);
    // the poll on partition 1 waits up to 30 s; stop() must not wait for it
    await consumer.stop();
    await running;
    // nothing more was asked of partition 0 once it was no longer assigned: its record went to nobody
    expect(partition0()).toBe(askedOf0);
    expect(seen).toEqual(["1:one"]);
  });
});
