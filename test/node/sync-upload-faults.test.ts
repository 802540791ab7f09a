// Upload under faults: answers dropped after the edge appended, blackholes, and the local host
// "crashing" (its storage gone mid-flight, so cursor writes are lost) at many points, then a new
// broker and engine on the same storage. The fault checker's verdict must be all zeros.
import type { Storage } from "@rill/core";
import "fake-indexeddb/auto";
import { createIndexedDbStorage } from "@rill/storage-indexeddb";
import { createMemoryStorage } from "@rill/storage-memory";
import { describe, expect, it } from "vitest";
import type { SyncCounters } from "../../packages/sync/src/index.ts";
import { crashable, createLocalSide, createTopic, engineOn, produceLocal, readTopic, type Sent } from "../../packages/sync/test/harness.ts";
import { check, formatVerdict } from "../faults/check.ts";
import { until } from "../helpers/wait.ts";
import { cleanupsAfterEach, edgeBehindProxy, uploadVerdict, withEdgeOffsets } from "./sync-setup.ts";

const cleanups = cleanupsAfterEach();

type CrashPoint = "while-sending" | "answer-held" | "after-ack";

/** Runs rounds of produce → sync → crash, then a clean final sync; returns the verdict and the sums. */
async function crashRun(open: () => Storage | Promise<Storage>, rounds: CrashPoint[], label: string) {
  const { edge, proxy } = await edgeBehindProxy(cleanups);
  await createTopic(fetch, edge.url, "orders", 2);
  const sent: Sent[] = [];
  const totals: Record<string, number> = {};
  const add = (c: SyncCounters) => {
    for (const [k, v] of Object.entries(c)) totals[k] = (totals[k] ?? 0) + v;
  };
  let seq = 0;
  proxy.dropAnswers(0.3);
  for (const [round, point] of rounds.entries()) {
    const base = await open();
    const disk = crashable(base);
    const local = createLocalSide(disk.storage, ["outbox"]);
    if (round === 0) await createTopic(local.fetch, "", "outbox", 2);
    sent.push(...(await produceLocal(local, "outbox", { producer: 0, from: seq, count: 60, perRequest: 6, partitions: 2 })));
    seq += 60;
    const engine = engineOn(local, [proxy.url], { upload: [{ local: "outbox", edge: "orders" }] }, { deviceId: "device-1" });
    await engine.start();
    if (point === "answer-held") {
      // the edge appends, its answer waits in the proxy; the host dies before hearing it
      const held = new Promise<void>((resolve) => proxy.holdAnswers(resolve));
      await until(() => held.then(() => true), "an answer held", { timeoutMs: 30_000 });
      disk.crash();
      proxy.stopHolding("drop");
    } else if (point === "after-ack") {
      // an answer arrives and is counted; the host dies before the cursor write (every 250 ms)
      const before = engine.status().counters.batchesAcked;
      await until(() => engine.status().counters.batchesAcked > before, "one more acknowledgement", { timeoutMs: 30_000 });
      disk.crash();
    } else {
      await until(() => engine.status().counters.batchesSent >= 3, "sending", { timeoutMs: 30_000 });
      if (round % 2 === 1) proxy.setMode("blackhole");
      disk.crash();
    }
    add(engine.status().counters);
    await engine.stop();
    await base.close();
    proxy.setMode("forward");
  }
  // last start: no faults left, everything must arrive exactly once
  proxy.dropAnswers(0);
  const base = await open();
  cleanups.push(() => base.close());
  const local = createLocalSide(base, ["outbox"]);
  const engine = engineOn(local, [proxy.url], { upload: [{ local: "outbox", edge: "orders" }] }, { deviceId: "device-1" });
  await engine.start();
  await engine.syncNow({ signal: AbortSignal.timeout(60_000) });
  const known = await withEdgeOffsets(engine, sent);
  add(engine.status().counters);
  await engine.stop();
  const read = await readTopic(fetch, edge.url, "orders", 2);
  // uploaded() knows edge offsets only for what this last engine sent; those must be where the records are
  const { verdict, moved } = uploadVerdict(sent, known, read);
  console.log(
    `${label}: ${rounds.length} crashes, proxy ${JSON.stringify(proxy.counters)}, engine ${JSON.stringify(totals)}\n${formatVerdict({ ...verdict, movedOffsets: moved })}`,
  );
  return { verdict, moved, totals, proxy: proxy.counters, sent, read };
}

describe("sync upload under faults", () => {
  it("loses and repeats nothing across 12 crashes, 30% dropped answers and blackholes (memory storage)", async () => {
    const points: CrashPoint[] = ["while-sending", "answer-held", "after-ack"];
    const rounds = Array.from({ length: 12 }, (_, i) => points[i % 3] as CrashPoint);
    const memory = createMemoryStorage();
    // the memory backend's data lives in the object, so a "reopen" hands back the same one, unclosed
    const reopen = () => new Proxy(memory, { get: (t, n) => (n === "close" ? async () => undefined : Reflect.get(t, n)) });
    const run = await crashRun(reopen, rounds, "memory");
    expect(run.verdict.acknowledgedButLost).toEqual([]);
    expect(run.verdict.duplicates).toEqual([]);
    expect(run.verdict.orderViolations).toEqual([]);
    expect(run.moved).toEqual([]);
    expect(run.read).toHaveLength(run.sent.length);
    // the duplicate path really ran: repeats reached the edge and were absorbed
    expect(run.proxy.droppedAnswers).toBeGreaterThan(0);
    expect((run.totals.duplicatesAbsorbed ?? 0) + (run.totals.duplicateSequences ?? 0)).toBeGreaterThan(0);
  }, 180_000);

  it("loses and repeats nothing while a zombie engine on the same storage sends alongside the new one", async () => {
    const { edge, proxy } = await edgeBehindProxy(cleanups);
    await createTopic(fetch, edge.url, "orders", 2);
    const storage = createMemoryStorage();
    const first = createLocalSide(storage, ["outbox"]);
    await createTopic(first.fetch, "", "outbox", 2);
    const sync = { upload: [{ local: "outbox", edge: "orders" }] };
    const sent = await produceLocal(first, "outbox", { producer: 0, from: 0, count: 40, perRequest: 4, partitions: 2 });
    const zombie = engineOn(first, [proxy.url], sync, { deviceId: "d1" });
    cleanups.push(() => zombie.stop());
    await zombie.start();
    await zombie.syncNow({ signal: AbortSignal.timeout(30_000) });
    // the host "froze": its records keep coming, it is replaced, and it wakes up still running
    proxy.dropAnswers(0.3);
    sent.push(...(await produceLocal(first, "outbox", { producer: 0, from: 40, count: 300, perRequest: 6, partitions: 2 })));
    const replacement = engineOn(createLocalSide(storage, ["outbox"]), [proxy.url], sync, { deviceId: "d1" });
    cleanups.push(() => replacement.stop());
    await replacement.start();
    await Promise.all([
      zombie.syncNow({ signal: AbortSignal.timeout(60_000) }),
      replacement.syncNow({ signal: AbortSignal.timeout(60_000) }),
    ]);
    proxy.dropAnswers(0);
    const read = await readTopic(fetch, edge.url, "orders", 2);
    const verdict = check(sent.length, sent, read);
    const counters = [zombie.status().counters, replacement.status().counters];
    console.log(`zombie + replacement: ${JSON.stringify(counters)}\n${formatVerdict({ ...verdict, movedOffsets: [] })}`);
    expect(verdict.acknowledgedButLost).toEqual([]);
    expect(verdict.duplicates).toEqual([]);
    expect(verdict.orderViolations).toEqual([]);
    expect(read).toHaveLength(sent.length);
    expect(counters.some((c) => c.duplicatesAbsorbed + c.duplicateSequences > 0)).toBe(true);
  }, 120_000);

  it("loses and repeats nothing across 10 crashes with 30% dropped answers (IndexedDB storage, reopened each time)", async () => {
    const points: CrashPoint[] = ["answer-held", "after-ack", "while-sending"];
    const rounds = Array.from({ length: 10 }, (_, i) => points[i % 3] as CrashPoint);
    const dbName = `sync-crash-${Date.now()}`;
    const run = await crashRun(() => createIndexedDbStorage({ dbName }), rounds, "indexeddb");
    expect(run.verdict.acknowledgedButLost).toEqual([]);
    expect(run.verdict.duplicates).toEqual([]);
    expect(run.verdict.orderViolations).toEqual([]);
    expect(run.moved).toEqual([]);
    expect(run.read).toHaveLength(run.sent.length);
    expect((run.totals.duplicatesAbsorbed ?? 0) + (run.totals.duplicateSequences ?? 0)).toBeGreaterThan(0);
  }, 180_000);
});
