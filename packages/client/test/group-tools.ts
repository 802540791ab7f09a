// Tools of the group suites: a network that can die, and the checker of who processed which record
// (coverage, no overlap within an epoch, per-key order, handovers). Waiting: test/helpers/wait.ts.
import type { FetchLike } from "../src/index.ts";

/** A fetch that can be killed: every request after the kill fails, and so does every one in flight. */
export function killable(inner: FetchLike): { fetch: FetchLike; kill(): void } {
  let killed = false;
  const inflight = new Set<(error: Error) => void>();
  const fetch: FetchLike = (input, init) => {
    if (killed) return Promise.reject(new TypeError("injected: the process is gone"));
    return new Promise<Response>((resolve, reject) => {
      inflight.add(reject);
      inner(input, init)
        .then(resolve, reject)
        .finally(() => inflight.delete(reject));
    });
  };
  return {
    fetch,
    kill() {
      killed = true;
      for (const reject of inflight) reject(new TypeError("injected: the process is gone"));
      inflight.clear();
    },
  };
}

/** One record as a handler saw it, with who handled it under which member epoch. */
export interface Processed {
  member: string;
  epoch: number;
  partition: number;
  offset: number;
  key: string;
  seq: number;
}

export interface Block {
  member: string;
  epochs: Set<number>;
  offsets: number[];
}

/** Per partition, the runs of consecutive records one member handled, in the order they were handled. */
export function blocksOf(log: readonly Processed[]): Map<number, Block[]> {
  const out = new Map<number, Block[]>();
  for (const e of log) {
    const blocks = out.get(e.partition) ?? [];
    out.set(e.partition, blocks);
    let last = blocks[blocks.length - 1];
    if (!last || last.member !== e.member) {
      last = { member: e.member, epochs: new Set(), offsets: [] };
      blocks.push(last);
    }
    last.epochs.add(e.epoch);
    last.offsets.push(e.offset);
  }
  return out;
}

/**
 * What the group guarantees, as a list of violations (empty when all hold):
 * - every offset below the high watermark was processed;
 * - a member's run on a partition is gap-free and in order;
 * - a partition moves on exactly where the previous owner stopped, except after a member that
 *   crashed (`crashed`), whose uncommitted tail may be processed again (never skipped);
 * - no member epoch of a member appears in two runs of one partition: two members never held a
 *   partition at once, and a member that gave one up never went on with it;
 * - per key, each record is first processed after all earlier records of that key.
 */
export function violations(log: readonly Processed[], highWatermarks: readonly number[], crashed: ReadonlySet<string>): string[] {
  const problems: string[] = [];
  for (const [partition, hw] of highWatermarks.entries()) {
    const seen = new Set(log.filter((e) => e.partition === partition).map((e) => e.offset));
    for (let o = 0; o < hw; o++) if (!seen.has(o)) problems.push(`p${partition}: offset ${o} was never processed`);
  }
  for (const [partition, blocks] of blocksOf(log)) {
    const used = new Set<string>();
    blocks.forEach((b, i) => {
      b.offsets.forEach((o, j) => {
        if (j > 0 && o !== (b.offsets[j - 1] as number) + 1)
          problems.push(`p${partition}: ${b.member} went from ${b.offsets[j - 1]} to ${o}`);
      });
      for (const epoch of b.epochs) {
        const id = `${b.member}@${epoch}`;
        if (used.has(id)) problems.push(`p${partition}: ${id} processed it again after another member had it`);
        used.add(id);
      }
      const before = blocks[i - 1];
      if (!before) return;
      const next = b.offsets[0] as number;
      const expected = (before.offsets[before.offsets.length - 1] as number) + 1;
      if (next > expected) problems.push(`p${partition}: ${b.member} started at ${next} after ${before.member} stopped at ${expected - 1}`);
      if (next < expected && !crashed.has(before.member))
        problems.push(`p${partition}: ${b.member} processed ${next}..${expected - 1} again after ${before.member} handed over`);
    });
  }
  const bestSeq = new Map<string, number>();
  for (const e of log) {
    const best = bestSeq.get(e.key) ?? -1;
    if (e.seq > best + 1) problems.push(`key ${e.key}: record ${e.seq} processed before ${best + 1}`);
    if (e.seq > best) bestSeq.set(e.key, e.seq);
  }
  return problems;
}
