// Offset commits of a consumer group, in order. One commit request is in flight at a time and
// commits queued behind it merge (the newest offset per partition wins), so a late older commit
// can never land after a newer one: every partition's commit carries a sequence number, and a
// retry leaves out the partitions a newer commit has superseded since.

import { RillError } from "@rill/core";
import { paths } from "@rill/protocol";
import { type TopicPartition, tpKey } from "./assignment.ts";
import { isRetriable } from "./errors.ts";
import { backoff, type ResolvedRetry, sleep } from "./retry.ts";
import { deferred } from "./signals.ts";
import type { Transport } from "./transport.ts";

/** An offset to commit: the NEXT offset to read (the last processed offset + 1). */
export interface TopicPartitionOffset extends TopicPartition {
  offset: number;
  /** Free text stored with the commit. */
  metadata?: string | null;
}

/** Who commits: a member (fenced by its epoch), or nobody (a standalone consumer: memberId null). */
export interface CommitIdentity {
  memberId: string | null;
  memberEpoch: number;
  /** Bumped whenever the member lost its partitions: commits queued before that are refused. */
  incarnation: number;
}

export interface OffsetCommitter {
  /** Queues offsets; resolves once they, or newer ones for the same partitions, are committed. */
  commit(offsets: readonly TopicPartitionOffset[]): Promise<void>;
  /** Resolves once nothing is queued or in flight. */
  flush(): Promise<void>;
}

interface Waiter {
  remaining: number;
  settle: ReturnType<typeof deferred<void>>;
}

interface Entry {
  offset: TopicPartitionOffset;
  seq: number;
  incarnation: number;
  waiters: Waiter[];
}

export function createOffsetCommitter(options: {
  transport: Transport;
  groupId: string;
  retry: ResolvedRetry;
  identity(): CommitIdentity;
}): OffsetCommitter {
  const { transport, retry } = options;
  const pending = new Map<string, Entry>();
  /** The newest sequence number queued per partition. */
  const newest = new Map<string, number>();
  let seq = 0;
  let draining: Promise<void> | undefined;

  function done(entries: Entry[], error?: unknown): void {
    for (const e of entries) {
      for (const w of e.waiters) {
        if (error !== undefined) w.settle.reject(error);
        else if (--w.remaining === 0) w.settle.resolve();
      }
    }
  }

  /** Drops entries a newer commit supersedes (handing their waiters on) or that an older incarnation queued. */
  function live(batch: Entry[]): Entry[] {
    const { incarnation } = options.identity();
    return batch.filter((e) => {
      const key = tpKey(e.offset);
      if (newest.get(key) !== e.seq) {
        // the newer entry is still queued (this batch was taken before it came): it answers for this one
        const newer = pending.get(key);
        if (newer) newer.waiters.push(...e.waiters);
        else done([e]);
        return false;
      }
      if (e.incarnation !== incarnation) {
        done([e], new RillError("FENCED_MEMBER_EPOCH", `${e.offset.topic}/${e.offset.partition}: the member lost its partitions first`));
        return false;
      }
      return true;
    });
  }

  async function send(taken: Entry[]): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const batch = live(taken);
      if (batch.length === 0) return;
      const { memberId, memberEpoch } = options.identity();
      try {
        await transport.json({
          method: "POST",
          path: paths.groupOffsets(options.groupId),
          json: {
            memberId,
            memberEpoch,
            offsets: batch.map(({ offset: o }) => ({
              topic: o.topic,
              partition: o.partition,
              offset: o.offset,
              metadata: o.metadata ?? null,
            })),
          },
        });
        done(batch);
        return;
      } catch (error) {
        if (!isRetriable(error) || attempt >= retry.retries) {
          done(batch, error);
          return;
        }
        await sleep(backoff(retry, attempt + 1));
        taken = batch;
      }
    }
  }

  async function drain(): Promise<void> {
    try {
      while (pending.size > 0) {
        const batch = [...pending.values()];
        pending.clear();
        await send(batch);
      }
    } finally {
      // cleared in the same turn as the last look at `pending`, so no commit is left behind
      draining = undefined;
    }
  }

  return {
    commit(offsets) {
      const unique = new Map(offsets.map((o) => [tpKey(o), o]));
      if (unique.size === 0) return Promise.resolve();
      for (const o of unique.values()) {
        if (!Number.isSafeInteger(o.offset) || o.offset < 0)
          return Promise.reject(
            new RillError("INVALID_REQUEST", `offset for ${o.topic}/${o.partition} must be a non-negative integer, got ${o.offset}`),
          );
      }
      const waiter: Waiter = { remaining: unique.size, settle: deferred<void>() };
      const { incarnation } = options.identity();
      for (const [key, o] of unique) {
        const before = pending.get(key);
        const entry: Entry = { offset: { ...o }, seq: ++seq, incarnation, waiters: [...(before?.waiters ?? []), waiter] };
        pending.set(key, entry);
        newest.set(key, entry.seq);
      }
      draining ??= drain();
      return waiter.settle.promise;
    },
    async flush() {
      while (draining) await draining;
    },
  };
}
