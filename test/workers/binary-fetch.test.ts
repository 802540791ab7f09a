// Binary fetches at the edge: a large answer leaves the partition object as a stream that becomes
// the Worker's HTTP body (Broker.fetchBatches), a small one as one buffer. Either way the answer
// has its Content-Length, costs one object request, and a consumer that walks away mid-answer
// leaves the partition serving. (What the bytes must be is the protocol suite's binary-fetch part.)
import { env, SELF } from "cloudflare:test";
import { decodeBatches, encodeBatch, encodeUtf8, replicaLogName } from "@rill/core";
import { describe, expect, it } from "vitest";
import { uniqueTopic } from "../helpers/names.ts";
import { protocolClient } from "../protocol/suite.ts";

const api = protocolClient({ name: "workerd", fetch: (path, init) => SELF.fetch(`http://rill.local${path}`, init) });
const BATCHES = { accept: "application/vnd.rill.batches" };

async function leader(topic: string) {
  const { topicId } = (await api.json("GET", `/v1/topics/${topic}`)).body;
  return env.PARTITIONS.get(env.PARTITIONS.idFromName(replicaLogName(topicId, 0, 0)));
}

/** `batches` batches of `perBatch` records of `size` bytes. */
async function produce(topic: string, batches: number, perBatch: number, size: number): Promise<void> {
  for (let b = 0; b < batches; b++) {
    const batch = encodeBatch(Array.from({ length: perBatch }, (_, i) => ({ value: encodeUtf8(`${b}:${i}:`.padEnd(size, "x")) })));
    expect((await api.postBatch(topic, 0, batch, "?acks=all")).status).toBe(200);
  }
}

const read = (topic: string, query: string) =>
  SELF.fetch(`http://rill.local/v1/topics/${topic}/partitions/0/records?${query}`, { headers: BATCHES });

describe("binary fetch at the edge", () => {
  it("answers large and small reads with their Content-Length, in one object request each", async () => {
    const topic = uniqueTopic("bin");
    await api.createTopic(topic);
    await produce(topic, 5, 60, 1000); // ~300 KB: streamed
    const object = await leader(topic);
    const before = await object.debugMetrics();
    const large = await read(topic, "offset=0&maxBytes=4000000");
    const bytes = new Uint8Array(await large.arrayBuffer());
    expect(bytes.length).toBeGreaterThan(64 * 1024);
    expect(large.headers.get("content-length")).toBe(String(bytes.length));
    expect(decodeBatches([bytes])).toHaveLength(300);
    expect((await object.debugMetrics()).requests - before.requests).toBe(1);

    const other = uniqueTopic("bin");
    await api.createTopic(other);
    await produce(other, 3, 2, 10); // a few hundred bytes: one buffer
    const small = await read(other, "offset=0");
    const few = new Uint8Array(await small.arrayBuffer());
    expect(small.headers.get("content-length")).toBe(String(few.length));
    expect(decodeBatches([few]).map((r) => r.offset)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(small.headers.get("rill-next-offset")).toBe("6");
  });

  it("keeps serving after a consumer cancels a streamed answer unread", async () => {
    const topic = uniqueTopic("bin");
    await api.createTopic(topic);
    await produce(topic, 4, 60, 1000);
    for (let i = 0; i < 3; i++) {
      const abandoned = await read(topic, "offset=0&maxBytes=4000000");
      expect(abandoned.status).toBe(200);
      await abandoned.body?.cancel();
    }
    const whole = await read(topic, "offset=0&maxBytes=4000000");
    expect(decodeBatches([new Uint8Array(await whole.arrayBuffer())])).toHaveLength(240);
    await produce(topic, 1, 60, 1000);
    const next = await read(topic, "offset=240");
    expect(decodeBatches([new Uint8Array(await next.arrayBuffer())]).map((r) => r.offset)[0]).toBe(240);
  });
});
