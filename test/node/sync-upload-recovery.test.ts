// The uploader's deliberate answers: an edge that forgot the producer (topic re-created, fresh
// edge state), another holder of the same transactional id (fenced), a cloned device (fenced by
// content), and an outbox whose retention would delete what is not uploaded yet.
import { encodeBatch } from "@rill/core";
import { startNodeBroker } from "@rill/node";
import { createMemoryStorage } from "@rill/storage-memory";
import { describe, expect, it } from "vitest";
import { transactionalIdOf } from "../../packages/sync/src/index.ts";
import { createLocalSide, createTopic, engineOn, produceLocal, readTopic } from "../../packages/sync/test/harness.ts";
import { until } from "../helpers/wait.ts";
import { cleanupsAfterEach, edgeBehindProxy } from "./sync-setup.ts";

const cleanups = cleanupsAfterEach();

const json = (body: unknown): RequestInit => ({
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify(body),
});

/**
 * The edge (topic "orders") behind a proxy, and a local side whose "outbox" (one partition each)
 * `startEngine` uploads to it as device d1.
 */
async function deviceAndEdge(outboxConfig: Record<string, string> = {}) {
  const { edge, proxy } = await edgeBehindProxy(cleanups);
  await createTopic(fetch, edge.url, "orders", 1);
  const local = createLocalSide(undefined, ["outbox"]);
  await createTopic(local.fetch, "", "outbox", 1, outboxConfig);
  const startEngine = async () => {
    const engine = engineOn(local, [proxy.url], { upload: [{ local: "outbox", edge: "orders" }] }, { deviceId: "d1" });
    cleanups.push(() => engine.stop());
    await engine.start();
    return engine;
  };
  return { edge, proxy, local, startEngine };
}

const ids = (records: Array<{ id: string }>) => records.map((r) => r.id).sort();

describe("sync upload recovery", () => {
  it("starts a new epoch after the edge topic is re-created (UNKNOWN_PRODUCER_ID) and writes nothing twice", async () => {
    const { edge, local, startEngine } = await deviceAndEdge();
    const engine = await startEngine();
    await produceLocal(local, "outbox", { producer: 0, from: 0, count: 40, perRequest: 4, partitions: 1 });
    await engine.syncNow({ signal: AbortSignal.timeout(30_000) });
    const epochBefore = engine.status().upload.partitions[0]?.producerEpoch;

    await fetch(`${edge.url}/v1/topics/orders`, { method: "DELETE" });
    await createTopic(fetch, edge.url, "orders", 1);
    const after = await produceLocal(local, "outbox", { producer: 0, from: 40, count: 40, perRequest: 4, partitions: 1 });
    await engine.syncNow({ signal: AbortSignal.timeout(30_000) });

    const status = engine.status();
    expect(status.counters.reinits).toBeGreaterThanOrEqual(1);
    expect(status.upload.partitions[0]?.producerEpoch).toBeGreaterThan(epochBefore ?? 0);
    expect(status.errors.some((e) => e.code === "UNKNOWN_PRODUCER_ID")).toBe(true);
    // the new topic holds exactly what was produced after it was made, once each
    expect(ids(await readTopic(fetch, edge.url, "orders", 1))).toEqual(ids(after));
  });

  it("starts a new epoch on a fresh edge that forgot the producer, and sends only what it lacks", async () => {
    const { proxy, local, startEngine } = await deviceAndEdge();
    const engine = await startEngine();
    await produceLocal(local, "outbox", { producer: 0, from: 0, count: 20, perRequest: 4, partitions: 1 });
    await engine.syncNow({ signal: AbortSignal.timeout(30_000) });

    // a fresh edge (no producer state, same topic name) behind the same address
    const fresh = await startNodeBroker();
    cleanups.push(() => fresh.close());
    await createTopic(fetch, fresh.url, "orders", 1);
    proxy.setUpstream(fresh.port);
    proxy.setMode("cut"); // old connections go; new ones reach the fresh edge
    proxy.setMode("forward");
    // answers dropped: the first batches land on the fresh edge but the engine does not hear it
    proxy.dropAnswers(1);
    const rest = await produceLocal(local, "outbox", { producer: 0, from: 20, count: 20, perRequest: 4, partitions: 1 });
    await until(() => proxy.counters.droppedAnswers >= 2, "a dropped answer");
    proxy.dropAnswers(0);
    await engine.syncNow({ signal: AbortSignal.timeout(30_000) });
    const read = await readTopic(fetch, fresh.url, "orders", 1);
    expect(ids(read)).toEqual(ids(rest));
    expect(engine.status().counters.reinits).toBeGreaterThanOrEqual(1);
  });

  it("stops with status fenced when another producer takes this device's transactional id, and sends nothing more", async () => {
    const { edge, local, startEngine } = await deviceAndEdge();
    const engine = await startEngine();
    await produceLocal(local, "outbox", { producer: 0, from: 0, count: 10, perRequest: 5, partitions: 1 });
    await engine.syncNow({ signal: AbortSignal.timeout(30_000) });

    // someone else: same transactional id, new epoch, writes to the partition
    const stolen = (await (
      await fetch(`${edge.url}/v1/producers`, json({ transactionalId: transactionalIdOf("d1", "orders", 0) }))
    ).json()) as {
      producerId: number;
      producerEpoch: number;
    };
    const batch = encodeBatch([{ value: new TextEncoder().encode("intruder") }], { ...stolen, baseSequence: 0 });
    const put = await fetch(`${edge.url}/v1/topics/orders/partitions/0/batches?acks=all`, {
      method: "POST",
      headers: { "content-type": "application/octet-stream" },
      body: batch as Uint8Array<ArrayBuffer>,
    });
    expect(put.ok).toBe(true);

    await produceLocal(local, "outbox", { producer: 0, from: 10, count: 10, perRequest: 5, partitions: 1 });
    await expect(engine.syncNow({ signal: AbortSignal.timeout(30_000) })).rejects.toMatchObject({ code: "PRODUCER_FENCED" });
    const status = engine.status();
    expect(status.upload.state).toBe("fenced");
    expect(status.errors.some((e) => e.code === "PRODUCER_FENCED")).toBe(true);
    const sentWhenFenced = status.counters.batchesSent;
    // nothing more goes out: more records, a nudge, and the counters and the edge stay as they were
    await produceLocal(local, "outbox", { producer: 0, from: 20, count: 10, perRequest: 5, partitions: 1 });
    await expect(engine.syncNow({ signal: AbortSignal.timeout(5_000) })).rejects.toMatchObject({ code: "PRODUCER_FENCED" });
    expect(engine.status().counters.batchesSent).toBe(sentWhenFenced);
    const read = await readTopic(fetch, edge.url, "orders", 1);
    expect(read.map((r) => r.id)).toEqual([...Array.from({ length: 10 }, (_, i) => `p0-${i}`), "intruder"]);
  });

  it("fences a cloned device: the same identity with other records is caught by comparing a duplicate with the edge", async () => {
    const { edge, proxy } = await edgeBehindProxy(cleanups);
    await createTopic(fetch, edge.url, "orders", 1);
    const original = createMemoryStorage();
    const a = createLocalSide(original, ["outbox"]);
    await createTopic(a.fetch, "", "outbox", 1);
    const engineA = engineOn(a, [proxy.url], { upload: [{ local: "outbox", edge: "orders" }] }, { deviceId: "d1" });
    await engineA.start();
    await produceLocal(a, "outbox", { producer: 0, from: 0, count: 8, perRequest: 4, partitions: 1 });
    await engineA.syncNow({ signal: AbortSignal.timeout(30_000) });
    await engineA.stop();

    // the clone: every document copied (topics, identity, cursor), then the original goes on
    const copy = createMemoryStorage();
    for (const ns of ["topics", "rill-sync", "producers"]) {
      for (const doc of await original.listDocuments(ns)) await copy.putDocument(ns, doc.id, 0, doc.value);
    }
    const again = createLocalSide(original, ["outbox"]);
    const restarted = engineOn(again, [proxy.url], { upload: [{ local: "outbox", edge: "orders" }] }, { deviceId: "d1" });
    await restarted.start();
    await produceLocal(again, "outbox", { producer: 0, from: 8, count: 8, perRequest: 4, partitions: 1 });
    await restarted.syncNow({ signal: AbortSignal.timeout(30_000) });
    expect(await readTopic(fetch, edge.url, "orders", 1)).toHaveLength(16);
    await restarted.stop();

    // the clone writes other records at the same offsets and sends them under the same identity
    const b = createLocalSide(copy, ["outbox"]);
    await produceLocal(b, "outbox", { producer: 1, from: 0, count: 16, perRequest: 4, partitions: 1 });
    const engineB = engineOn(b, [proxy.url], { upload: [{ local: "outbox", edge: "orders" }] }, { deviceId: "d1" });
    cleanups.push(() => engineB.stop());
    await engineB.start();
    await until(() => engineB.status().upload.state === "fenced", "the clone fenced");
    expect(engineB.status().counters.cloneChecks).toBeGreaterThan(0);
    // the edge holds the original's records only
    expect((await readTopic(fetch, edge.url, "orders", 1)).every((r) => r.id.startsWith("p0-"))).toBe(true);
  });

  it("keeps unsynced outbox records through compaction while offline, so every version of a key is uploaded", async () => {
    const { edge, proxy, local, startEngine } = await deviceAndEdge({ "cleanup.policy": "compact" });
    proxy.setMode("cut");
    const sent = await produceLocal(local, "outbox", { producer: 0, from: 0, count: 70, perRequest: 7, partitions: 1 }); // 7 keys, 10 versions each
    const engine = await startEngine();
    await local.broker.runMaintenance();
    expect(await readTopic(local.fetch, "", "outbox", 1)).toHaveLength(70);

    proxy.setMode("forward");
    await engine.syncNow({ signal: AbortSignal.timeout(30_000) });
    expect(ids(await readTopic(fetch, edge.url, "orders", 1))).toEqual(ids(sent));
    await local.broker.runMaintenance(); // uploaded: now compaction may keep only the latest per key
    expect(await readTopic(local.fetch, "", "outbox", 1)).toHaveLength(7);
  });

  it("keeps unsynced outbox records through retention.ms=1 while offline, and lets retention take them once uploaded", async () => {
    const { edge, proxy, local, startEngine } = await deviceAndEdge({ "retention.ms": "1" });
    proxy.setMode("cut");
    const sent = await produceLocal(local, "outbox", { producer: 0, from: 0, count: 50, perRequest: 5, partitions: 1 });
    const engine = await startEngine();
    await new Promise((r) => setTimeout(r, 5)); // every record is now older than retention.ms
    await local.broker.runMaintenance();
    expect(await readTopic(local.fetch, "", "outbox", 1)).toHaveLength(50);

    proxy.setMode("forward");
    await engine.syncNow({ signal: AbortSignal.timeout(30_000) });
    expect(ids(await readTopic(fetch, edge.url, "orders", 1))).toEqual(ids(sent));
    await local.broker.runMaintenance();
    expect(await readTopic(local.fetch, "", "outbox", 1)).toHaveLength(0);
  });
});
