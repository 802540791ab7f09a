// Download of edge topics into read-only local replicas: byte for byte at the edge's offsets,
// through dropped answers and host crashes; a jump with a reported gap when edge retention
// overtakes the replica; a fresh start when the edge topic is re-created.
import { createMemoryStorage } from "@rill/storage-memory";
import { describe, expect, it } from "vitest";
import { batchesOf, crashable, createLocalSide, createTopic, engineOn, readTopic } from "../../packages/sync/test/harness.ts";
import { check, formatVerdict, parseId } from "../faults/check.ts";
import { until } from "../helpers/wait.ts";
import { cleanupsAfterEach, edgeBehindProxy } from "./sync-setup.ts";

const cleanups = cleanupsAfterEach();

let seq = 0;
/** Produces on the edge itself (not through the proxy), `count` records in requests of 10. */
async function produceEdge(url: string, topic: string, count: number, partitions: number): Promise<void> {
  for (let i = 0; i < count; i += 10) {
    const records = Array.from({ length: Math.min(10, count - i) }, () => {
      const s = seq++;
      return { key: `k${s % 5}`, value: `p9-${s}`, partition: s % partitions };
    });
    const r = await fetch(`${url}/v1/topics/${topic}/records`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ records, acks: "all" }),
    });
    if (!r.ok) throw new Error(`edge produce ${r.status}`);
  }
}

async function expectByteEqual(
  edgeUrl: string,
  local: ReturnType<typeof createLocalSide>,
  edgeTopic: string,
  replica: string,
  partitions: number,
) {
  for (let p = 0; p < partitions; p++) {
    const describe = (await (await fetch(`${edgeUrl}/v1/topics/${edgeTopic}`)).json()) as { partitions: Array<{ logStartOffset: number }> };
    const from = describe.partitions[p]?.logStartOffset ?? 0;
    const upstream = await batchesOf(fetch, edgeUrl, edgeTopic, p, from);
    const copy = await batchesOf(local.fetch, "", replica, p, from);
    expect(copy.size).toBe(upstream.size);
    expect([...copy.entries()]).toEqual([...upstream.entries()]);
  }
}

describe("sync download", () => {
  it("keeps a replica byte-equal to the edge at equal offsets through 8 crashes and 30% dropped answers", async () => {
    const { edge, proxy } = await edgeBehindProxy(cleanups);
    await createTopic(fetch, edge.url, "news", 2);
    await produceEdge(edge.url, "news", 200, 2);
    const storage = createMemoryStorage();
    proxy.dropAnswers(0.3);
    let downloaded = 0;
    for (let round = 0; round < 8; round++) {
      const disk = crashable(storage);
      const local = createLocalSide(disk.storage);
      const engine = engineOn(local, [proxy.url], { download: [{ edge: "news" }] }, { deviceId: "d1" });
      await engine.start();
      await produceEdge(edge.url, "news", 60, 2);
      const before = engine.status().counters.batchesDownloaded;
      await until(() => engine.status().counters.batchesDownloaded > before, "some batches downloaded");
      disk.crash();
      downloaded += engine.status().counters.batchesDownloaded;
      await engine.stop();
    }
    proxy.dropAnswers(0);
    const local = createLocalSide(storage);
    const engine = engineOn(local, [proxy.url], { download: [{ edge: "news" }] }, { deviceId: "d1" });
    cleanups.push(() => engine.stop());
    await engine.start();
    const status = await engine.syncNow({ signal: AbortSignal.timeout(30_000) });
    expect(status.download.partitions.every((p) => p.lag === 0)).toBe(true);
    await expectByteEqual(edge.url, local, "news", "edge.news", 2);
    const upstream = await readTopic(fetch, edge.url, "news", 2);
    const acked = upstream.map((r) => ({ ...r, ...(parseId(r.id) as { producer: number; seq: number }) }));
    const verdict = check(upstream.length, acked, await readTopic(local.fetch, "", "edge.news", 2));
    console.log(
      `download: 8 crashes, ${downloaded} batches before the last start, proxy ${JSON.stringify(proxy.counters)}\n${formatVerdict(verdict)}`,
    );
    expect(upstream).toHaveLength(680);
    expect(verdict.acknowledgedButLost).toEqual([]);
    expect(verdict.duplicates).toEqual([]);
    expect(verdict.orderViolations).toEqual([]);
    expect(verdict.movedOffsets).toEqual([]);
    expect(proxy.counters.droppedAnswers).toBeGreaterThan(0);
  }, 120_000);

  it("jumps to the edge log start and reports the gap when edge retention overtook the replica", async () => {
    const { edge, proxy } = await edgeBehindProxy(cleanups);
    await createTopic(fetch, edge.url, "news", 1, { "retention.ms": "1" });
    await produceEdge(edge.url, "news", 50, 1);
    const local = createLocalSide();
    const engine = engineOn(local, [proxy.url], { download: [{ edge: "news", local: "news-copy" }] });
    cleanups.push(() => engine.stop());
    await engine.start();
    await engine.syncNow({ signal: AbortSignal.timeout(30_000) });
    expect(engine.status().download.partitions[0]?.replicaEnd).toBe(50);

    proxy.setMode("cut");
    await produceEdge(edge.url, "news", 50, 1);
    await new Promise((r) => setTimeout(r, 5));
    await edge.broker.runMaintenance(); // everything is older than 1 ms: the edge log now starts at 100
    await produceEdge(edge.url, "news", 10, 1);
    proxy.setMode("forward");
    const status = await engine.syncNow({ signal: AbortSignal.timeout(30_000) });
    expect(status.download.gaps).toEqual([
      expect.objectContaining({ topic: "news-copy", partition: 0, from: 50, to: 100, reason: "retention" }),
    ]);
    const copy = await readTopic(local.fetch, "", "news-copy", 1);
    expect(copy.map((r) => r.offset)).toEqual(Array.from({ length: 10 }, (_, i) => 100 + i));
    await expectByteEqual(edge.url, local, "news", "news-copy", 1);
  });

  it("starts a new replica at the edge's end with from: latest", async () => {
    const { edge, proxy } = await edgeBehindProxy(cleanups);
    await createTopic(fetch, edge.url, "news", 1);
    await produceEdge(edge.url, "news", 30, 1);
    const local = createLocalSide();
    const engine = engineOn(local, [proxy.url], { download: [{ edge: "news", from: "latest" }] });
    cleanups.push(() => engine.stop());
    await engine.start();
    await engine.syncNow({ signal: AbortSignal.timeout(30_000) });
    await produceEdge(edge.url, "news", 5, 1);
    await engine.syncNow({ signal: AbortSignal.timeout(30_000) });
    expect((await readTopic(local.fetch, "", "edge.news", 1)).map((r) => r.offset)).toEqual([30, 31, 32, 33, 34]);
    expect(engine.status().download.gaps).toEqual([]);
  });

  it("starts the replica over when the edge topic is re-created", async () => {
    const { edge, proxy } = await edgeBehindProxy(cleanups);
    await createTopic(fetch, edge.url, "news", 1);
    await produceEdge(edge.url, "news", 40, 1);
    const local = createLocalSide();
    const engine = engineOn(local, [proxy.url], { download: [{ edge: "news" }] });
    cleanups.push(() => engine.stop());
    await engine.start();
    await engine.syncNow({ signal: AbortSignal.timeout(30_000) });

    await fetch(`${edge.url}/v1/topics/news`, { method: "DELETE" });
    await createTopic(fetch, edge.url, "news", 1);
    await produceEdge(edge.url, "news", 70, 1); // more than the replica had: no offset error to give it away
    await until(() => engine.status().download.gaps.some((g) => g.reason === "recreated"), "a reset");
    await engine.syncNow({ signal: AbortSignal.timeout(30_000) });
    const ids = (await readTopic(local.fetch, "", "edge.news", 1)).map((r) => r.id);
    expect(ids).toEqual((await readTopic(fetch, edge.url, "news", 1)).map((r) => r.id));
    expect(ids).toHaveLength(70);
    await expectByteEqual(edge.url, local, "news", "edge.news", 1);
  });
});
