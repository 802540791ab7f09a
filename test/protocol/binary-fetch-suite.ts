// Binary fetches (Accept: application/vnd.rill.batches), the consumers' path: whole stored batches
// back to back with the offsets in headers. The edge streams large answers from the partition
// object to the HTTP body (Broker.fetchBatches); what a consumer sees must be what the JSON path
// and the stored batches say, whatever the size of the answer.
import { decodeBatches, decodeUtf8, encodeBatch, encodeUtf8, type LogRecord } from "@rill/core";
import { describe, expect, it } from "vitest";
import { jsonOf, type ProtocolFixture, protocolClient, uniqueTopic } from "./client.ts";

const BATCHES = { accept: "application/vnd.rill.batches" };

async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  promise.then(
    () => (done = true),
    () => (done = true),
  );
  await new Promise((resolve) => setTimeout(resolve, 0));
  return done;
}

export function binaryFetchSuite(fixture: ProtocolFixture): void {
  const api = protocolClient(fixture);
  const fetchBinary = async (topic: string, partition: number, query: string) => {
    const res = await fixture.fetch(`/v1/topics/${topic}/partitions/${partition}/records?${query}`, { headers: BATCHES });
    const bytes = new Uint8Array(await res.arrayBuffer());
    const header = (name: string) => res.headers.get(name);
    return { res, bytes, records: res.ok ? decodeBatches([bytes]) : [], header };
  };
  const values = (records: LogRecord[]) => records.map((r) => decodeUtf8(r.value as Uint8Array));

  /** `batches` binary batches of `perBatch` records of about 1 KB each: values name their place. */
  async function produceBatches(topic: string, batches: number, perBatch: number): Promise<string[]> {
    const all: string[] = [];
    for (let b = 0; b < batches; b++) {
      const texts = Array.from({ length: perBatch }, (_, i) => `${b}:${i}:`.padEnd(1000, "x"));
      const res = await api.postBatch(topic, 0, encodeBatch(texts.map((t) => ({ value: encodeUtf8(t) }))), "?acks=all");
      expect(res.status).toBe(200);
      all.push(...texts);
    }
    return all;
  }

  describe(`binary fetch: ${fixture.name}`, () => {
    it("answers a large read whole: every stored batch, its length, the next offset and the high watermark", async () => {
      const topic = uniqueTopic("bin");
      await api.createTopic(topic);
      // 300 KB in 5 batches: past the size from which the edge streams an answer
      const produced = await produceBatches(topic, 5, 60);
      const { res, bytes, records, header } = await fetchBinary(topic, 0, "offset=0&maxBytes=4000000");
      expect(res.status).toBe(200);
      expect(header("content-type")).toBe("application/vnd.rill.batches");
      const length = header("content-length");
      if (length !== null) expect(Number(length)).toBe(bytes.length);
      expect(header("rill-next-offset")).toBe("300");
      expect(header("rill-high-watermark")).toBe("300");
      expect(header("rill-log-start-offset")).toBe("0");
      expect(records.map((r) => r.offset)).toEqual(produced.map((_, i) => i));
      expect(values(records)).toEqual(produced);
    });

    it("cuts an answer after the batch that reaches maxBytes, and goes on from the next offset", async () => {
      const topic = uniqueTopic("bin");
      await api.createTopic(topic);
      const produced = await produceBatches(topic, 6, 40);
      // one batch is ~40 KB: 100 KB takes three (the third reaches it), so each answer streams at the edge
      const seen: string[] = [];
      const answers: number[] = [];
      for (let offset = 0; offset < 240; ) {
        const { records, header } = await fetchBinary(topic, 0, `offset=${offset}&maxBytes=100000`);
        answers.push(records.length);
        seen.push(...values(records.filter((r) => r.offset >= offset)));
        offset = Number(header("rill-next-offset"));
      }
      expect(answers).toEqual([120, 120]);
      expect(seen).toEqual(produced);
      // maxBytes below one batch still answers that batch whole
      const one = await fetchBinary(topic, 0, "offset=0&maxBytes=1");
      expect(one.records.map((r) => r.offset)).toEqual(produced.slice(0, 40).map((_, i) => i));
      expect(one.header("rill-next-offset")).toBe("40");
    });

    it("answers an offset inside a batch with the whole batch, as the JSON path reads it", async () => {
      const topic = uniqueTopic("bin");
      await api.createTopic(topic);
      await produceBatches(topic, 4, 50);
      for (const [offset, maxBytes] of [
        [0, 4_000_000],
        [75, 4_000_000],
        [75, 60_000],
        [199, 1],
      ] as const) {
        const binary = await fetchBinary(topic, 0, `offset=${offset}&maxBytes=${maxBytes}`);
        const json = await api.fetchRecords(topic, 0, `offset=${offset}&maxBytes=${maxBytes}`);
        expect(binary.records[0]?.offset).toBe(Math.floor(offset / 50) * 50);
        const fromBinary = binary.records.filter((r) => r.offset >= offset);
        expect(fromBinary.map((r) => r.offset)).toEqual(json.body.records.map((r: { offset: number }) => r.offset));
        expect(values(fromBinary)).toEqual(json.body.records.map((r: { value: string }) => r.value));
        expect(Number(binary.header("rill-next-offset"))).toBe(json.body.nextOffset);
        expect(Number(binary.header("rill-high-watermark"))).toBe(json.body.highWatermark);
      }
    });

    it("answers nothing at the high watermark, long-polls there, and refuses offsets outside the log", async () => {
      const topic = uniqueTopic("bin");
      await api.createTopic(topic);
      await produceBatches(topic, 2, 40);
      const empty = await fetchBinary(topic, 0, "offset=80");
      expect(empty.res.status).toBe(200);
      expect(empty.bytes.length).toBe(0);
      expect(empty.header("rill-next-offset")).toBe("80");
      expect(empty.header("rill-high-watermark")).toBe("80");
      // the longest wait the broker allows outlasts the test's own timeout: only the batch can end it in time
      const waiting = fetchBinary(topic, 0, "offset=80&minBytes=1&maxWaitMs=60000");
      await api.json("GET", `/v1/topics/${topic}`);
      expect(await settled(waiting)).toBe(false);
      const more = await produceBatches(topic, 2, 40);
      const woken = await waiting;
      expect(values(woken.records.filter((r) => r.offset >= 80))).toEqual(more.slice(0, woken.records.length));
      expect(woken.records.length).toBeGreaterThan(0);
      const outside = await fixture.fetch(`/v1/topics/${topic}/partitions/0/records?offset=500`, { headers: BATCHES });
      expect(outside.status).toBe(416);
      expect((await jsonOf(outside)).error).toMatchObject({ code: "OFFSET_OUT_OF_RANGE", highWatermark: 160 });
      const missing = await fixture.fetch(`/v1/topics/${topic}/partitions/3/records?offset=0`, { headers: BATCHES });
      expect(missing.status).toBe(404);
      expect((await jsonOf(missing)).error).toMatchObject({ code: "UNKNOWN_TOPIC_OR_PARTITION" });
    });

    it("serves a large binary read from an in-sync follower", async () => {
      const topic = uniqueTopic("bin");
      const created = await api.json("POST", "/v1/topics", { name: topic, partitions: 1, replicationFactor: 3 });
      expect(created.status).toBe(201);
      const produced = await produceBatches(topic, 3, 60);
      for (const replica of [1, 2]) {
        // a follower learns the high watermark just after the leader: a long-poll waits out the gap
        const seen: string[] = [];
        for (let offset = 0; offset < produced.length; ) {
          const { records, header } = await fetchBinary(topic, 0, `offset=${offset}&replica=${replica}&minBytes=1&maxWaitMs=20000`);
          seen.push(...values(records.filter((r) => r.offset >= offset)));
          offset = Number(header("rill-next-offset"));
        }
        expect(seen).toEqual(produced);
      }
    });
  });
}
