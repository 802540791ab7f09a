// Group commit in the partition log: client appends that arrive while a commit is in flight are
// stored together, in one storage call, once it is durable; each request still gets its own
// offsets, and one refused request fails alone. Checked by counting storage calls, not by timing.
import { createMemoryStorage } from "@rill/storage-memory";
import { describe, expect, it } from "vitest";
import { createPartitionLog, encodeBatch, encodeUtf8, isRillError, resolveTopicConfig, type Storage } from "../src/index.ts";

/** Memory storage that counts append calls and can be told to fail the next one. */
function countingStorage(): Storage & { appends: number; failNext: boolean } {
  const inner = createMemoryStorage();
  const counted = Object.create(inner) as Storage & { appends: number; failNext: boolean };
  counted.appends = 0;
  counted.failNext = false;
  counted.append = async (name, request) => {
    counted.appends++;
    if (counted.failNext) {
      counted.failNext = false;
      throw new Error("disk full");
    }
    return inner.append(name, request);
  };
  return counted;
}

/** A commit barrier the test opens by hand: appends queue behind it until then. */
function manualBarrier() {
  const waiting: Array<() => void> = [];
  return {
    barrier: () => new Promise<void>((resolve) => waiting.push(resolve)),
    get waiting() {
      return waiting.length;
    },
    open() {
      for (const resolve of waiting.splice(0)) resolve();
    },
  };
}

const batch = (value: string, producer?: { producerId: number; producerEpoch: number; baseSequence: number }) =>
  encodeBatch([{ value: encodeUtf8(value) }], { ...producer });

async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

describe("partition log group commit", () => {
  it("stores appends queued behind a commit in one storage call, each with its own offsets in arrival order", async () => {
    const storage = countingStorage();
    const commit = manualBarrier();
    const log = createPartitionLog({ storage, partition: "t/0", commitBarrier: commit.barrier });
    const first = await log.appendBatches(batch("a"));
    expect(first.batches[0]?.baseOffset).toBe(0);
    expect(storage.appends).toBe(1);
    // the first commit is in flight: these wait for it
    const queued = [log.appendBatches(batch("b")), log.appendBatches(batch("c")), log.appendBatches(batch("d"))];
    await settle();
    expect(storage.appends).toBe(1);
    expect(commit.waiting).toBe(1);
    commit.open();
    const results = await Promise.all(queued);
    expect(results.map((r) => r.batches[0]?.baseOffset)).toEqual([1, 2, 3]);
    expect(storage.appends).toBe(2);
    const read = await log.readRecords(0);
    expect(read.records.map((r) => new TextDecoder().decode(r.value as Uint8Array))).toEqual(["a", "b", "c", "d"]);
    commit.open();
  });

  it("fails a refused request alone and stores the rest of its group", async () => {
    const storage = countingStorage();
    const commit = manualBarrier();
    const log = createPartitionLog({ storage, partition: "t/0", commitBarrier: commit.barrier });
    await log.appendBatches(batch("p0", { producerId: 7, producerEpoch: 1, baseSequence: 0 }));
    const good = log.appendBatches(batch("p1", { producerId: 7, producerEpoch: 1, baseSequence: 1 }));
    // a stale epoch is refused whatever else is in the group
    const fenced = log.appendBatches(batch("old", { producerId: 7, producerEpoch: 0, baseSequence: 3 }));
    const retry = log.appendBatches(batch("p1", { producerId: 7, producerEpoch: 1, baseSequence: 1 }));
    const plain = log.appendBatches(batch("x"));
    await settle();
    commit.open();
    const [g, f, r, p] = await Promise.allSettled([good, fenced, retry, plain]);
    if (g.status !== "fulfilled" || r.status !== "fulfilled" || p.status !== "fulfilled") throw new Error("a good request failed");
    expect(f.status === "rejected" && isRillError(f.reason, "PRODUCER_FENCED")).toBe(true);
    const stored = g.value.batches[0];
    expect(stored?.duplicate).toBe(false);
    // the retry of a batch earlier in the same group is answered with that batch's offsets
    expect(r.value.batches[0]).toEqual({ baseOffset: stored?.baseOffset, lastOffset: stored?.lastOffset, duplicate: true });
    expect([stored?.baseOffset, p.value.batches[0]?.baseOffset].sort()).toEqual([1, 2]);
    expect(storage.appends).toBe(2);
    expect((await log.state()).logEndOffset).toBe(3);
    commit.open();
  });

  it("fails the whole group when storage refuses it, and stores nothing of it", async () => {
    const storage = countingStorage();
    const commit = manualBarrier();
    const log = createPartitionLog({ storage, partition: "t/0", commitBarrier: commit.barrier });
    await log.appendBatches(batch("a"));
    const queued = [log.appendBatches(batch("b")), log.appendBatches(batch("c"))];
    await settle();
    storage.failNext = true;
    commit.open();
    const outcomes = await Promise.allSettled(queued);
    expect(outcomes.map((o) => o.status)).toEqual(["rejected", "rejected"]);
    expect((await log.state()).logEndOffset).toBe(1);
    commit.open();
    const after = await log.appendBatches(batch("d"));
    expect(after.batches[0]?.baseOffset).toBe(1);
    commit.open();
  });

  it("skips the CRC walk of verified bytes, but still refuses keyless records on a compacted topic", async () => {
    const storage = countingStorage();
    let config = resolveTopicConfig();
    const log = createPartitionLog({ storage, partition: "t/0", config: () => config });
    const corrupt = batch("z");
    corrupt[corrupt.length - 1] = (corrupt[corrupt.length - 1] as number) ^ 0xff; // the CRC no longer matches
    await expect(log.appendBatches(corrupt.slice())).rejects.toSatisfy((e) => isRillError(e, "CORRUPT_MESSAGE"));
    // the caller (the edge Worker) vouches for the bytes: no second walk
    expect((await log.appendBatches(batch("y"), { verified: true })).batches[0]?.baseOffset).toBe(0);
    config = resolveTopicConfig({ "cleanup.policy": "compact" });
    await expect(log.appendBatches(batch("keyless"), { verified: true })).rejects.toSatisfy((e) => isRillError(e, "INVALID_RECORD"));
  });
});
