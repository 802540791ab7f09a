// Producer behaviour that needs a controllable transport: backpressure, retry rules, batching,
// partitioners, flushing, and what the topic's own config demands.
import { encodeBatch, encodeUtf8, partitionForKey } from "@rill/core";
import { describe, expect, it } from "vitest";
import { type FetchLike, type PartitionerArgs, RillError, serializers } from "../../packages/client/src/index.ts";
import { errorResponse, inProcessBroker, isBatchPost } from "../../packages/client/test/in-process.ts";
import { faultyFetch, mixedFaults, readAll } from "../../packages/client/test/suite.ts";
import { uniqueTopic } from "../helpers/names.ts";
import { settled, until } from "../helpers/wait.ts";

async function topicWith(partitions = 1, config: Record<string, string> = {}) {
  const env = inProcessBroker();
  const topic = uniqueTopic("p");
  await env
    .client()
    .admin()
    .createTopics({
      topics: [{ topic, numPartitions: partitions, configEntries: Object.entries(config).map(([name, value]) => ({ name, value })) }],
    });
  return { env, topic };
}

/** Holds batch appends until release() is called. */
function gate(inner: FetchLike) {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  let held = 0;
  const fetch: FetchLike = async (input, init) => {
    if (isBatchPost(input, init)) {
      held++;
      await opened;
    }
    return inner(input, init);
  };
  return { fetch, release: () => open(), held: () => held };
}

describe("producer", () => {
  it("makes send() wait for buffer memory, then fail with REQUEST_TIMED_OUT after maxBlockMs", async () => {
    const { env, topic } = await topicWith();
    const g = gate(env.fetch);
    const producer = env.client({}, () => g.fetch).producer({ bufferMemory: 2_000, maxBlockMs: 100, lingerMs: 0 });
    const first = producer.send({ topic, messages: [{ value: "x".repeat(1_200) }] });
    await until(() => g.held() > 0, "the first batch held at the broker's door");
    const blocked = await producer.send({ topic, messages: [{ value: "y".repeat(1_000) }] }).catch((e: unknown) => e);
    expect(blocked).toBeInstanceOf(RillError);
    expect(blocked).toMatchObject({ code: "REQUEST_TIMED_OUT", retriable: true });
    expect((blocked as Error).message).toMatch(/buffer memory/);
    // a send larger than the whole buffer can never fit: refused at once
    await expect(producer.send({ topic, messages: [{ value: "z".repeat(3_000) }] })).rejects.toMatchObject({
      code: "RECORD_LIST_TOO_LARGE",
    });
    // a waiting send goes through as soon as the first one is acknowledged
    const waiting = producer.send({ topic, messages: [{ value: "w".repeat(1_000) }] });
    g.release();
    await first;
    expect((await waiting)[0]?.offset).toBe(1);
    await producer.disconnect();
    expect((await readAll(env.client(), topic, 2)).map((r) => r.value?.[0])).toEqual(["x", "w"]);
  });

  it("retries retriable errors with backoff, and fails non-retriable ones at once", async () => {
    const { env, topic } = await topicWith();
    const attempts: string[] = [];
    let plan: string[] = [];
    const producer = env
      .client({ retry: { initialRetryTime: 1, retries: 3 } }, (inner) => async (input, init) => {
        if (!isBatchPost(input, init)) return inner(input, init);
        const next = plan.shift() ?? "pass";
        attempts.push(next);
        if (next === "NOT_ENOUGH_REPLICAS") return errorResponse(503, next);
        if (next === "CORRUPT_MESSAGE") return errorResponse(400, next);
        return inner(input, init);
      })
      .producer({ lingerMs: 0 });
    plan = ["NOT_ENOUGH_REPLICAS", "NOT_ENOUGH_REPLICAS"];
    expect((await producer.send({ topic, messages: [{ value: "a" }] }))[0]?.offset).toBe(0);
    expect(attempts).toEqual(["NOT_ENOUGH_REPLICAS", "NOT_ENOUGH_REPLICAS", "pass"]);
    attempts.length = 0;
    plan = ["CORRUPT_MESSAGE"];
    await expect(producer.send({ topic, messages: [{ value: "b" }] })).rejects.toMatchObject({ code: "CORRUPT_MESSAGE", retriable: false });
    expect(attempts).toEqual(["CORRUPT_MESSAGE"]);
    attempts.length = 0;
    plan = ["NOT_ENOUGH_REPLICAS", "NOT_ENOUGH_REPLICAS", "NOT_ENOUGH_REPLICAS", "NOT_ENOUGH_REPLICAS"];
    await expect(producer.send({ topic, messages: [{ value: "c" }] })).rejects.toMatchObject({ code: "NOT_ENOUGH_REPLICAS" });
    expect(attempts).toHaveLength(4);
    // after failures that broke the sequence numbering, the partition starts afresh and goes on
    expect((await producer.send({ topic, messages: [{ value: "d" }] }))[0]?.offset).toBe(1);
    await producer.disconnect();
    expect((await readAll(env.client(), topic, 2)).map((r) => r.value)).toEqual(["a", "d"]);
  });

  it("refreshes topic metadata after NOT_LEADER_OR_FOLLOWER", async () => {
    const { env, topic } = await topicWith();
    let failNext = true;
    const producer = env
      .client({ retry: { initialRetryTime: 1 } }, (inner) => async (input, init) => {
        if (isBatchPost(input, init) && failNext) {
          failNext = false;
          return errorResponse(503, "NOT_LEADER_OR_FOLLOWER");
        }
        return inner(input, init);
      })
      .producer({ lingerMs: 0 });
    const describes = () => env.requests.filter((r) => r === `GET /v1/topics/${topic}`).length;
    await producer.send({ topic, messages: [{ value: "one" }] });
    const afterFirst = describes();
    await producer.send({ topic, messages: [{ value: "two" }] });
    expect(describes()).toBe(afterFirst + 1);
    await producer.send({ topic, messages: [{ value: "three" }] });
    expect(describes()).toBe(afterFirst + 1);
    await producer.disconnect();
  });

  it("duplicates under the same faults when idempotence is off (the idempotent run's control)", async () => {
    const { env, topic } = await topicWith();
    const faults = faultyFetch(env.fetch, mixedFaults);
    const producer = env
      .client({ retry: { initialRetryTime: 1, retries: 20 } }, () => faults.fetch)
      .producer({
        idempotent: false,
        batchSize: 1,
        lingerMs: 0,
        maxInFlight: 1,
      });
    for (let i = 0; i < 20; i++) await producer.send({ topic, messages: [{ value: `m${i}` }] });
    await producer.disconnect();
    const [offsets] = await env.client().admin().fetchTopicOffsets(topic);
    expect(offsets?.high).toBeGreaterThan(20);
  });

  it("batches by batchSize and lingerMs, and flush() sends what waits", async () => {
    const { env, topic } = await topicWith();
    const posts = () => env.requests.filter((r) => r.includes("/batches")).length;
    const producer = env.client().producer({ lingerMs: 60_000, batchSize: 1_000 });
    const sends = Array.from({ length: 30 }, (_, i) => producer.send({ topic, messages: [{ value: `${i}`.padEnd(90, ".") }] }));
    // 30 records of ~130 bytes: full batches of ~1000 bytes leave at once and are acknowledged
    // without any flush; the first 20 records are certainly in them
    await Promise.all(sends.slice(0, 20));
    const full = posts();
    expect(full).toBeGreaterThanOrEqual(3);
    // the rest lingers (for a minute): its send is still open, and it has not gone out
    expect(await settled(sends[29] as Promise<unknown>)).toBe(false);
    expect(posts()).toBe(full);
    await producer.flush();
    const metadata = (await Promise.all(sends)).map((m) => m[0]?.offset);
    expect(metadata).toEqual(Array.from({ length: 30 }, (_, i) => i));
    // flush() sent the lingering records as one more batch
    expect(posts()).toBe(full + 1);
    await producer.disconnect();
    await expect(producer.send({ topic, messages: [{ value: "late" }] })).rejects.toMatchObject({ code: "INVALID_REQUEST" });
  });

  it("keeps the order of send() calls to a partition, whatever their sizes", async () => {
    const { env, topic } = await topicWith();
    const producer = env.client().producer({ lingerMs: 0, batchSize: 200 });
    const big = producer.send({ topic, messages: Array.from({ length: 50 }, (_, i) => ({ value: `big-${i}` })) });
    const small = producer.send({ topic, messages: [{ value: "small" }] });
    const [bigMeta, smallMeta] = await Promise.all([big, small]);
    expect(smallMeta[0]?.offset).toBe(50);
    expect(bigMeta.map((m) => m.offset)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    await producer.disconnect();
  });

  it("supports fire-and-forget (acks 0), awaiting each send, and batched sends", async () => {
    const { env, topic } = await topicWith(2);
    const producer = env.client().producer({ lingerMs: 0 });
    const fired = await producer.send({ topic, acks: 0, messages: [{ value: "f0", partition: 0 }] });
    expect(fired[0]).toMatchObject({ partition: 0, offset: -1 });
    for (let i = 1; i < 4; i++)
      expect((await producer.send({ topic, acks: 1, messages: [{ value: `a${i}`, partition: 0 }] }))[0]?.offset).toBe(i);
    const batched = await producer.sendBatch({
      topicMessages: [{ topic, messages: Array.from({ length: 5 }, (_, i) => ({ value: `b${i}`, partition: 1 })) }],
    });
    expect(batched.map((m) => m.offset)).toEqual([0, 1, 2, 3, 4]);
    await producer.disconnect();
    expect((await readAll(env.client(), topic, 9)).filter((r) => r.partition === 0).map((r) => r.value)).toEqual(["f0", "a1", "a2", "a3"]);
  });

  it("partitions keyed records by murmur2, sticks keyless ones, and calls a custom partitioner", async () => {
    const { env, topic } = await topicWith(4);
    const producer = env.client().producer({ lingerMs: 0 });
    const keyed = await producer.send({ topic, messages: ["k1", "k2", "k3", "k4", "k5"].map((key) => ({ key, value: "v" })) });
    expect(keyed.map((m) => m.partition)).toEqual(["k1", "k2", "k3", "k4", "k5"].map((k) => partitionForKey(encodeUtf8(k), 4)));
    const keyless = await producer.send({ topic, messages: Array.from({ length: 6 }, () => ({ value: "n" })) });
    expect(new Set(keyless.map((m) => m.partition)).size).toBe(1);
    const next = await producer.send({ topic, messages: [{ value: "n" }] });
    // the sticky partition moved on once its batch was sent (KIP-480)
    expect(next[0]?.partition).toBe(((keyless[0]?.partition as number) + 1) % 4);
    await producer.disconnect();

    const seen: PartitionerArgs[] = [];
    const custom = env.client().producer({
      partitioner: (args) => {
        seen.push(args);
        return args.partitionCount - 1;
      },
    });
    const routed = await custom.send({ topic, messages: [{ key: "a", value: "1" }, { value: "2" }, { value: "3", partition: 0 }] });
    expect(routed.map((m) => m.partition)).toEqual([3, 3, 0]);
    expect(seen.map((a) => [a.topic, a.partitionCount, a.key && new TextDecoder().decode(a.key)])).toEqual([
      [topic, 4, "a"],
      [topic, 4, null],
    ]);
    const wrong = env.client().producer({ partitioner: () => 9 });
    await expect(wrong.send({ topic, messages: [{ value: "x" }] })).rejects.toMatchObject({ code: "UNKNOWN_TOPIC_OR_PARTITION" });
    await custom.disconnect();
  });

  it("refuses what the serializers cannot take, naming the field and message", async () => {
    const { env, topic } = await topicWith();
    const producer = env.client().producer();
    const error = await producer
      .send({ topic, messages: [{ value: "fine" }, { value: { not: "bytes" } as never }] })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "INVALID_RECORD" });
    expect((error as Error).message).toMatch(/^value: expected a string, a Uint8Array or null.*message 1/);
    const ints = env.client().producer({ serializers: { value: serializers.int32 } });
    await expect(ints.send({ topic, messages: [{ value: 2 ** 31 }] })).rejects.toMatchObject({ code: "INVALID_RECORD" });
    await expect(producer.send({ topic, messages: [{ value: "t", timestamp: "yesterday" }] })).rejects.toMatchObject({
      code: "INVALID_TIMESTAMP",
    });
    await expect(producer.send({ topic, messages: [{ value: "x".repeat(2_000_000) }] })).rejects.toMatchObject({
      code: "MESSAGE_TOO_LARGE",
    });
    expect((await env.client().admin().fetchTopicOffsets(topic))[0]?.high).toBe(0);
  });

  it("honours rill.key.required and rill.value.schema from the topic's config, refusing before sending", async () => {
    const schema = JSON.stringify({ type: "object", required: ["sku"], properties: { sku: { type: "string" }, qty: { type: "integer" } } });
    const { env, topic } = await topicWith(1, { "rill.key.required": "true", "rill.value.schema": schema });
    const producer = env.client().producer();
    const posts = () => env.requests.filter((r) => r.includes("/batches")).length;
    await expect(producer.send({ topic, messages: [{ value: '{"sku":"a"}' }] })).rejects.toThrow(/^key: .*requires a key/);
    await expect(producer.send({ topic, messages: [{ key: "k", value: '{"sku":"a","qty":"2"}' }] })).rejects.toThrow(/^value\.qty: /);
    await expect(producer.send({ topic, messages: [{ key: "k", value: "not json" }] })).rejects.toMatchObject({ code: "INVALID_RECORD" });
    // refused in the client: nothing reached the broker
    expect(posts()).toBe(0);
    expect((await producer.send({ topic, messages: [{ key: "k", value: '{"sku":"a","qty":2}' }] }))[0]?.offset).toBe(0);
    await producer.disconnect();
    // the broker enforces the same rules on what skips the client's check (here: a raw batch)
    const raw = await env.fetch(`http://rill.test/v1/topics/${topic}/partitions/0/batches`, {
      method: "POST",
      headers: { "content-type": "application/octet-stream" },
      body: encodeBatch([{ key: null, value: encodeUtf8('{"sku":"b"}') }]) as Uint8Array<ArrayBuffer>,
    });
    expect(((await raw.json()) as { error: { code: string } }).error.code).toBe("INVALID_RECORD");
  });

  it("aborts a send waiting for memory or metadata with the signal's reason", async () => {
    const { env, topic } = await topicWith();
    const producer = env.client().producer();
    const controller = new AbortController();
    controller.abort(new Error("changed my mind"));
    await expect(producer.send({ topic, messages: [{ value: "x" }], signal: controller.signal })).rejects.toThrow("changed my mind");
    const g = gate(env.fetch);
    const blocked = env.client({}, () => g.fetch).producer({ bufferMemory: 1_000, lingerMs: 0 });
    const first = blocked.send({ topic, messages: [{ value: "a".repeat(800) }] });
    const later = new AbortController();
    const second = blocked.send({ topic, messages: [{ value: "b".repeat(800) }], signal: later.signal });
    later.abort();
    await expect(second).rejects.toMatchObject({ name: "AbortError" });
    g.release();
    await first;
    await blocked.disconnect();
  });
});
