// What the Durable Streams face is made of, seen through Rill's own API: a stream is a topic of
// one partition you can read with Kafka tools, a large append is cut into records small enough for
// a Durable Object row, and settings live in an internal group, not in storage of the face's own.
import { createNodeBroker } from "@rill/node";
import { describe, expect, it } from "vitest";

const base = "http://rill.test";

describe("Durable Streams over the engine", () => {
  it("a stream is a one-partition topic; a 3 MiB append is stored as records of at most 512 KiB and read back whole", async () => {
    const node = createNodeBroker();
    const put = await node.fetch(`${base}/v1/stream/big-s`, { method: "PUT", headers: { "content-type": "application/octet-stream" } });
    expect(put.status).toBe(201);
    const body = new Uint8Array(3 * 1024 * 1024).map((_, i) => i % 251);
    const post = await node.fetch(`${base}/v1/stream/big-s`, {
      method: "POST",
      headers: { "content-type": "application/octet-stream" },
      body,
    });
    expect(post.status).toBe(204);
    const topic = (await (await node.fetch(`${base}/v1/topics/big-s`)).json()) as { partitions: unknown[]; config: Record<string, string> };
    expect(topic.partitions).toHaveLength(1);
    expect(topic.config["retention.ms"]).toBe("-1");
    // Rill's own fetch sees the records the append became
    const sizes: number[] = [];
    for (let offset = 0; ; ) {
      const page = (await (await node.fetch(`${base}/v1/topics/big-s/partitions/0/records?offset=${offset}&encoding=base64`)).json()) as {
        records: Array<{ value: string }>;
        nextOffset: number;
        highWatermark: number;
      };
      sizes.push(...page.records.map((r) => atob(r.value).length));
      offset = page.nextOffset;
      if (offset >= page.highWatermark) break;
    }
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(body.length);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(512 * 1024);
    expect(sizes.length).toBe(6);
    let read = new Uint8Array(0);
    for (let offset = "-1"; ; ) {
      const res = await node.fetch(`${base}/v1/stream/big-s?offset=${offset}`);
      const chunk = new Uint8Array(await res.arrayBuffer());
      const next = new Uint8Array(read.length + chunk.length);
      next.set(read);
      next.set(chunk, read.length);
      read = next;
      offset = res.headers.get("stream-next-offset") as string;
      if (res.headers.get("stream-up-to-date") === "true") break;
    }
    expect(read).toEqual(body);
    await node.close();
  });

  it("settings live in an internal group's committed offsets, gone with the stream", async () => {
    const node = createNodeBroker();
    await node.fetch(`${base}/v1/stream/meta-s`, { method: "PUT", headers: { "content-type": "application/json", "stream-ttl": "3600" } });
    const groups = (await (await node.fetch(`${base}/v1/groups?internal=true`)).json()) as { groups: Array<{ groupId: string }> };
    expect(groups.groups.map((g) => g.groupId)).toContain("__durable_streams.meta-s");
    const offsets = (await (await node.fetch(`${base}/v1/groups/__durable_streams.meta-s/offsets`)).json()) as {
      offsets: Array<{ partition: number; metadata: string | null }>;
    };
    const config = JSON.parse(offsets.offsets.find((o) => o.partition === 0)?.metadata ?? "{}") as Record<string, unknown>;
    expect(config).toMatchObject({ contentType: "application/json", ttlSeconds: 3600 });
    expect((await node.fetch(`${base}/v1/stream/meta-s`, { method: "DELETE" })).status).toBe(204);
    const after = (await (await node.fetch(`${base}/v1/groups?internal=true`)).json()) as { groups: Array<{ groupId: string }> };
    expect(after.groups.map((g) => g.groupId)).not.toContain("__durable_streams.meta-s");
    expect((await node.fetch(`${base}/v1/topics/meta-s`)).status).toBe(404);
    await node.close();
  });

  it("an idempotent append retried after its answer was lost is deduplicated by the partition", async () => {
    const node = createNodeBroker();
    await node.fetch(`${base}/v1/stream/idem-s`, { method: "PUT", headers: { "content-type": "text/plain" } });
    const send = () =>
      node.fetch(`${base}/v1/stream/idem-s`, {
        method: "POST",
        headers: { "content-type": "text/plain", "producer-id": "p1", "producer-epoch": "0", "producer-seq": "0" },
        body: "once",
      });
    const [first, retry] = await Promise.all([send(), send()]);
    expect([first.status, retry.status].sort()).toEqual([200, 204]);
    const state = (await (await node.fetch(`${base}/v1/topics/idem-s`)).json()) as { partitions: Array<{ highWatermark: number }> };
    expect(state.partitions[0]?.highWatermark).toBe(1);
    expect(await (await node.fetch(`${base}/v1/stream/idem-s?offset=-1`)).text()).toBe("once");
    await node.close();
  });
});
