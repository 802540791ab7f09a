// What a subscription's pump persists between runs (and across crashes): its group membership, the
// delivery progress of each partition it has owned, its counters and its last error. Plain JSON.

import type { DeliveryProgress } from "@rill/core";
import type { Membership } from "./membership.ts";
import { emptyCounters, type PartitionStatus, type SubscriptionCounters, type SubscriptionStatus } from "./types.ts";

export interface PartitionRecord extends DeliveryProgress {
  /** The offset the group has acknowledged committing, or null before the first commit. */
  committed: number | null;
  highWatermark: number | null;
}

export interface PumpState {
  memberId: string | null;
  /** 0 when not in the group (joining next). */
  memberEpoch: number;
  /** Partitions by "<topic>/<partition>". */
  partitions: Record<string, PartitionRecord>;
  counters: SubscriptionCounters;
  lastError: SubscriptionStatus["lastError"];
  unreachableSince: number | null;
}

/** Where a pump keeps its state: a Durable Object's storage, or the in-process broker's. */
export interface PumpStore {
  load(): Promise<PumpState | undefined>;
  save(state: PumpState): Promise<void>;
}

export function emptyPumpState(): PumpState {
  return { memberId: null, memberEpoch: 0, partitions: {}, counters: emptyCounters(), lastError: null, unreachableSince: null };
}

export const partitionKey = (topic: string, partition: number) => `${topic}/${partition}`;

/** The status a describe shows for the partitions the subscription owns now. */
export function partitionStatuses(state: PumpState, owned: ReadonlySet<string>): PartitionStatus[] {
  return [...owned]
    .map((key) => state.partitions[key])
    .filter((p): p is PartitionRecord => p !== undefined)
    .sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1))
    .map((p) => {
      const first = p.inFlight?.offsets[0];
      const lastInFlight = p.inFlight?.offsets[p.inFlight.offsets.length - 1];
      return {
        topic: p.topic,
        partition: p.partition,
        position: p.position,
        committed: p.committed,
        highWatermark: p.highWatermark,
        lag: p.highWatermark === null ? null : Math.max(0, p.highWatermark - p.position),
        inFlight:
          p.inFlight && first !== undefined && lastInFlight !== undefined
            ? {
                deliveryId: p.inFlight.deliveryId,
                fromOffset: first,
                toOffset: lastInFlight,
                records: p.inFlight.offsets.length,
                startedAt: p.inFlight.startedAt,
              }
            : null,
        pending: p.pending.length,
        retrying: Object.values(p.failures).filter((n) => n > 0).length,
        deadLetterWaiting: p.deadLetters.length,
        nextAttemptAt: p.notBefore > 0 ? p.notBefore : null,
      };
    });
}

/** The status a describe answers. Before its first heartbeat (a restarted object) a pump shows what it last owned. */
export function describePump(state: PumpState, membership: Membership, paused: boolean): SubscriptionStatus {
  const owned = membership.joined ? new Set([...membership.assigned, ...membership.revoking]) : new Set(Object.keys(state.partitions));
  const partitions = partitionStatuses(state, owned);
  return {
    state: paused ? "paused" : membership.joined ? "active" : "starting",
    memberId: state.memberId,
    memberEpoch: state.memberEpoch,
    partitions,
    lag: partitions.reduce((n, p) => n + (p.lag ?? 0), 0),
    inFlight: partitions.filter((p) => p.inFlight !== null).length,
    counters: { ...state.counters },
    lastError: state.lastError,
    unreachableSince: state.unreachableSince,
  };
}
