// What the core keeps in memory is bounded by live readers and active producers, never by what
// was written or read before: checked by counting structures after many operations.
import { createMemoryStorage } from "@rill/storage-memory";
import { describe, expect, it } from "vitest";
import {
  createBoundedCache,
  createOffsetWaiters,
  createPartitionLog,
  createProducerTable,
  encodeBatch,
  encodeUtf8,
  longPollFetch,
  type ProducerEntry,
  resolveTopicConfig,
  type WaitSignal,
} from "../src/index.ts";

/** A long-lived signal (as an SSE stream's request signal) that counts its listeners. */
function countingSignal(): WaitSignal & { listeners: number; abort(): void } {
  const listeners = new Set<() => void>();
  const signal = {
    aborted: false,
    addEventListener: (_: "abort", fn: () => void) => void listeners.add(fn),
    removeEventListener: (_: "abort", fn: () => void) => void listeners.delete(fn),
    get listeners() {
      return listeners.size;
    },
    abort() {
      signal.aborted = true;
      for (const fn of [...listeners]) fn();
    },
  };
  return signal;
}

describe("offset waiters", () => {
  it("leave nothing on a long-lived signal once woken, timed out or aborted", async () => {
    let hw = 0;
    const waiters = createOffsetWaiters(() => hw);
    const signal = countingSignal();
    for (let round = 0; round < 2_000; round++) {
      const woken = waiters.wait(hw, 60_000, signal);
      hw++;
      waiters.notify(hw);
      expect(await woken).toBe(true);
    }
    const timedOut = await Promise.all(Array.from({ length: 500 }, () => waiters.wait(hw, 1, signal)));
    expect(timedOut.every((ready) => ready === false)).toBe(true);
    expect([waiters.size, signal.listeners]).toEqual([0, 0]);

    const pending = Array.from({ length: 500 }, () => waiters.wait(hw, 60_000, signal));
    expect([waiters.size, signal.listeners]).toEqual([500, 500]);
    signal.abort();
    expect((await Promise.all(pending)).every((ready) => ready === false)).toBe(true);
    expect([waiters.size, signal.listeners]).toEqual([0, 0]);
  });

  it("are gone after long-polls that ended, however many records flowed past", async () => {
    const log = createPartitionLog({ storage: createMemoryStorage(), partition: "t/0" });
    const signal = countingSignal();
    let offset = 0;
    for (let i = 0; i < 300; i++) {
      const polled = longPollFetch(log, { offset, maxWaitMs: 60_000, signal });
      await log.appendRecords([{ key: null, value: encodeUtf8(`v${i}`) }]);
      offset = (await polled).nextOffset;
    }
    expect(offset).toBe(300);
    const idle = await longPollFetch(log, { offset, maxWaitMs: 5, signal });
    expect(idle.batches).toEqual([]);
    expect(signal.listeners).toBe(0);
  });
});

describe("producer table", () => {
  const entry = (producerId: number, lastTimestamp: number): ProducerEntry => ({ producerId, epoch: 0, batches: [], lastTimestamp });

  it("holds the producers active within producer.id.expiration.ms, not every producer that ever wrote", () => {
    const table = createProducerTable(() => 1_000);
    let time = 0;
    for (let id = 0; id < 20_000; id++) {
      time += 1; // one new producer per ms, each writing once
      const writing = new Map([[id, entry(id, time)]]);
      table.committed(writing, table.expiring(time, writing));
    }
    // the last second's producers, plus at most one check interval (a tenth of the expiration) of idle ones
    expect(table.size).toBeGreaterThanOrEqual(1_000);
    expect(table.size).toBeLessThanOrEqual(1_100);
  });

  it("drops expired entries on load and hands their ids to the next append, never a writing one", () => {
    const table = createProducerTable(() => 1_000);
    table.load([entry(1, 0), entry(2, 500), entry(3, 1_900)], 2_000);
    expect([table.get(1), table.get(2), table.get(3)?.producerId]).toEqual([undefined, undefined, 3]);
    const writing = new Map([[2, entry(2, 2_000)]]);
    expect(table.expiring(2_000, writing)).toEqual([1]);
    table.committed(writing, [1]);
    expect(table.expiring(2_001, new Map())).toEqual([]);
    expect(table.size).toBe(2);
  });

  it("keeps at most the last five batches of a producer after many appends", async () => {
    const storage = createMemoryStorage();
    const log = createPartitionLog({ storage, partition: "t/0", config: () => resolveTopicConfig() });
    for (let seq = 0; seq < 500; seq++) {
      await log.appendBatches(encodeBatch([{ key: null, value: encodeUtf8("v") }], { producerId: 3, producerEpoch: 0, baseSequence: seq }));
    }
    const { producers } = await storage.loadPartition("t/0");
    expect(producers.map((p) => [p.producerId, p.batches.length])).toEqual([[3, 5]]);
  });
});

describe("bounded cache", () => {
  it("holds at most maxBytes however many keys pass through, dropping the least recently used", () => {
    const cache = createBoundedCache<string, number>(10_000);
    cache.set("hot", 0, 100);
    for (let i = 0; i < 100_000; i++) {
      cache.set(`topic-${i}`, i, 100);
      if (i % 50 === 0) expect(cache.get("hot")).toBe(0); // in use: never the oldest for long
    }
    expect(cache.bytes).toBeLessThanOrEqual(10_000);
    expect(cache.size).toBe(100);
    expect(cache.get("topic-99999")).toBe(99_999);
    expect(cache.get("topic-0")).toBeUndefined();
    cache.set("huge", -1, 20_000);
    expect([cache.get("huge"), cache.size]).toEqual([undefined, 100]);
    cache.set("topic-99999", 1, 5_000);
    expect(cache.bytes).toBeLessThanOrEqual(10_000);
  });
});
