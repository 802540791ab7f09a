// The group coordinator (Kafka's KIP-848 consumer group protocol): members heartbeat with their
// subscription and get their assignment back; the coordinator computes target assignments,
// reconciles members one heartbeat at a time, expires silent members, and fences offset commits.
// One coordinator per group, single writer; state is one versioned document plus committed offsets.
// Heartbeats may long-poll (waitMs): they return as soon as the member's assignment changes, which
// is what makes rebalances take milliseconds instead of heartbeat intervals.

import { assignors } from "./assignors.ts";
import { compilePattern, subscribedTopicCounts } from "./broker-rules.ts";
import { RillError } from "./errors.ts";
import { checkCommit } from "./group-commit-check.ts";
import { join, removeMember } from "./group-join.ts";
import { fromList, groupStateName, isEmpty, minus, reconcileMember, toList } from "./group-reconcile.ts";
import type { GroupMember, GroupState, HeartbeatRequest, HeartbeatResponse, OffsetCommitRequest } from "./group-types.ts";
import type { CommittedOffset, Storage } from "./storage.ts";

export interface GroupCoordinatorOptions {
  storage: Storage;
  groupId: string;
  /** Every topic with its partition count; the coordinator matches subscriptions against it (broker-rules.ts). */
  listTopics(): Promise<Array<{ name: string; partitions: number }>>;
  now?: () => number;
  newMemberId?: () => string;
  heartbeatIntervalMs?: number;
  sessionTimeoutMs?: number;
  rebalanceTimeoutMs?: number;
  /** Members a group may have at once (KIP-848's group.consumer.max.size; default 200). */
  maxMembers?: number;
}

export interface GroupCoordinator {
  heartbeat(request: HeartbeatRequest & { waitMs?: number }): Promise<HeartbeatResponse>;
  commitOffsets(request: OffsetCommitRequest): Promise<void>;
  fetchOffsets(): Promise<CommittedOffset[]>;
  /** The group, or null if it has never existed. */
  describe(): Promise<(GroupState & { state: ReturnType<typeof groupStateName> }) | null>;
  /** Removes members past their session or rebalance timeout; returns the next deadline (ms) or null. */
  expireMembers(): Promise<number | null>;
  /** Admin commit (offset reset): only for a group without members. */
  resetOffsets(offsets: CommittedOffset[]): Promise<void>;
  /** Deletes an empty group and its offsets. */
  deleteGroup(): Promise<void>;
}

const GROUPS = "groups";

/** Ids of the groups whose coordinator state is in `storage` (the namespace is the coordinator's own). */
export async function storedGroupIds(storage: Pick<Storage, "listDocuments">): Promise<string[]> {
  return (await storage.listDocuments(GROUPS)).map((d) => d.id).sort();
}
/** The group as stored: heartbeat times are left out, since they are not trusted across a restart (see load()). */
function durable(state: GroupState): string {
  return JSON.stringify(state, (key, value) => (key === "lastHeartbeatMs" ? undefined : value));
}

/** A fingerprint of what members can observe; waiting heartbeats wake when it changes. */
function signature(state: GroupState): string {
  return JSON.stringify([
    state.groupEpoch,
    state.assignmentEpoch,
    Object.values(state.members).map((m) => [m.memberId, m.memberEpoch, m.assigned, m.revoking]),
  ]);
}

export function createGroupCoordinator(options: GroupCoordinatorOptions): GroupCoordinator {
  const { storage, groupId } = options;
  const now = options.now ?? Date.now;
  const newMemberId = options.newMemberId ?? (() => `m-${Math.random().toString(36).slice(2)}${now().toString(36)}`);
  const heartbeatIntervalMs = options.heartbeatIntervalMs ?? 3000;
  const defaultSession = options.sessionTimeoutMs ?? 45_000;
  const defaultRebalance = options.rebalanceTimeoutMs ?? 60_000;
  let state: GroupState | undefined;
  let version = 0;
  let loaded = false;
  /** The stored document as durable() sees it: a save that would write the same is skipped. */
  let persisted: string | undefined;
  let queue: Promise<unknown> = Promise.resolve();
  let wakers = new Set<() => void>();

  function serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = queue.then(fn);
    queue = run.catch(() => undefined);
    return run;
  }

  async function load(): Promise<GroupState | undefined> {
    if (loaded) return state;
    const doc = await storage.getDocument<GroupState>(GROUPS, groupId);
    state = doc?.value;
    version = doc?.version ?? 0;
    persisted = state ? durable(state) : undefined;
    // heartbeat times are not trusted across a coordinator restart: every member gets a fresh session
    if (state) for (const m of Object.values(state.members)) m.lastHeartbeatMs = now();
    loaded = true;
    return state;
  }

  function fresh(): GroupState {
    return {
      groupId,
      groupEpoch: 0,
      assignmentEpoch: 0,
      assignor: "sticky",
      members: {},
      targetAssignment: {},
      topicPartitionCounts: {},
      createdAtMs: now(),
    };
  }

  async function save(next: GroupState, before: string): Promise<void> {
    const text = durable(next);
    // most heartbeats change nothing but the member's heartbeat time, which is not kept: no write
    if (text !== persisted) {
      if (!(await storage.putDocument(GROUPS, groupId, version, next))) {
        loaded = false; // someone else wrote: reload next time
        throw new RillError("COORDINATOR_NOT_AVAILABLE", `group ${groupId} changed underneath its coordinator; retry`);
      }
      version++;
      persisted = text;
    }
    state = next;
    if (signature(next) !== before) {
      const toWake = wakers;
      wakers = new Set();
      for (const wake of toWake) wake();
    }
  }

  function expire(s: GroupState): void {
    const t = now();
    for (const m of Object.values(s.members)) {
      const sessionOver = m.lastHeartbeatMs + m.sessionTimeoutMs < t;
      const revocationOver = m.revocationDeadlineMs >= 0 && m.revocationDeadlineMs < t;
      if (sessionOver || revocationOver) removeMember(s, m.memberId);
    }
  }

  async function refreshTarget(s: GroupState): Promise<void> {
    const members = Object.values(s.members);
    const topics = [...new Set(members.flatMap((m) => m.subscribedTopics))].sort();
    const patterns = [...new Set(members.flatMap((m) => (m.subscribedPattern ? [m.subscribedPattern] : [])))];
    const counts = subscribedTopicCounts(await options.listTopics(), topics, patterns);
    if (JSON.stringify(counts) !== JSON.stringify(s.topicPartitionCounts)) {
      s.topicPartitionCounts = counts;
      if (s.assignmentEpoch >= s.groupEpoch) s.groupEpoch++; // unless a new assignment is already due
    }
    if (s.assignmentEpoch >= s.groupEpoch) return;
    const matchers = new Map(patterns.map((p) => [p, compilePattern(p)]));
    const assigned = assignors[s.assignor](
      members.map((m) => ({
        memberId: m.memberId,
        topics: Object.keys(counts).filter(
          (t) => m.subscribedTopics.includes(t) || (m.subscribedPattern !== null && matchers.get(m.subscribedPattern)?.test(t)),
        ),
        current: s.targetAssignment[m.memberId] ?? m.assigned,
      })),
      counts,
    );
    s.targetAssignment = assigned;
    s.assignmentEpoch = s.groupEpoch;
  }

  /** `renew` false: the second look at the end of a long-poll, which is not a heartbeat of its own. */
  async function heartbeatOnce(
    request: HeartbeatRequest,
    renew = true,
  ): Promise<{ response: HeartbeatResponse; changedForMember: boolean }> {
    const s: GroupState = structuredClone((await load()) ?? fresh());
    const before = signature(s);
    expire(s);
    if (request.assignor !== undefined) {
      if (!(request.assignor in assignors))
        throw new RillError("INVALID_REQUEST", `unknown assignor ${JSON.stringify(request.assignor)}; use range, roundrobin or sticky`);
      // the first member chooses; later members cannot change a running group's assignor
      if (Object.keys(s.members).length === 0) s.assignor = request.assignor;
    }
    let member: GroupMember;
    if (request.memberEpoch === 0)
      member = join(s, request, { now, newMemberId, defaultSession, defaultRebalance, maxMembers: options.maxMembers ?? 200 });
    else {
      const known = request.memberId ? s.members[request.memberId] : undefined;
      if (request.memberEpoch === -1 || request.memberEpoch === -2) {
        if (known && request.memberEpoch === -1) removeMember(s, known.memberId);
        if (known && request.memberEpoch === -2) s.members[known.memberId] = { ...known, leftTemporarily: true };
        await save(s, before);
        return {
          response: { memberId: request.memberId ?? "", memberEpoch: request.memberEpoch, heartbeatIntervalMs, assignment: [] },
          changedForMember: true,
        };
      }
      if (!known)
        throw new RillError("UNKNOWN_MEMBER_ID", `member ${request.memberId} is not in group ${groupId}; rejoin with memberEpoch 0`);
      const owned = request.ownedPartitions ? fromList(request.ownedPartitions) : undefined;
      // a member whose last answer was lost still has the previous epoch; accept it if it owns nothing new
      const lostResponse = request.memberEpoch === known.previousMemberEpoch && (!owned || isEmpty(minus(owned, known.assigned)));
      if (request.memberEpoch !== known.memberEpoch && !lostResponse) {
        throw new RillError(
          "FENCED_MEMBER_EPOCH",
          `member ${known.memberId} sent epoch ${request.memberEpoch}, current is ${known.memberEpoch}; rejoin with memberEpoch 0`,
        );
      }
      member = { ...known, lastHeartbeatMs: renew ? now() : known.lastHeartbeatMs, leftTemporarily: false };
      const topics = request.topics ? [...request.topics].sort() : undefined;
      if (
        (topics && JSON.stringify(topics) !== JSON.stringify(member.subscribedTopics)) ||
        (request.pattern !== undefined && request.pattern !== member.subscribedPattern)
      ) {
        s.groupEpoch++;
      }
    }
    if (request.topics) member.subscribedTopics = [...request.topics].sort();
    if (request.pattern !== undefined) {
      compilePattern(request.pattern);
      member.subscribedPattern = request.pattern;
    }
    s.members[member.memberId] = member;
    await refreshTarget(s);
    const owned = request.ownedPartitions ? fromList(request.ownedPartitions) : undefined;
    const next = reconcileMember(s, member, owned, now());
    s.members[member.memberId] = next;
    const changedForMember =
      next.memberEpoch !== request.memberEpoch || JSON.stringify(next.assigned) !== JSON.stringify(owned ?? member.assigned);
    await save(s, before);
    return {
      response: { memberId: next.memberId, memberEpoch: next.memberEpoch, heartbeatIntervalMs, assignment: toList(next.assigned) },
      changedForMember,
    };
  }

  return {
    async heartbeat(request) {
      const first = await serial(() => heartbeatOnce(request));
      const waitMs = Math.min(Math.max(0, request.waitMs ?? 0), heartbeatIntervalMs);
      if (first.changedForMember || waitMs === 0 || request.memberEpoch <= 0) return first.response;
      // nothing new for this member: wait for the group to change (or the interval to pass), then look again
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, waitMs);
        function done() {
          clearTimeout(timer);
          wakers.delete(done);
          resolve();
        }
        wakers.add(done);
      });
      const again = await serial(() =>
        // the member may be gone by now (a crash mid-wait): only the heartbeat it sent renews its session
        heartbeatOnce(
          {
            memberId: first.response.memberId,
            memberEpoch: first.response.memberEpoch,
            ownedPartitions: first.response.assignment,
          },
          false,
        ),
      );
      return again.response;
    },

    commitOffsets(request) {
      return serial(async () => {
        const s = await load();
        checkCommit(s, groupId, request);
        const t = now();
        await storage.commitOffsets(
          groupId,
          request.offsets.map((o) => ({
            topic: o.topic,
            partition: o.partition,
            offset: o.offset,
            metadata: o.metadata ?? null,
            leaderEpoch: o.leaderEpoch ?? -1,
            commitTimestamp: t,
          })),
        );
        if (!s) await save(fresh(), ""); // a group that only commits still exists, for listing
      });
    },

    fetchOffsets: () => storage.fetchOffsets(groupId),

    describe() {
      return serial(async () => {
        const s = await load();
        return s ? { ...structuredClone(s), state: groupStateName(s) } : null;
      });
    },

    expireMembers() {
      return serial(async () => {
        const current = await load();
        if (!current) return null;
        const s = structuredClone(current);
        const before = signature(s);
        const count = Object.keys(s.members).length;
        expire(s);
        if (Object.keys(s.members).length !== count) {
          await refreshTarget(s);
          await save(s, before);
        }
        const deadlines = Object.values(s.members).flatMap((m) => [
          m.lastHeartbeatMs + m.sessionTimeoutMs,
          ...(m.revocationDeadlineMs >= 0 ? [m.revocationDeadlineMs] : []),
        ]);
        return deadlines.length ? Math.min(...deadlines) + 1 : null;
      });
    },

    resetOffsets(offsets) {
      return serial(async () => {
        const s = await load();
        if (s && Object.keys(s.members).length > 0)
          throw new RillError("NON_EMPTY_GROUP", `group ${groupId} has active members; stop them before resetting offsets`);
        await storage.commitOffsets(groupId, offsets);
        if (!s) await save(fresh(), "");
      });
    },

    deleteGroup() {
      return serial(async () => {
        const s = await load();
        if (!s && (await storage.fetchOffsets(groupId)).length === 0)
          throw new RillError("GROUP_ID_NOT_FOUND", `group ${groupId} does not exist`);
        if (s && Object.keys(s.members).length > 0) throw new RillError("NON_EMPTY_GROUP", `group ${groupId} has active members`);
        await storage.deleteOffsets(groupId);
        await storage.deleteDocument(GROUPS, groupId);
        state = undefined;
        version = 0;
      });
    },
  };
}
