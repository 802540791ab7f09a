// The HTTP protocol suite: one set of cases, run against every runtime that serves the protocol
// (Node in-process on memory, workerd with Durable Objects on SQLite).
import { decodeBatches, decodeUtf8, encodeBatch, encodeUtf8, partitionForKey } from "@rill/core";
import { describe, expect, it } from "vitest";
import { uniqueTopic } from "../helpers/names.ts";
import { settled } from "../helpers/wait.ts";

export interface ProtocolFixture {
  name: string;
  /** Sends a request to the broker; `path` starts with "/". */
  fetch(path: string, init?: RequestInit): Promise<Response>;
}

// biome-ignore lint/suspicious/noExplicitAny: test bodies are checked field by field by the assertions
const jsonOf = async (r: Response): Promise<any> => r.json();

// the suites beside this one take their names from here too
export { uniqueTopic };

export function protocolClient(fixture: ProtocolFixture) {
  const json = async (method: string, path: string, body?: unknown) => {
    const response = await fixture.fetch(path, {
      method,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null, headers: response.headers };
  };
  return {
    json,
    createTopic: (name: string, partitions = 1, config: Record<string, string> = {}) =>
      json("POST", "/v1/topics", { name, partitions, config }),
    produce: (topic: string, records: unknown[], extra: Record<string, unknown> = {}) =>
      json("POST", `/v1/topics/${topic}/records`, { records, ...extra }),
    fetchRecords: (topic: string, partition: number, query: string) =>
      json("GET", `/v1/topics/${topic}/partitions/${partition}/records?${query}`),
    postBatch: (topic: string, partition: number, bytes: Uint8Array, query = "") =>
      fixture.fetch(`/v1/topics/${topic}/partitions/${partition}/batches${query}`, {
        method: "POST",
        headers: { "content-type": "application/octet-stream" },
        body: bytes as Uint8Array<ArrayBuffer>,
      }),
  };
}

export function protocolSuite(fixture: ProtocolFixture): void {
  const api = protocolClient(fixture);
  const expectError = (res: { status: number; body: { error?: { code?: string } } }, status: number, code: string) => {
    expect(res.body?.error?.code).toBe(code);
    expect(res.status).toBe(status);
  };

  describe(`protocol: ${fixture.name}`, () => {
    it("answers liveness and serves its OpenAPI document", async () => {
      expect((await api.json("GET", "/healthz")).body).toEqual({ status: "ok" });
      const doc = await api.json("GET", "/v1/openapi.json");
      expect(doc.body.openapi).toBe("3.1.0");
      expect(doc.body.paths["/v1/topics/{topic}/records"].post.requestBody).toBeDefined();
      expectError(await api.json("GET", "/v1/nothing-here"), 404, "NOT_FOUND");
      // a known path with the wrong method: 405 with the methods it takes
      const wrong = await api.json("PUT", "/v1/topics/anything/partitions/0/records");
      expectError(wrong, 405, "METHOD_NOT_ALLOWED");
      expect(wrong.headers.get("allow")).toBe("GET, HEAD");
      expect((await api.json("DELETE", "/v1/groups/g/offsets")).headers.get("allow")).toBe("GET, HEAD, POST");
    });

    it("creates, lists, describes and refuses duplicate topics", async () => {
      const name = uniqueTopic();
      const created = await api.createTopic(name, 3, { "retention.ms": "60000" });
      expect(created.status).toBe(201);
      expect(created.body.partitions.map((p: { partition: number }) => p.partition)).toEqual([0, 1, 2]);
      expect(created.body.partitions[0]).toMatchObject({ leaderEpoch: 0, replicas: [0], isr: [0], logStartOffset: 0, highWatermark: 0 });
      expect(created.body.config["retention.ms"]).toBe("60000");
      expect(created.body.config["cleanup.policy"]).toBe("delete");
      const list = await api.json("GET", "/v1/topics");
      expect(list.body.topics.map((t: { name: string }) => t.name)).toContain(name);
      expectError(await api.createTopic(name), 409, "TOPIC_ALREADY_EXISTS");
      expectError(await api.json("GET", `/v1/topics/${uniqueTopic("missing")}`), 404, "UNKNOWN_TOPIC_OR_PARTITION");
    });

    it("refuses bad topic names, counts, configs and bodies with clear errors", async () => {
      for (const bad of [".", "..", "a/b", "x".repeat(250), "", "sp ace", "ünï"]) {
        expectError(await api.json("POST", "/v1/topics", { name: bad }), 400, "INVALID_TOPIC_EXCEPTION");
      }
      expectError(await api.createTopic(uniqueTopic(), 0), 400, "INVALID_PARTITIONS");
      expectError(await api.createTopic(uniqueTopic(), 100_000), 400, "INVALID_PARTITIONS");
      expectError(await api.createTopic(uniqueTopic(), 1, { "retention.mss": "1" }), 400, "INVALID_CONFIG");
      expectError(await api.createTopic(uniqueTopic(), 1, { "retention.ms": "soon" }), 400, "INVALID_CONFIG");
      expectError(await api.json("POST", "/v1/topics", { name: uniqueTopic(), partitions: "3" }), 400, "INVALID_REQUEST");
      const notJson = await fixture.fetch("/v1/topics", { method: "POST", headers: { "content-type": "application/json" }, body: "{nope" });
      expect(notJson.status).toBe(400);
      expect((await jsonOf(notJson)).error.code).toBe("INVALID_REQUEST");
      const wrongType = await fixture.fetch("/v1/topics", { method: "POST", headers: { "content-type": "text/plain" }, body: "{}" });
      expect(wrongType.status).toBe(415);
      expect((await jsonOf(wrongType)).error).toMatchObject({ code: "UNSUPPORTED_MEDIA_TYPE", retriable: false });
    });

    it("produces JSON records, partitioned like Kafka, and fetches them back", async () => {
      const topic = uniqueTopic();
      await api.createTopic(topic, 4);
      const keys = ["alpha", "beta", "gamma", "delta", "alpha"];
      const produced = await api.produce(
        topic,
        keys.map((key, i) => ({ key, value: `v${i}`, headers: { trace: `t${i}` }, timestamp: 1_700_000_000_000 + i })),
      );
      expect(produced.status).toBe(200);
      const offsets = produced.body.offsets as Array<{ partition: number; offset: number }>;
      expect(offsets.map((o) => o.partition)).toEqual(keys.map((k) => partitionForKey(encodeUtf8(k), 4)));
      expect(offsets[4]?.partition).toBe(offsets[0]?.partition);
      // within a partition, offsets follow request order densely from 0
      for (let p = 0; p < 4; p++) {
        const mine = offsets.filter((o) => o.partition === p).map((o) => o.offset);
        expect(mine).toEqual(mine.map((_, i) => i));
      }
      const p = offsets[0]?.partition as number;
      const fetched = await api.fetchRecords(topic, p, "offset=0");
      expect(fetched.body.records[0]).toEqual({
        offset: 0,
        timestamp: 1_700_000_000_000,
        key: "alpha",
        value: "v0",
        headers: { trace: "t0" },
      });
      expect(fetched.body.nextOffset).toBe(fetched.body.highWatermark);
      expect((await api.produce(topic, [{ value: "pinned", partition: 3 }])).body.offsets[0].partition).toBe(3);
      expectError(await api.produce(topic, [{ value: "x", partition: 4 }]), 404, "UNKNOWN_TOPIC_OR_PARTITION");
      expectError(await api.produce(uniqueTopic("missing"), [{ value: "x" }]), 404, "UNKNOWN_TOPIC_OR_PARTITION");
      expectError(await api.produce(topic, [{ value: 5 }]), 400, "INVALID_REQUEST");
      expectError(await api.produce(topic, []), 400, "INVALID_REQUEST");
      expectError(await api.produce(topic, [{ value: "x" }], { acks: 2 }), 400, "INVALID_REQUEST");
    });

    it("keeps keyless records of one request together on one partition", async () => {
      const topic = uniqueTopic();
      await api.createTopic(topic, 6);
      const produced = await api.produce(
        topic,
        Array.from({ length: 10 }, (_, i) => ({ value: `n${i}` })),
      );
      const partitions = new Set(produced.body.offsets.map((o: { partition: number }) => o.partition));
      expect(partitions.size).toBe(1);
    });

    it("speaks base64 both ways and marks non-UTF-8 records", async () => {
      const topic = uniqueTopic();
      await api.createTopic(topic);
      await api.produce(topic, [{ key: "AAH/", value: "3q2+7w==", headers: { h: "AQ==" } }], { encoding: "base64" });
      const text = await api.fetchRecords(topic, 0, "offset=0");
      expect(text.body.records[0]).toMatchObject({ key: "AAH/", value: "3q2+7w==", encoding: "base64" });
      const b64 = await api.fetchRecords(topic, 0, "offset=0&encoding=base64");
      expect(b64.body.records[0]).toMatchObject({ key: "AAH/", value: "3q2+7w==", headers: { h: "AQ==" } });
      expectError(await api.produce(topic, [{ value: "not base64!" }], { encoding: "base64" }), 400, "INVALID_REQUEST");
    });

    it("refuses offsets outside the log, naming its bounds", async () => {
      const topic = uniqueTopic();
      await api.createTopic(topic);
      await api.produce(topic, [{ value: "a" }, { value: "b" }]);
      const res = await api.fetchRecords(topic, 0, "offset=5");
      expect(res.status).toBe(416);
      expect(res.body.error).toMatchObject({ code: "OFFSET_OUT_OF_RANGE", logStartOffset: 0, highWatermark: 2 });
      expectError(await api.fetchRecords(topic, 0, ""), 400, "INVALID_REQUEST");
      expectError(await api.fetchRecords(topic, 0, "offset=-1"), 400, "INVALID_REQUEST");
      expectError(await api.fetchRecords(topic, 0, "offset=0&maxWaitMs=999999"), 400, "INVALID_REQUEST");
      expectError(await api.fetchRecords(topic, 7, "offset=0"), 404, "UNKNOWN_TOPIC_OR_PARTITION");
      expect((await api.fetchRecords(topic, 0, "offset=latest")).body).toMatchObject({ records: [], nextOffset: 2 });
      expect((await api.fetchRecords(topic, 0, "offset=earliest")).body.records).toHaveLength(2);
    });

    it("long-polls until a record arrives", async () => {
      const topic = uniqueTopic();
      await api.createTopic(topic);
      // the longest wait the broker allows outlasts the test's own timeout: only the record can end it in time
      const waiting = api.fetchRecords(topic, 0, "offset=0&maxWaitMs=60000");
      // a full round trip later the fetch is still open: it waits rather than answering empty
      await api.json("GET", `/v1/topics/${topic}`);
      expect(await settled(waiting)).toBe(false);
      await api.produce(topic, [{ value: "wake" }]);
      const res = await waiting;
      expect(res.body.records.map((r: { value: string }) => r.value)).toEqual(["wake"]);
      // a wait that runs out answers what there is: nothing
      const empty = await api.fetchRecords(topic, 0, "offset=1&maxWaitMs=50");
      expect(empty.body).toMatchObject({ records: [], nextOffset: 1, highWatermark: 1 });
    });

    it("appends binary batches idempotently and fences stale producers", async () => {
      const topic = uniqueTopic();
      await api.createTopic(topic);
      const producer = (await api.json("POST", "/v1/producers", {})).body;
      expect(producer.producerEpoch).toBe(0);
      const batch = (seq: number, epoch = 0) =>
        encodeBatch([{ value: encodeUtf8(`s${seq}`) }, { value: encodeUtf8(`s${seq + 1}`) }], {
          producerId: producer.producerId,
          producerEpoch: epoch,
          baseSequence: seq,
        });
      const first = await api.postBatch(topic, 0, batch(0));
      expect(await jsonOf(first)).toMatchObject({
        baseOffset: 0,
        lastOffset: 1,
        batches: [{ baseOffset: 0, lastOffset: 1, duplicate: false }],
      });
      const retry = await api.postBatch(topic, 0, batch(0));
      expect(await jsonOf(retry)).toMatchObject({ baseOffset: 0, lastOffset: 1, batches: [{ duplicate: true }] });
      const gap = await api.postBatch(topic, 0, batch(9));
      expect((await jsonOf(gap)).error.code).toBe("OUT_OF_ORDER_SEQUENCE_NUMBER");
      expect(gap.status).toBe(409);
      expect((await api.postBatch(topic, 0, batch(0, 1))).status).toBe(200);
      const fenced = await api.postBatch(topic, 0, batch(2, 0));
      expect(fenced.status).toBe(409);
      expect((await jsonOf(fenced)).error.code).toBe("PRODUCER_FENCED");
      const corrupt = batch(2, 1);
      corrupt[corrupt.length - 1] = (corrupt[corrupt.length - 1] as number) ^ 0xff;
      const refused = await api.postBatch(topic, 0, corrupt);
      expect(refused.status).toBe(400);
      expect((await jsonOf(refused)).error.code).toBe("CORRUPT_MESSAGE");
      const wrongType = await fixture.fetch(`/v1/topics/${topic}/partitions/0/batches`, {
        method: "POST",
        body: batch(2, 1) as Uint8Array<ArrayBuffer>,
      });
      expect(wrongType.status).toBe(415);
      const values = (await api.fetchRecords(topic, 0, "offset=0")).body.records.map((r: { value: string }) => r.value);
      expect(values).toEqual(["s0", "s1", "s0", "s1"]);
    });

    it("initialises transactional producers by bumping their epoch", async () => {
      const id = uniqueTopic("txn");
      const a = (await api.json("POST", "/v1/producers", { transactionalId: id })).body;
      const b = (await api.json("POST", "/v1/producers", { transactionalId: id })).body;
      expect(b).toEqual({ producerId: a.producerId, producerEpoch: a.producerEpoch + 1 });
      const other = (await api.json("POST", "/v1/producers", {})).body;
      expect(other.producerId).not.toBe(a.producerId);
    });

    it("returns stored batch bytes in the binary format", async () => {
      const topic = uniqueTopic();
      await api.createTopic(topic);
      await api.produce(topic, [{ key: "k", value: "one" }, { value: "two" }]);
      const res = await fixture.fetch(`/v1/topics/${topic}/partitions/0/records?offset=1`, {
        headers: { accept: "application/vnd.rill.batches" },
      });
      expect(res.headers.get("content-type")).toBe("application/vnd.rill.batches");
      expect(res.headers.get("rill-next-offset")).toBe("2");
      expect(res.headers.get("rill-high-watermark")).toBe("2");
      const records = decodeBatches([new Uint8Array(await res.arrayBuffer())]);
      expect(records.map((r) => [r.offset, decodeUtf8(r.value as Uint8Array)])).toEqual([
        [0, "one"],
        [1, "two"],
      ]);
    });

    it("lists offsets by earliest, latest and time", async () => {
      const topic = uniqueTopic();
      await api.createTopic(topic);
      await api.produce(topic, [
        { value: "a", timestamp: 1000 },
        { value: "b", timestamp: 2000 },
        { value: "c", timestamp: 3000 },
      ]);
      const at = async (q: string) => (await api.json("GET", `/v1/topics/${topic}/partitions/0/offsets?at=${q}`)).body;
      expect(await at("earliest")).toEqual({ offset: 0, timestamp: null });
      expect(await at("latest")).toEqual({ offset: 3, timestamp: null });
      expect(await at("1500")).toEqual({ offset: 1, timestamp: 2000 });
      expect(await at("5000")).toEqual({ offset: 3, timestamp: null });
      expectError(await api.json("GET", `/v1/topics/${topic}/partitions/0/offsets?at=yesterday`), 400, "INVALID_REQUEST");
    });

    it("enforces max.message.bytes and compacted topics' keys", async () => {
      const topic = uniqueTopic();
      await api.createTopic(topic, 1, { "max.message.bytes": "1000" });
      expectError(await api.produce(topic, [{ value: "x".repeat(2000) }]), 413, "MESSAGE_TOO_LARGE");
      const many = await api.produce(
        topic,
        Array.from({ length: 30 }, (_, i) => ({ value: `${i}`.padEnd(100, ".") })),
      );
      expect(many.body.offsets.map((o: { offset: number }) => o.offset)).toEqual(Array.from({ length: 30 }, (_, i) => i));
      const compacted = uniqueTopic();
      await api.createTopic(compacted, 1, { "cleanup.policy": "compact" });
      expectError(await api.produce(compacted, [{ value: "no key" }]), 400, "INVALID_RECORD");
      expect((await api.fetchRecords(compacted, 0, "offset=0")).body.highWatermark).toBe(0);
    });

    it("enforces a topic's value schema and required keys on every produce path", async () => {
      const topic = uniqueTopic();
      const schema = { type: "object", properties: { amount: { type: "number" } }, required: ["amount"] };
      const created = await api.createTopic(topic, 1, { "rill.key.required": "true", "rill.value.schema": JSON.stringify(schema) });
      expect(created.status).toBe(201);
      expect((await api.produce(topic, [{ key: "a", value: '{"amount": 5}' }])).status).toBe(200);
      const keyless = await api.produce(topic, [{ value: '{"amount": 6}' }]);
      expectError(keyless, 400, "INVALID_RECORD");
      const wrong = await api.produce(topic, [
        { key: "a", value: '{"amount": 1}' },
        { key: "b", value: '{"amount": "seven"}' },
      ]);
      expectError(wrong, 400, "INVALID_RECORD");
      expect(wrong.body.error.message).toMatch(/record 1: value\.amount/);
      expectError(await api.produce(topic, [{ key: "c", value: "not json" }]), 400, "INVALID_RECORD");
      const binary = await api.postBatch(topic, 0, encodeBatch([{ key: encodeUtf8("d"), value: encodeUtf8('{"amount": false}') }]));
      expect(binary.status).toBe(400);
      expect((await jsonOf(binary)).error.message).toMatch(/value\.amount/);
      expect((await api.fetchRecords(topic, 0, "offset=0")).body.highWatermark).toBe(1);
      expectError(await api.createTopic(uniqueTopic(), 1, { "rill.value.schema": "{not json" }), 400, "INVALID_CONFIG");
    });

    it("alters config, grows partitions with a warning, and deletes topics", async () => {
      const topic = uniqueTopic();
      await api.createTopic(topic, 2);
      const altered = await api.json("PATCH", `/v1/topics/${topic}/config`, {
        config: { "retention.ms": "1000", "cleanup.policy": "compact,delete" },
      });
      expect(altered.body.config).toMatchObject({ "retention.ms": "1000", "cleanup.policy": "compact,delete" });
      const reset = await api.json("PATCH", `/v1/topics/${topic}/config`, { config: { "retention.ms": null } });
      expect(reset.body.config["retention.ms"]).toBe("604800000");
      expectError(await api.json("PATCH", `/v1/topics/${topic}/config`, { config: { "min.insync.replicas": "3" } }), 400, "INVALID_CONFIG");
      const grown = await api.json("POST", `/v1/topics/${topic}/partitions`, { count: 5 });
      expect(grown.body.partitions).toHaveLength(5);
      expect(grown.body.warning).toMatch(/keyed records/);
      expectError(await api.json("POST", `/v1/topics/${topic}/partitions`, { count: 3 }), 400, "INVALID_PARTITIONS");
      await api.produce(topic, [{ value: "gone soon", partition: 4 }]);
      expect((await api.json("DELETE", `/v1/topics/${topic}`)).body).toEqual({ deleted: topic });
      expectError(await api.fetchRecords(topic, 0, "offset=0"), 404, "UNKNOWN_TOPIC_OR_PARTITION");
      await api.createTopic(topic, 5);
      expect((await api.fetchRecords(topic, 4, "offset=0")).body).toMatchObject({ records: [], highWatermark: 0 });
    });

    it("accepts acks=0 and acks=1", async () => {
      const topic = uniqueTopic();
      await api.createTopic(topic);
      const fire = await api.produce(topic, [{ value: "fire" }], { acks: 0 });
      expect(fire.status).toBe(202);
      expect(fire.body.offsets).toEqual([{ partition: 0, offset: null }]);
      expect((await api.produce(topic, [{ value: "one" }], { acks: "1" })).status).toBe(200);
      const res = await api.fetchRecords(topic, 0, "offset=0&minBytes=1&maxWaitMs=2000");
      expect(res.body.records.map((r: { value: string }) => r.value)).toContain("one");
    });

    it("replicates acks=all writes to every replica and serves reads from in-sync followers", async () => {
      const topic = uniqueTopic();
      const created = await api.json("POST", "/v1/topics", {
        name: topic,
        partitions: 2,
        replicationFactor: 3,
        config: { "min.insync.replicas": "2" },
      });
      expect(created.body.partitions[1]).toMatchObject({ replicas: [0, 1, 2], isr: [0, 1, 2], leader: 1 });
      expect(
        (
          await api.produce(
            topic,
            [
              { value: "r1", partition: 1 },
              { value: "r2", partition: 1 },
            ],
            { acks: "all" },
          )
        ).status,
      ).toBe(200);
      for (const replica of [0, 1, 2]) {
        // a follower learns the high watermark just after the leader: a long-poll waits out the gap
        const res = await api.fetchRecords(topic, 1, `offset=0&replica=${replica}&minBytes=1&maxWaitMs=20000`);
        expect(res.body.records.map((r: { value: string }) => r.value)).toEqual(["r1", "r2"]);
      }
      expectError(await api.json("POST", "/v1/topics", { name: uniqueTopic(), replicationFactor: 9 }), 400, "INVALID_REPLICATION_FACTOR");
      expectError(
        await api.json("POST", "/v1/topics", { name: uniqueTopic(), replicationFactor: 2, config: { "min.insync.replicas": "3" } }),
        400,
        "INVALID_CONFIG",
      );
    });

    it("streams records as server-sent events, resuming from Last-Event-ID", async () => {
      const topic = uniqueTopic();
      await api.createTopic(topic);
      await api.produce(topic, [{ value: "first" }]);
      const controller = new AbortController();
      const res = await fixture.fetch(`/v1/topics/${topic}/partitions/0/records?offset=0&live=sse`, {
        signal: controller.signal,
        headers: { "last-event-id": "-" },
      });
      expect(res.headers.get("content-type")).toMatch(/text\/event-stream/);
      const reader = (res.body as ReadableStream<Uint8Array>).getReader();
      const events: Array<{ id: string; value: string }> = [];
      let buffer = "";
      let producedSecond: Promise<unknown> | undefined;
      while (events.length < 2) {
        // the second record is written once the stream has delivered the first: it must arrive live
        if (events.length === 1) producedSecond ??= api.produce(topic, [{ value: "second" }]);
        const { value, done } = await reader.read();
        if (done) break;
        buffer += new TextDecoder().decode(value);
        for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const id = /^id: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (id && data) events.push({ id, value: JSON.parse(data).value });
        }
      }
      controller.abort();
      await reader.cancel().catch(() => undefined);
      await producedSecond;
      expect(events).toEqual([
        { id: "0", value: "first" },
        { id: "1", value: "second" },
      ]);
    });
  });
}
