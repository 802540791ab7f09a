// The sync engine against the real edge broker (`wrangler dev`, Durable Objects on SQLite), behind
// the TCP proxy: 30% of answers dropped, the edge SIGKILLed mid-upload and restarted on its state
// directory, four leader crashes of a replication-factor-3 topic, the local host crashed once. The outbox goes up exactly once and a replica of the same
// edge topic comes down byte for byte.
import { createMemoryStorage } from "@rill/storage-memory";
import { describe, expect, it } from "vitest";
import { batchesOf, crashable, createLocalSide, createTopic, engineOn, produceLocal, readTopic } from "../../packages/sync/test/harness.ts";
import { formatVerdict } from "../faults/check.ts";
import { type LocalBrokerProcess, startLocalBroker } from "../harness/local-broker.ts";
import { startTcpProxy } from "../harness/tcp-proxy.ts";
import { until } from "../helpers/wait.ts";
import { cleanupsAfterEach, uploadVerdict, withEdgeOffsets } from "./sync-setup.ts";

const cleanups = cleanupsAfterEach();

describe("sync against wrangler dev", () => {
  it("uploads exactly once and mirrors byte for byte through an edge SIGKILL, leader crashes, a host crash and dropped answers", async () => {
    let edge: LocalBrokerProcess = await startLocalBroker({ vars: { RILL_FAULTS: "enabled" } });
    cleanups.push(() => edge.stop("SIGKILL"));
    const port = Number(new URL(edge.url).port);
    const proxy = await startTcpProxy({ upstreamPort: port });
    cleanups.push(() => proxy.close());
    const created = await fetch(`${edge.url}/v1/topics`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "orders", partitions: 2, replicationFactor: 3 }),
    });
    expect(created.status).toBe(201);
    const sync = { upload: [{ local: "outbox", edge: "orders" }], download: [{ edge: "orders" }] };

    const storage = createMemoryStorage();
    const disk = crashable(storage);
    let local = createLocalSide(disk.storage, ["outbox"]);
    await createTopic(local.fetch, "", "outbox", 2);
    const sent = await produceLocal(local, "outbox", { producer: 0, from: 0, count: 900, perRequest: 6, partitions: 2 });
    proxy.dropAnswers(0.3);
    let engine = engineOn(local, [proxy.url], sync, { deviceId: "edge-test", edge: { brokers: [proxy.url], requestTimeoutMs: 5_000 } });
    await engine.start();
    await until(() => engine.status().counters.batchesAcked >= 20, "uploading", { timeoutMs: 60_000 });

    // the edge dies mid-upload (its process group, SIGKILL) and comes back on its state
    await edge.stop("SIGKILL");
    const kills = 1;
    await until(() => engine.status().connectivity !== "online", "offline", { timeoutMs: 60_000 });
    edge = await startLocalBroker({ stateDir: edge.stateDir, port, vars: { RILL_FAULTS: "enabled" } });
    await until(() => engine.status().counters.batchesAcked >= 40, "uploading again", { timeoutMs: 60_000 });

    // leader crashes (replication factor 3): a new leader takes over and keeps the producer state
    let leaderCrashes = 0;
    for (let i = 0; i < 4; i++) {
      const acked = engine.status().counters.batchesAcked;
      const crash = await fetch(`${edge.url}/v1/_faults`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ topic: "orders", partition: i % 2, replica: "leader", fault: { kind: "crash", durationMs: 800 } }),
      });
      if (crash.ok) leaderCrashes++;
      await until(() => engine.status().counters.batchesAcked > acked + 3, "uploading after a leader crash", { timeoutMs: 60_000 });
    }
    expect(leaderCrashes).toBe(4);

    // then the local host crashes: its storage gone mid-flight; a new host resumes from what was written
    disk.crash();
    const before = engine.status().counters;
    await engine.stop();
    local = createLocalSide(storage, ["outbox"]);
    proxy.dropAnswers(0);
    engine = engineOn(local, [proxy.url], sync, { deviceId: "edge-test", edge: { brokers: [proxy.url], requestTimeoutMs: 5_000 } });
    cleanups.push(() => engine.stop());
    await engine.start();
    await engine.syncNow({ signal: AbortSignal.timeout(120_000) });
    const after = engine.status().counters;

    const read = await readTopic(fetch, edge.url, "orders", 2);
    const { verdict, moved } = uploadVerdict(sent, await withEdgeOffsets(engine, sent), read);
    const repeats = before.duplicatesAbsorbed + before.duplicateSequences + after.duplicatesAbsorbed + after.duplicateSequences;
    console.log(
      `wrangler dev: ${sent.length} records, ${kills} edge SIGKILL, ${leaderCrashes} leader crashes (rf 3), 1 host crash, ${proxy.counters.droppedAnswers} answers dropped, ${repeats} repeats absorbed\n${formatVerdict({ ...verdict, movedOffsets: moved })}`,
    );
    expect(verdict.acknowledgedButLost).toEqual([]);
    expect(verdict.duplicates).toEqual([]);
    expect(verdict.orderViolations).toEqual([]);
    expect(moved).toEqual([]);
    expect(read).toHaveLength(sent.length);
    expect(proxy.counters.droppedAnswers).toBeGreaterThan(0);

    for (const p of [0, 1]) {
      const upstream = await batchesOf(fetch, edge.url, "orders", p, 0);
      const copy = await batchesOf(local.fetch, "", "edge.orders", p, 0);
      expect([...copy.entries()]).toEqual([...upstream.entries()]);
    }
  }, 240_000);
});
