// Quotas on the in-process broker: a producer and a consumer over their byte rates are held near
// them (asserted on throttle answers and on totals over the window, with generous bounds), nothing
// is lost or written twice, a client that comes early is refused without effect, and a quota change
// takes effect. The meter allows rate × (window + 1 s burst) plus the request in hand.
import { createClient, deserializers } from "@rill/client";
import { createNodeBroker, type NodeBroker } from "@rill/node";
import { THROTTLE_TIME_HEADER } from "@rill/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { uniqueTopic } from "../helpers/names.ts";
import { until } from "../helpers/wait.ts";

const BURST_MS = 1000;

interface Observed {
  throttled: number;
  answers: number;
  bytes: number;
}

/** A client whose fetch goes to the in-process app and counts metered answers. */
function observedClient(node: NodeBroker, clientId: string, observed: Observed, path: RegExp) {
  return createClient({
    brokers: ["http://rill.test"],
    clientId,
    retry: { retries: 20, initialRetryTime: 5 },
    fetch: async (input, init) => {
      const response = await node.fetch(input, init);
      if (path.test(input)) {
        observed.answers++;
        if (Number(response.headers.get(THROTTLE_TIME_HEADER) ?? 0) > 0) observed.throttled++;
        const body = await response.clone().arrayBuffer();
        observed.bytes += init.method === "POST" ? ((init.body as Uint8Array | undefined)?.byteLength ?? 0) : body.byteLength;
      }
      return response;
    },
  });
}

const figures = (who: string, o: Observed, elapsedMs: number, rate: number) =>
  `quota ${who}: ${o.bytes} bytes in ${elapsedMs} ms = ${Math.round((o.bytes * 1000) / elapsedMs)} B/s against ${rate} B/s (${((o.bytes * 1000) / elapsedMs / rate).toFixed(2)}x), ${o.throttled} of ${o.answers} answers throttled`;

const put = (node: NodeBroker, entity: object, values: object) =>
  node.fetch("http://rill.test/v1/quotas", {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ entity, values }),
  });

describe("quotas (in-process)", () => {
  let node: NodeBroker;
  afterEach(() => node?.close());

  it("holds a producer writing to several partitions near its byte rate, losing and duplicating nothing", { timeout: 60_000 }, async () => {
    node = createNodeBroker();
    const rate = 40_000;
    expect((await put(node, { clientId: "slow-producer" }, { producerByteRate: rate })).status).toBe(200);
    const topic = uniqueTopic("quota-p");
    const observed: Observed = { throttled: 0, answers: 0, bytes: 0 };
    const client = observedClient(node, "slow-producer", observed, /\/batches/);
    await client.admin().createTopics({ topics: [{ topic, numPartitions: 4 }] });
    const producer = client.producer({ lingerMs: 0, batchSize: 4096 });
    const value = "x".repeat(1000);
    const started = Date.now();
    const count = 200; // ~200 KB: five seconds' worth at the quota
    await Promise.all(
      Array.from({ length: count }, (_, i) => producer.send({ topic, messages: [{ key: `k${i}`, value: `${i}:${value}` }] })),
    );
    const elapsed = Date.now() - started;
    await producer.disconnect();
    console.info(figures("producer", observed, elapsed, rate));
    // the broker said so, and the client waited: the total sent fits the quota over the window
    expect(observed.throttled).toBeGreaterThan(0);
    const largestRequest = 5 * 4 * 4096 + 4096; // every partition's in-flight batches
    expect(observed.bytes).toBeLessThanOrEqual((rate * (elapsed + BURST_MS)) / 1000 + largestRequest);
    // and it was not starved either (a very generous floor: a tenth of the quota)
    expect(observed.bytes).toBeGreaterThanOrEqual((rate * elapsed) / 1000 / 10);
    // every record is there exactly once
    const consumer = client.consumer({
      autoOffsetReset: "earliest",
      deserializers: { key: deserializers.string, value: deserializers.string },
    });
    await consumer.assign([{ topic }]);
    const seen = new Map<string, number>();
    const running = consumer.run({
      eachMessage: ({ message }) => {
        const id = String(message.value).split(":")[0] as string;
        seen.set(id, (seen.get(id) ?? 0) + 1);
      },
    });
    await until(() => seen.size === count, "every record consumed");
    await consumer.disconnect();
    await running.catch(() => undefined);
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
  });

  it("holds a consumer near its byte rate", { timeout: 60_000 }, async () => {
    node = createNodeBroker();
    const rate = 40_000;
    const topic = uniqueTopic("quota-c");
    const writer = createClient({ brokers: ["http://rill.test"], fetch: (input, init) => node.fetch(input, init) });
    await writer.admin().createTopics({ topics: [{ topic, numPartitions: 2 }] });
    const producer = writer.producer({ lingerMs: 0, batchSize: 4096 });
    const count = 200;
    // many small batches, so fetches of at most 8 KB each take a few
    for (let i = 0; i < count; i += 4) {
      await producer.send({
        topic,
        messages: Array.from({ length: 4 }, (_, j) => ({ key: `k${i + j}`, value: `${i + j}:${"y".repeat(1000)}` })),
      });
    }
    await producer.disconnect();
    expect((await put(node, { user: "<default>", clientId: "slow-consumer" }, { consumerByteRate: rate })).status).toBe(200);
    const observed: Observed = { throttled: 0, answers: 0, bytes: 0 };
    const client = observedClient(node, "slow-consumer", observed, /\/records\?/);
    const consumer = client.consumer({ autoOffsetReset: "earliest", maxPartitionFetchBytes: 8192, fetchMaxWaitMs: 10 });
    await consumer.assign([{ topic }]);
    let received = 0;
    const started = Date.now();
    const running = consumer.run({
      eachMessage: () => {
        received++;
      },
    });
    await until(() => received === count, "every record consumed", { timeoutMs: 60_000 });
    const elapsed = Date.now() - started;
    await consumer.disconnect();
    await running.catch(() => undefined);
    console.info(figures("consumer", observed, elapsed, rate));
    expect(observed.throttled).toBeGreaterThan(0);
    const inFlight = 2 * (8192 + 8192); // one fetch per partition, each at most maxPartitionFetchBytes and one more batch
    expect(observed.bytes).toBeLessThanOrEqual((rate * (elapsed + BURST_MS)) / 1000 + inFlight);
  });

  it("refuses a request that comes before its throttle time is up, changing nothing; a quota change takes effect", async () => {
    node = createNodeBroker({ maxThrottleHoldMs: 0 });
    const topic = uniqueTopic("quota-r");
    const json = (path: string, body: unknown, headers: Record<string, string> = {}) =>
      node.fetch(`http://rill.test${path}`, {
        method: "POST",
        headers: { "content-type": "application/json", "rill-client-id": "eager", ...headers },
        body: JSON.stringify(body),
      });
    await json("/v1/topics", { name: topic });
    await put(node, { clientId: "eager" }, { producerByteRate: 1000 });
    const big = { records: [{ value: "z".repeat(20_000) }] };
    const first = await json(`/v1/topics/${topic}/records`, big);
    expect(first.status).toBe(200);
    const owed = Number(first.headers.get(THROTTLE_TIME_HEADER));
    expect(owed).toBeGreaterThan(10_000); // 20 KB at 1 KB/s, less the 1 s burst
    // a client that does not wait is refused before anything is written
    const early = await json(`/v1/topics/${topic}/records`, big);
    expect(early.status).toBe(429);
    expect(Number(early.headers.get("retry-after"))).toBeGreaterThan(0);
    const body = (await early.json()) as { error: { code: string; retriable: boolean; throttleTimeMs: number } };
    expect(body.error).toMatchObject({ code: "THROTTLING_QUOTA_EXCEEDED", retriable: true });
    expect(body.error.throttleTimeMs).toBeGreaterThan(0);
    const state = (await (await node.fetch(`http://rill.test/v1/topics/${topic}`)).json()) as {
      partitions: Array<{ highWatermark: number }>;
    };
    expect(state.partitions[0]?.highWatermark).toBe(1);
    // another client id is not held by this one's quota
    expect(
      (await json(`/v1/topics/${topic}/records`, { records: [{ value: "other" }] }, { "rill-client-id": "other" })).headers.get(
        THROTTLE_TIME_HEADER,
      ),
    ).toBeNull();
    // removing the quota takes effect at once: the same client is served, unmetered
    expect((await put(node, { clientId: "eager" }, { producerByteRate: null })).status).toBe(200);
    const after = await json(`/v1/topics/${topic}/records`, { records: [{ value: "small" }] });
    expect(after.status).toBe(200);
    expect(after.headers.get(THROTTLE_TIME_HEADER)).toBeNull();
    // and a quota set again meters the next request
    await put(node, { clientId: "eager" }, { producerByteRate: 100 });
    const again = await json(`/v1/topics/${topic}/records`, { records: [{ value: "w".repeat(2000) }] });
    expect(Number(again.headers.get(THROTTLE_TIME_HEADER))).toBeGreaterThan(0);
    const listed = (await (await node.fetch("http://rill.test/v1/quotas?clientId=eager")).json()) as { quotas: unknown[] };
    expect(listed.quotas).toEqual([{ entity: { clientId: "eager" }, values: { producerByteRate: 100 } }]);
  });
});

describe("quotas on live tails (in-process)", () => {
  it("slows an SSE tail to its consumer byte rate", { timeout: 60_000 }, async () => {
    const node = createNodeBroker();
    try {
      const rate = 20_000;
      const topic = uniqueTopic("quota-sse");
      const send = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
        node.fetch(`http://rill.test${path}`, {
          method,
          headers: { ...(body === undefined ? {} : { "content-type": "application/json" }), ...headers },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
      await send("POST", "/v1/topics", { name: topic });
      const count = 60;
      for (let i = 0; i < count; i += 10) {
        await send("POST", `/v1/topics/${topic}/records`, {
          records: Array.from({ length: 10 }, (_, j) => ({ value: `${i + j}:${"s".repeat(1000)}` })),
        });
      }
      await put(node, { clientId: "tail-client" }, { consumerByteRate: rate });
      const started = Date.now();
      const tail = await send("GET", `/v1/topics/${topic}/partitions/0/records?offset=0&live=sse`, undefined, {
        "rill-client-id": "tail-client",
      });
      expect(tail.status).toBe(200);
      const reader = (tail.body as ReadableStream<Uint8Array>).getReader();
      let bytes = 0;
      let text = "";
      while ((text.match(/event: record/g) ?? []).length < count) {
        const { value, done } = await reader.read();
        if (done) break;
        bytes += value.byteLength;
        text += new TextDecoder().decode(value);
      }
      const elapsed = Date.now() - started;
      await reader.cancel();
      console.info(`quota sse tail: ${bytes} bytes in ${elapsed} ms = ${Math.round((bytes * 1000) / elapsed)} B/s against ${rate} B/s`);
      expect((text.match(/event: record/g) ?? []).length).toBe(count);
      // held to the rate: what arrived fits rate × (window + burst) plus one counting step and an event
      expect(bytes).toBeLessThanOrEqual((rate * (elapsed + BURST_MS)) / 1000 + 16 * 1024 + 2048);
    } finally {
      await node.close();
    }
  });
});
