// The protocol's record cases, run on every runtime that serves the protocol: producing JSON and
// binary batches (idempotent, fenced), fetching (base64, long-polls, stored bytes, server-sent
// events), offsets by time, acks and replication.
import { decodeBatches, decodeUtf8, encodeBatch, encodeUtf8, partitionForKey } from "@rill/core";
import { describe, expect, it } from "vitest";
import { settled } from "../helpers/wait.ts";
import { expectError, jsonOf, type ProtocolFixture, protocolClient, uniqueTopic } from "./client.ts";

export function recordsSuite(fixture: ProtocolFixture): void {
  const api = protocolClient(fixture);

  describe(`protocol records: ${fixture.name}`, () => {
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
