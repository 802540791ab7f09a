// A subscription's commits of its group offsets: one request in flight, and changes made meanwhile
// go in one more after it, so commits are merged and only move forward. A commit the coordinator
// refuses as from a stale member makes the membership rejoin.

import { isRillError } from "@rill/core";
import type { Broker } from "../broker.ts";
import type { Membership } from "./membership.ts";
import type { PartitionRecord, PumpState } from "./pump-state.ts";

export interface PumpCommitsOptions {
  broker: Broker;
  group: () => string;
  load(): Promise<{ state: PumpState; membership: Membership }>;
  persist(): Promise<void>;
  fail(error: unknown): void;
  /** The subscription is deleted: nothing more is written. */
  closed(): boolean;
  /** The member was fenced: its partitions' progress must be checked again once re-taken. */
  fenced(): void;
}

/** Returns `commitSoon`: commits every owned partition whose position moved past its commit. */
export function createPumpCommits(o: PumpCommitsOptions): () => Promise<void> {
  let committing: Promise<void> | null = null;
  let commitAgain = false;

  async function commitOnce(): Promise<void> {
    const { state: s, membership: m } = await o.load();
    if (!m.joined || o.closed()) return;
    const due = [...m.assigned, ...m.revoking]
      .map((key) => s.partitions[key])
      .filter((p): p is PartitionRecord => p !== undefined && p.position !== p.committed);
    if (due.length === 0) return;
    const offsets = due.map((p) => ({ topic: p.topic, partition: p.partition, offset: p.position }));
    try {
      await o.broker.commitOffsets(o.group(), { memberId: s.memberId, memberEpoch: s.memberEpoch, offsets });
      for (const [i, p] of due.entries()) p.committed = offsets[i]?.offset ?? p.committed;
      await o.persist();
    } catch (error) {
      o.fail(error);
      if (
        isRillError(error, "UNKNOWN_MEMBER_ID") ||
        isRillError(error, "FENCED_MEMBER_EPOCH") ||
        isRillError(error, "STALE_MEMBER_EPOCH")
      ) {
        m.fenced();
        o.fenced();
      }
    }
  }

  return function commitSoon(): Promise<void> {
    if (committing) {
      commitAgain = true;
      return committing;
    }
    committing = (async () => {
      try {
        do {
          commitAgain = false;
          await commitOnce();
        } while (commitAgain);
      } finally {
        committing = null;
      }
    })();
    return committing;
  };
}
