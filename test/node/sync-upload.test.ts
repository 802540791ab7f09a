// Upload of outbox topics to an edge over HTTP, through a TCP proxy that takes the network away.
import { describe, expect, it } from "vitest";
import { createLocalSide, createTopic, engineOn, produceLocal, readTopic } from "../../packages/sync/test/harness.ts";
import { check } from "../faults/check.ts";
import { until } from "../helpers/wait.ts";
import { cleanupsAfterEach, edgeBehindProxy } from "./sync-setup.ts";

const cleanups = cleanupsAfterEach();

describe("sync upload", () => {
  it("moves records written offline to the edge once, in local order, when the network comes back", async () => {
    const { edge, proxy } = await edgeBehindProxy(cleanups);
    await createTopic(fetch, edge.url, "orders", 2);
    proxy.setMode("cut");
    const local = createLocalSide(undefined, ["outbox"]);
    await createTopic(local.fetch, "", "outbox", 2);
    const sent = await produceLocal(local, "outbox", { producer: 0, from: 0, count: 300, perRequest: 10, partitions: 2 });
    const engine = engineOn(local, [proxy.url], { upload: [{ local: "outbox", edge: "orders" }] });
    cleanups.push(() => engine.stop());
    await engine.start();
    const pushed: number[] = [];
    engine.subscribe((s) => pushed.push(s.upload.outboxRecords));
    await until(() => engine.status().connectivity === "offline", "offline status");
    // a UI's view while offline: what waits, how much, since when, and why (errors counted, not repeated)
    await until(() => (engine.status().errors[0]?.count ?? 0) > 2, "repeated failures");
    const offline = engine.status();
    expect(offline.upload.outboxRecords).toBe(300);
    expect(offline.upload.outboxBytes).toBeGreaterThan(300 * 5);
    expect(offline.upload.oldestUnsyncedAt).not.toBeNull();
    expect(offline.lastSyncAt).toBeNull();
    expect(new Set(offline.errors.map((e) => `${e.code}/${e.topic}/${e.partition}`)).size).toBe(offline.errors.length);
    await expect(engine.syncNow({ signal: AbortSignal.timeout(200) })).rejects.toMatchObject({ name: "TimeoutError" });
    expect(await readTopic(fetch, edge.url, "orders", 2)).toEqual([]);

    proxy.setMode("forward");
    const status = await engine.syncNow({ signal: AbortSignal.timeout(30_000) });
    expect(status.upload.outboxRecords).toBe(0);
    expect(status.connectivity).toBe("online");
    expect(status.lastSyncAt).not.toBeNull();
    expect(status.upload.partitions.map((p) => p.acked - p.localEnd)).toEqual([0, 0]);
    await until(() => pushed.at(-1) === 0, "an empty outbox pushed to subscribers");

    const read = await readTopic(fetch, edge.url, "orders", 2);
    // on the edge, offsets differ from local ones; the checker compares the edge offsets uploaded() gave
    const acked = await Promise.all(
      sent.map(async (s) => {
        const { edgeOffset } = await engine.uploaded({ topicName: "outbox", partition: s.partition, offset: s.offset });
        return { ...s, offset: edgeOffset };
      }),
    );
    const verdict = check(sent.length, acked, read);
    expect(verdict.acknowledgedButLost).toEqual([]);
    expect(verdict.duplicates).toEqual([]);
    expect(verdict.orderViolations).toEqual([]);
    expect(verdict.movedOffsets).toEqual([]);
    expect(read).toHaveLength(300);
    // edge order per partition is local order per partition
    for (const p of [0, 1]) {
      const localOrder = sent
        .filter((s) => s.partition === p)
        .sort((a, b) => a.offset - b.offset)
        .map((s) => s.id);
      expect(read.filter((r) => r.partition === p).map((r) => r.id)).toEqual(localOrder);
    }
  });

  it("refuses a local producer on a replica topic and an uploaded() on a topic that is not an outbox", async () => {
    const { edge, proxy } = await edgeBehindProxy(cleanups);
    await createTopic(fetch, edge.url, "news", 1);
    const local = createLocalSide();
    const engine = engineOn(local, [proxy.url], { download: [{ edge: "news" }] });
    cleanups.push(() => engine.stop());
    await engine.start();
    await engine.syncNow({ signal: AbortSignal.timeout(30_000) });
    const response = await local.fetch("/v1/topics/edge.news/records", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ records: [{ value: "x" }] }),
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { code: string; readOnly: boolean } };
    expect(body.error.code).toBe("INVALID_TOPIC_EXCEPTION");
    expect(body.error.readOnly).toBe(true);
    await expect(engine.uploaded({ topicName: "edge.news", partition: 0, offset: 0 })).rejects.toMatchObject({ code: "INVALID_REQUEST" });
  });
});
