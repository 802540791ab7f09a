import { describe, expect, it } from "vitest";
import {
  backoffMs,
  beginDelivery,
  chooseBatch,
  completeDelivery,
  type DeliveryProgress,
  finishDeadLetters,
  newDeliveryProgress,
  nextReadOffset,
  resumeDeliveryProgress,
  skipTo,
} from "../src/delivery-progress.ts";

const policy = { maxRetries: 2, retryDelayMs: 100, maxRetryDelayMs: 1000 };
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
const half = () => 0.5;

function deliver(p: DeliveryProgress, available: number[], batchSize = 10): number[] {
  const offsets = chooseBatch(p, available, batchSize);
  beginDelivery(p, offsets, `d${offsets[0]}`, 1000);
  return offsets;
}

describe("delivery progress", () => {
  it("moves the position past an acknowledged batch", () => {
    const p = newDeliveryProgress("t", 0, 5);
    expect(deliver(p, range(5, 20))).toEqual(range(5, 15));
    expect(p.position).toBe(5);
    const tally = completeDelivery(p, { kind: "handled", acked: [], retried: [] }, policy, 1000, half);
    expect(tally).toEqual({ acked: 10, retried: 0, exhausted: 0 });
    expect(p).toMatchObject({ position: 15, scanned: 15, pending: [], inFlight: null });
  });

  it("holds the position at a retried record, redelivers it first, and skips what was acked after it", () => {
    const p = newDeliveryProgress("t", 0, 0);
    deliver(p, range(0, 5));
    completeDelivery(p, { kind: "handled", acked: [0, 1, 3, 4], retried: [{ offset: 2 }] }, policy, 1000, half);
    expect(p.position).toBe(2);
    expect(p.notBefore).toBe(1000 + backoffMs(1, policy, 0.5));
    expect(nextReadOffset(p)).toBe(2);
    const again = chooseBatch(p, range(2, 9), 10);
    expect(again).toEqual([2, 5, 6, 7, 8]);
    const attempts = beginDelivery(p, again, "d2", 2000);
    expect(attempts[2]).toBe(2);
    expect(attempts[5]).toBe(1);
  });

  it("charges the one unprocessed record of a failed delivery and dead-letters it after maxRetries", () => {
    const p = newDeliveryProgress("t", 0, 0);
    let exhausted = 0;
    for (let i = 0; i < 3; i++) {
      expect(deliver(p, [0, 1])[0]).toBe(0);
      // the handler acks nothing else: it stops at 0 and throws, record 1 unprocessed too on the first run
      const out = completeDelivery(p, { kind: "handled", acked: [1], retried: [], error: "boom" }, policy, 1000, half);
      exhausted += out.exhausted;
    }
    expect(exhausted).toBe(1);
    expect(p.deadLetters).toEqual([{ offset: 0, error: "boom", attempts: 3 }]);
    expect(p.position).toBe(0);
    expect(chooseBatch(p, [0, 1, 2], 10)).toEqual([2]);
    finishDeadLetters(p, [0]);
    expect(p.position).toBe(2);
  });

  it("narrows a batch that failed as a whole down to single records, charging only the culprit", () => {
    const p = newDeliveryProgress("t", 0, 0);
    deliver(p, range(0, 10));
    completeDelivery(p, { kind: "failed", error: "500" }, policy, 1000, half);
    expect(p.failures).toEqual({});
    expect(p.isolateBelow).toBe(10);
    expect(p.notBefore).toBe(0);
    // one at a time: 0..2 pass, 3 fails alone and is charged
    for (const o of [0, 1, 2]) {
      expect(deliver(p, range(o, 20))).toEqual([o]);
      completeDelivery(p, { kind: "handled", acked: [], retried: [] }, policy, 1000, half);
    }
    expect(deliver(p, range(3, 20))).toEqual([3]);
    completeDelivery(p, { kind: "failed", error: "500" }, policy, 1000, half);
    expect(p.failures).toEqual({ 3: 1 });
    expect(p.attempts[4]).toBe(1);
    for (let i = 0; i < 2; i++) {
      deliver(p, range(3, 20));
      completeDelivery(p, { kind: "failed", error: "500" }, policy, 1000, half);
    }
    expect(p.deadLetters.map((d) => d.offset)).toEqual([3]);
    finishDeadLetters(p, [3]);
    for (const o of range(4, 10)) {
      expect(deliver(p, range(o, 20))).toEqual([o]);
      completeDelivery(p, { kind: "handled", acked: [], retried: [] }, policy, 1000, half);
    }
    expect(p.isolateBelow).toBeNull();
    expect(deliver(p, range(10, 20))).toEqual(range(10, 20));
  });

  it("does not count a delivery that never reached the target", () => {
    const p = newDeliveryProgress("t", 0, 0);
    deliver(p, [0, 1]);
    completeDelivery(p, { kind: "unreachable", error: "ECONNREFUSED" }, policy, 1000, half);
    expect(p.attempts).toEqual({ 0: 0, 1: 0 });
    expect(p.failures).toEqual({});
    expect(p.unreachable).toBe(1);
    expect(p.notBefore).toBeGreaterThan(1000);
    deliver(p, [0, 1]);
    completeDelivery(p, { kind: "handled", acked: [0, 1], retried: [] }, policy, 5000, half);
    expect(p).toMatchObject({ position: 2, unreachable: 0, notBefore: 0 });
  });

  it("resumes a restarted owner's progress, counting the lost in-flight batch as delivered once", () => {
    const p = newDeliveryProgress("t", 0, 0);
    deliver(p, range(0, 4));
    const stored = structuredClone(p);
    const resumed = resumeDeliveryProgress(stored, "t", 0, 0);
    expect(resumed.inFlight).toBeNull();
    expect(chooseBatch(resumed, range(0, 6), 10)).toEqual(range(0, 6));
    expect(beginDelivery(resumed, range(0, 6), "again", 2000)).toMatchObject({ 0: 2, 3: 2, 4: 1 });
    // someone else moved the group's offset: start afresh there
    expect(resumeDeliveryProgress(stored, "t", 0, 3)).toEqual(newDeliveryProgress("t", 0, 3));
  });

  it("passes compacted gaps", () => {
    const p = newDeliveryProgress("t", 0, 0);
    expect(deliver(p, [0, 4, 9])).toEqual([0, 4, 9]);
    completeDelivery(p, { kind: "handled", acked: [0, 4, 9], retried: [] }, policy, 1000, half);
    expect(p.position).toBe(10);
    skipTo(p, 15);
    expect(p.position).toBe(15);
  });

  it("backs off exponentially with jitter, up to the cap", () => {
    expect(backoffMs(1, policy, 1)).toBe(100);
    expect(backoffMs(2, policy, 1)).toBe(200);
    expect(backoffMs(3, policy, 0)).toBe(200);
    expect(backoffMs(30, policy, 1)).toBe(1000);
  });
});
