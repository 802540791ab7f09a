// A subscription's membership in its consumer group (KIP-848, through the Broker seam like any
// member): static, with the subscription as instance id, so a restarted pump takes its partitions
// back at once instead of waiting out the old session. Revoked partitions stay owned (for commits)
// until the pump releases them, which the next heartbeat acknowledges.

import { isRillError, RillError } from "@rill/core";
import type { Broker } from "../broker.ts";
import { type PumpState, partitionKey } from "./pump-state.ts";
import type { SubscriptionConfig } from "./types.ts";

/** Sessions outlive a pump's pauses between runs (a Durable Object's alarm gap, a slow delivery). */
const SESSION_TIMEOUT_MS = 45_000;
const RETRY_HEARTBEAT_MS = 1_000;

export interface Membership {
  /** Partitions the pump may deliver from. */
  readonly assigned: Set<string>;
  /** Partitions taken away: deliver nothing new, release once the in-flight batch is committed. */
  readonly revoking: Set<string>;
  nextHeartbeatAt: number;
  heartbeat(config: SubscriptionConfig): Promise<void>;
  release(key: string): void;
  /** The coordinator fenced or forgot this member: rejoin at the next heartbeat. */
  fenced(): void;
  /** Leaves the group (pause, delete): its partitions go to the other members, if any. */
  leave(group: string): Promise<void>;
  readonly joined: boolean;
}

export function createMembership(broker: Broker, state: PumpState, now: () => number): Membership {
  const assigned = new Set<string>();
  const revoking = new Set<string>();
  let nextHeartbeatAt = 0;

  const owned = () => {
    const byTopic = new Map<string, number[]>();
    for (const key of [...assigned, ...revoking]) {
      const slash = key.lastIndexOf("/");
      const list = byTopic.get(key.slice(0, slash)) ?? [];
      list.push(Number(key.slice(slash + 1)));
      byTopic.set(key.slice(0, slash), list);
    }
    return [...byTopic].map(([topic, partitions]) => ({ topic, partitions: partitions.sort((a, b) => a - b) }));
  };

  const membership: Membership = {
    assigned,
    revoking,
    get nextHeartbeatAt() {
      return nextHeartbeatAt;
    },
    set nextHeartbeatAt(at: number) {
      nextHeartbeatAt = at;
    },
    get joined() {
      return state.memberEpoch > 0;
    },

    async heartbeat(config) {
      const subscription = config.topics ? { topics: config.topics } : { pattern: config.pattern ?? undefined };
      const request =
        state.memberEpoch > 0
          ? { memberId: state.memberId, memberEpoch: state.memberEpoch, ownedPartitions: owned(), ...subscription }
          : {
              memberId: state.memberId,
              memberEpoch: 0,
              instanceId: `subscription:${config.name}`,
              clientId: `rill-subscription/${config.name}`,
              sessionTimeoutMs: SESSION_TIMEOUT_MS,
              ...subscription,
            };
      try {
        const answer = await broker.groupHeartbeat(config.group, request);
        state.memberId = answer.memberId;
        state.memberEpoch = answer.memberEpoch;
        const next = new Set(answer.assignment.flatMap((a) => a.partitions.map((p) => partitionKey(a.topic, p))));
        for (const key of assigned) if (!next.has(key)) revoking.add(key);
        assigned.clear();
        for (const key of next) {
          assigned.add(key);
          revoking.delete(key);
        }
        nextHeartbeatAt = now() + answer.heartbeatIntervalMs;
      } catch (error) {
        if (
          isRillError(error, "UNKNOWN_MEMBER_ID") ||
          isRillError(error, "FENCED_MEMBER_EPOCH") ||
          isRillError(error, "STALE_MEMBER_EPOCH")
        ) {
          membership.fenced();
          nextHeartbeatAt = now();
        } else nextHeartbeatAt = now() + RETRY_HEARTBEAT_MS;
        throw error instanceof RillError ? error : new RillError("COORDINATOR_NOT_AVAILABLE", String(error));
      }
    },

    release(key) {
      if (revoking.delete(key)) nextHeartbeatAt = now();
    },

    fenced() {
      // a fenced member owns nothing; a static rejoin usually gives the same partitions back
      state.memberEpoch = 0;
      for (const key of assigned) revoking.add(key);
      assigned.clear();
    },

    async leave(group) {
      if (state.memberEpoch > 0 && state.memberId)
        await broker.groupHeartbeat(group, { memberId: state.memberId, memberEpoch: -1 }).catch(() => undefined);
      state.memberEpoch = 0;
      assigned.clear();
      revoking.clear();
      nextHeartbeatAt = 0;
    },
  };
  return membership;
}
