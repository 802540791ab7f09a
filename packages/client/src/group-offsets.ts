// A consumer group's offsets on the consumer side: where a newly owned partition starts (the
// group's committed offset), what the application has processed (reported per record by the
// consumer), auto-commit on an interval, and commits on demand. Shared by group membership
// (subscribe) and by a standalone consumer with a groupId (assign), which commits as nobody.

import { paths } from "@rill/protocol";
import { type TopicPartition, tpKey } from "./assignment.ts";
import { type CommitIdentity, createOffsetCommitter, type TopicPartitionOffset } from "./group-commits.ts";
import type { ResolvedRetry } from "./retry.ts";
import type { Transport } from "./transport.ts";

export interface CommittedOffset extends TopicPartitionOffset {
  commitTimestamp?: number;
}

export interface GroupOffsets {
  /** The group's committed offset for the partition, or undefined (autoOffsetReset decides). */
  startingOffset(tp: TopicPartition, signal?: AbortSignal): Promise<number | undefined>;
  /** The application has handled everything before nextOffset. */
  processed(tp: TopicPartition, nextOffset: number): void;
  /** Commits what was processed (of `partitions`, default all) and not yet committed. */
  commitProcessed(partitions?: readonly TopicPartition[]): Promise<void>;
  /** Commits exactly these offsets. */
  commit(offsets: readonly TopicPartitionOffset[]): Promise<void>;
  /** Forgets processed offsets of partitions the consumer no longer has. */
  forget(partitions: readonly TopicPartition[]): void;
  /** The group's committed offsets (of `partitions`, default all). */
  committed(partitions?: readonly TopicPartition[]): Promise<CommittedOffset[]>;
  startAutoCommit(): void;
  stopAutoCommit(): void;
  /** Resolves once no commit is queued or in flight. */
  flush(): Promise<void>;
}

export interface GroupOffsetsOptions {
  transport: Transport;
  groupId: string;
  retry: ResolvedRetry;
  identity(): CommitIdentity;
  /** Whether processed offsets of this partition may be committed (a member: only what it owns). */
  accepts(tp: TopicPartition): boolean;
  autoCommit: boolean;
  autoCommitIntervalMs: number;
  warn(message: string): void;
}

export function createGroupOffsets(options: GroupOffsetsOptions): GroupOffsets {
  const { transport, groupId } = options;
  const committer = createOffsetCommitter(options);
  const processed = new Map<string, TopicPartitionOffset>();
  const lastCommitted = new Map<string, number>();
  let lookup: Promise<Map<string, number>> | undefined;
  let timer: ReturnType<typeof setInterval> | undefined;

  async function committed(partitions?: readonly TopicPartition[]): Promise<CommittedOffset[]> {
    const answer = await transport.json<{ offsets: CommittedOffset[] }>({ method: "GET", path: paths.groupOffsets(groupId) });
    const wanted = partitions && new Set(partitions.map(tpKey));
    return answer.offsets.filter((o) => !wanted || wanted.has(tpKey(o)));
  }

  function commitProcessed(partitions?: readonly TopicPartition[]): Promise<void> {
    const keys = partitions ? partitions.map(tpKey) : [...processed.keys()];
    // copies: processing goes on while the commit is in flight, and what is remembered as
    // committed must be what was sent, not where the handler has got to by the time it is answered
    const offsets = keys.flatMap((k) => {
      const o = processed.get(k);
      return o && lastCommitted.get(k) !== o.offset ? [{ ...o }] : [];
    });
    if (offsets.length === 0) return Promise.resolve();
    return committer.commit(offsets).then(() => {
      for (const o of offsets) lastCommitted.set(tpKey(o), o.offset);
    });
  }

  return {
    startingOffset(tp) {
      // partitions assigned together ask together: one lookup answers them all
      lookup ??= committed().then(
        (list) => {
          lookup = undefined;
          return new Map(list.map((o) => [tpKey(o), o.offset]));
        },
        (error: unknown) => {
          lookup = undefined;
          throw error;
        },
      );
      return lookup.then((offsets) => offsets.get(tpKey(tp)));
    },
    processed(tp, nextOffset) {
      if (!options.accepts(tp)) return;
      const key = tpKey(tp);
      const known = processed.get(key);
      if (known) known.offset = nextOffset;
      else processed.set(key, { topic: tp.topic, partition: tp.partition, offset: nextOffset });
    },
    commitProcessed,
    commit: (offsets) => committer.commit(offsets),
    forget(partitions) {
      for (const tp of partitions) {
        processed.delete(tpKey(tp));
        lastCommitted.delete(tpKey(tp));
      }
    },
    committed,
    startAutoCommit() {
      if (!options.autoCommit || timer !== undefined) return;
      timer = setInterval(() => {
        commitProcessed().catch((error: unknown) => options.warn(`auto-commit of group ${groupId} failed: ${(error as Error)?.message}`));
      }, options.autoCommitIntervalMs);
      // an idle consumer must not keep a Node process alive just to commit
      (timer as { unref?: () => void }).unref?.();
    },
    stopAutoCommit() {
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
    },
    flush: () => committer.flush(),
  };
}
