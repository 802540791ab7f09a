// Member reconciliation (KIP-848's CurrentAssignmentBuilder): moves one member from what it owns
// towards its target, never handing out a partition that another member still holds or is
// releasing. Revocation first, acknowledged by the member; only then its new epoch and partitions.

import type { GroupMember, GroupState, TopicPartitions } from "./group-types.ts";

export function toList(tps: TopicPartitions): Array<{ topic: string; partitions: number[] }> {
  return Object.keys(tps)
    .sort()
    .filter((t) => (tps[t] as number[]).length > 0)
    .map((topic) => ({ topic, partitions: [...(tps[topic] as number[])].sort((a, b) => a - b) }));
}

export function fromList(list: ReadonlyArray<{ topic: string; partitions: readonly number[] }>): TopicPartitions {
  const out: TopicPartitions = {};
  for (const { topic, partitions } of list) out[topic] = [...new Set([...(out[topic] ?? []), ...partitions])].sort((a, b) => a - b);
  return out;
}

function has(tps: TopicPartitions, topic: string, partition: number): boolean {
  return tps[topic]?.includes(partition) ?? false;
}

function filter(tps: TopicPartitions, keep: (topic: string, partition: number) => boolean): TopicPartitions {
  const out: TopicPartitions = {};
  for (const [topic, partitions] of Object.entries(tps)) {
    const kept = partitions.filter((p) => keep(topic, p));
    if (kept.length > 0) out[topic] = kept;
  }
  return out;
}

export const intersect = (a: TopicPartitions, b: TopicPartitions) => filter(a, (t, p) => has(b, t, p));
export const minus = (a: TopicPartitions, b: TopicPartitions) => filter(a, (t, p) => !has(b, t, p));
export const isEmpty = (a: TopicPartitions) => Object.values(a).every((ps) => ps.length === 0);
export const union = (a: TopicPartitions, b: TopicPartitions) => fromList([...toList(a), ...toList(b)]);
export const count = (a: TopicPartitions) => Object.values(a).reduce((n, ps) => n + ps.length, 0);

/** Whether any member other than `memberId` owns or is still releasing the partition. */
function heldByOther(state: GroupState, memberId: string, topic: string, partition: number): boolean {
  for (const other of Object.values(state.members)) {
    if (other.memberId === memberId) continue;
    if (has(other.assigned, topic, partition) || has(other.revoking, topic, partition)) return true;
  }
  return false;
}

/**
 * The member's next state. `owned` is what the member reported owning (undefined: not reported),
 * which acknowledges a revocation once it no longer contains the partitions being revoked.
 */
export function reconcileMember(state: GroupState, member: GroupMember, owned: TopicPartitions | undefined, now: number): GroupMember {
  let m = member;
  if (m.state === "UNREVOKED_PARTITIONS") {
    if (!owned || !isEmpty(intersect(owned, m.revoking))) return m; // still waiting for the member to let go
    m = { ...m, revoking: {}, revocationDeadlineMs: -1 };
  }
  const target = state.targetAssignment[m.memberId] ?? {};
  const toRevoke = minus(m.assigned, target);
  if (!isEmpty(toRevoke)) {
    return {
      ...m,
      assigned: intersect(m.assigned, target),
      revoking: toRevoke,
      state: "UNREVOKED_PARTITIONS",
      revocationDeadlineMs: now + m.rebalanceTimeoutMs,
    };
  }
  const wanted = minus(target, m.assigned);
  const free = filter(wanted, (t, p) => !heldByOther(state, m.memberId, t, p));
  const assigned = union(m.assigned, free);
  const pending = minus(target, assigned);
  const epoch = Math.max(m.memberEpoch, state.assignmentEpoch);
  return {
    ...m,
    assigned,
    state: isEmpty(pending) ? "STABLE" : "UNRELEASED_PARTITIONS",
    previousMemberEpoch: epoch !== m.memberEpoch ? m.memberEpoch : m.previousMemberEpoch,
    memberEpoch: epoch,
  };
}

/** KIP-848's group state, for describing a group. */
export function groupStateName(state: GroupState): "Empty" | "Assigning" | "Reconciling" | "Stable" {
  const members = Object.values(state.members);
  if (members.length === 0) return "Empty";
  if (state.assignmentEpoch < state.groupEpoch) return "Assigning";
  if (members.some((m) => m.state !== "STABLE" || m.memberEpoch < state.assignmentEpoch)) return "Reconciling";
  return "Stable";
}
