// A member joining (memberEpoch 0) and a member leaving. Static members (an instance id) rejoin in
// place: the new incarnation takes over the old one's partitions and epoch without a rebalance.

import { RillError } from "./errors.ts";
import type { GroupMember, GroupState, HeartbeatRequest, TopicPartitions } from "./group-types.ts";

const LIMITS = { minTimeout: 1000, maxTimeout: 30 * 60_000 };

export interface JoinContext {
  now(): number;
  newMemberId(): string;
  defaultSession: number;
  defaultRebalance: number;
  /** Members the group may have; a new one past it is refused with GROUP_MAX_SIZE_REACHED. */
  maxMembers?: number;
}

function clampTimeout(value: number | undefined, fallback: number, what: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < LIMITS.minTimeout || value > LIMITS.maxTimeout) {
    throw new RillError("INVALID_REQUEST", `${what} must be from ${LIMITS.minTimeout} to ${LIMITS.maxTimeout} ms, got ${value}`);
  }
  return value;
}

/**
 * The joining member, not yet reconciled; the caller puts it into `s`. A static member takes over its
 * predecessor (same epoch and partitions, no new group epoch); anyone else bumps the group epoch.
 */
export function join(s: GroupState, request: HeartbeatRequest, ctx: JoinContext): GroupMember {
  const { now, newMemberId, defaultSession, defaultRebalance } = ctx;
  if (!request.topics && !request.pattern) throw new RillError("INVALID_REQUEST", "joining needs topics or a pattern to subscribe to");
  const instanceId = request.instanceId ?? null;
  const previous = instanceId
    ? Object.values(s.members).find((m) => m.instanceId === instanceId)
    : request.memberId
      ? s.members[request.memberId]
      : undefined;
  if (!previous && ctx.maxMembers !== undefined && Object.keys(s.members).length >= ctx.maxMembers) {
    throw new RillError("GROUP_MAX_SIZE_REACHED", `group already has ${ctx.maxMembers} members, the most it may have`);
  }
  const memberId = request.memberId ?? newMemberId();
  const base: GroupMember = {
    memberId,
    instanceId,
    clientId: request.clientId ?? "",
    memberEpoch: 0,
    previousMemberEpoch: -1,
    state: "STABLE",
    subscribedTopics: [],
    subscribedPattern: null,
    assigned: {},
    revoking: {},
    lastHeartbeatMs: now(),
    sessionTimeoutMs: clampTimeout(request.sessionTimeoutMs, defaultSession, "sessionTimeoutMs"),
    rebalanceTimeoutMs: clampTimeout(request.rebalanceTimeoutMs, defaultRebalance, "rebalanceTimeoutMs"),
    revocationDeadlineMs: -1,
    leftTemporarily: false,
  };
  if (previous && instanceId) {
    // static membership: the new incarnation takes over the old one's partitions and epoch
    const member = {
      ...previous,
      ...base,
      memberEpoch: previous.memberEpoch,
      assigned: previous.assigned,
      revoking: previous.revoking,
      state: previous.state,
    };
    delete s.members[previous.memberId];
    if (s.targetAssignment[previous.memberId]) s.targetAssignment[memberId] = s.targetAssignment[previous.memberId] as TopicPartitions;
    if (previous.memberId !== memberId) delete s.targetAssignment[previous.memberId];
    return member;
  }
  if (previous) removeMember(s, previous.memberId); // epoch 0 with a known id: the member lost its state
  s.groupEpoch++;
  return base;
}

export function removeMember(s: GroupState, memberId: string): void {
  delete s.members[memberId];
  delete s.targetAssignment[memberId];
  s.groupEpoch++;
}
