// Group membership (Kafka's KIP-848 consumer, client side) as an AssignmentSource for the fetch
// loop: join with epoch 0, then heartbeat back to back, each a long-poll the coordinator answers
// early when this member's assignment changes, always reporting what the member still owns.
// A shrunk assignment is a revocation: handlers finish, onPartitionsRevoked runs, what was
// processed is committed (the partitions are still ours until acknowledged), then the next
// heartbeat's ownedPartitions acknowledges. New partitions start at the group's committed offsets.
// Fenced or forgotten members lose their partitions without committing, and join again.

import { isRillError, RillError } from "@rill/core";
import { paths } from "@rill/protocol";
import { type AssignmentListener, type AssignmentSource, type TopicPartition, tpKey } from "./assignment.ts";
import { isRetriable } from "./errors.ts";
import type { GroupMetadata, GroupOptions, RebalanceListener, Subscription } from "./group-api.ts";
import { createGroupOffsets, type GroupOffsets } from "./group-offsets.ts";
import { backoff, type ResolvedRetry, sleep } from "./retry.ts";
import { deferred } from "./signals.ts";
import type { Transport } from "./transport.ts";

export interface GroupMembershipOptions extends GroupOptions {
  groupId: string;
  transport: Transport;
  retry: ResolvedRetry;
  clientId?: string;
  warn(message: string): void;
}

export interface GroupMembership extends AssignmentSource {
  /** Sets or changes the subscription; a running member tells the coordinator at once. */
  subscribe(subscription: Subscription): void;
  metadata(): GroupMetadata;
  readonly offsets: GroupOffsets;
}

interface HeartbeatAnswer {
  memberId: string;
  memberEpoch: number;
  heartbeatIntervalMs: number;
  assignment: Array<{ topic: string; partitions: number[] }>;
}

const LEAVE_TIMEOUT_MS = 5_000;
/** Longest pause between heartbeat attempts while the coordinator cannot be reached. */
const MAX_HEARTBEAT_BACKOFF_MS = 1_000;
const BROKER_SESSION_TIMEOUT_MS = 45_000;

function patternSource(pattern: RegExp | string): string {
  if (typeof pattern === "string") return pattern;
  // the broker matches the source alone: flags that change what it means cannot be honoured
  if (/[ims]/.test(pattern.flags))
    throw new RillError("INVALID_REQUEST", `pattern ${pattern} has flags the broker cannot apply; put them in the pattern`);
  return pattern.source;
}

function toList(tps: Iterable<TopicPartition>): Array<{ topic: string; partitions: number[] }> {
  const byTopic = new Map<string, number[]>();
  for (const tp of tps) byTopic.set(tp.topic, [...(byTopic.get(tp.topic) ?? []), tp.partition]);
  return [...byTopic].map(([topic, partitions]) => ({ topic, partitions: partitions.sort((a, b) => a - b) }));
}

export function createGroupMembership(options: GroupMembershipOptions): GroupMembership {
  const { transport, groupId, retry, warn } = options;
  const instanceId = options.groupInstanceId ?? null;
  const sessionTimeoutMs = options.sessionTimeoutMs ?? BROKER_SESSION_TIMEOUT_MS;
  const autoCommit = options.autoCommit ?? true;
  const owned = new Map<string, TopicPartition>();
  let memberId: string | null = null;
  let memberEpoch = 0;
  let incarnation = 0;
  let subscription: Subscription | undefined;
  let subscriptionVersion = 0;
  let sentVersion = -1;
  let listener: AssignmentListener | undefined;
  let running = false;
  let loop: Promise<void> | undefined;
  let inflight: { controller: AbortController; poll: boolean } | undefined;
  let stopper = new AbortController();
  let intervalMs = 3_000;
  let lastContact = 0;

  const offsets = createGroupOffsets({
    transport,
    groupId,
    retry,
    identity: () => ({ memberId, memberEpoch: memberId === null ? -1 : memberEpoch, incarnation }),
    accepts: (tp) => owned.has(tpKey(tp)),
    autoCommit,
    autoCommitIntervalMs: options.autoCommitIntervalMs ?? 5_000,
    warn,
  });

  function subscriptionFields(): { topics: string[] } | { pattern: string } {
    const s = subscription as Subscription;
    return s.topics ? { topics: [...s.topics] } : { pattern: patternSource(s.pattern as RegExp | string) };
  }

  /** The next heartbeat: a join while not a member, else a long-poll reporting what is owned. */
  function nextRequest(): { body: Record<string, unknown>; waitMs: number; version: number } {
    const version = subscriptionVersion;
    if (memberEpoch === 0) {
      const body: Record<string, unknown> = { memberId, memberEpoch: 0, instanceId, ...subscriptionFields() };
      if (options.clientId) body.clientId = options.clientId;
      if (options.sessionTimeoutMs !== undefined) body.sessionTimeoutMs = options.sessionTimeoutMs;
      if (options.rebalanceTimeoutMs !== undefined) body.rebalanceTimeoutMs = options.rebalanceTimeoutMs;
      if (options.assignor !== undefined) body.assignor = options.assignor;
      return { body, waitMs: 0, version };
    }
    // the wait stays well inside the session, or the coordinator would expire a member that is waiting
    const waitMs = Math.max(0, Math.min(intervalMs, Math.floor(sessionTimeoutMs / 3)));
    const body: Record<string, unknown> = { memberId, memberEpoch, ownedPartitions: toList(owned.values()), waitMs };
    if (sentVersion !== version) Object.assign(body, subscriptionFields());
    return { body, waitMs, version };
  }

  async function callListener(name: keyof RebalanceListener, tps: TopicPartition[]): Promise<void> {
    try {
      await subscription?.[name]?.(tps.map((tp) => ({ ...tp })));
    } catch (error) {
      warn(`group ${groupId}: ${name} threw: ${(error as Error)?.message ?? String(error)}`);
    }
  }

  async function revoke(tps: TopicPartition[]): Promise<void> {
    await listener?.revoked(tps);
    await callListener("onPartitionsRevoked", tps);
    // still ours until the next heartbeat acknowledges: the coordinator accepts this commit
    if (autoCommit)
      await offsets.commitProcessed(tps).catch((error: unknown) => {
        warn(`group ${groupId}: committing revoked partitions failed: ${(error as Error)?.message}`);
      });
    for (const tp of tps) owned.delete(tpKey(tp));
    offsets.forget(tps);
  }

  async function lose(): Promise<void> {
    incarnation++; // commits still queued for the old incarnation are refused, not sent
    memberEpoch = 0;
    const lost = [...owned.values()];
    owned.clear();
    offsets.forget(lost);
    if (lost.length === 0) return;
    await listener?.revoked(lost);
    await callListener("onPartitionsLost", lost);
  }

  async function reconcile(answer: HeartbeatAnswer): Promise<void> {
    memberId = answer.memberId;
    memberEpoch = answer.memberEpoch;
    if (answer.heartbeatIntervalMs > 0) intervalMs = answer.heartbeatIntervalMs;
    const target = new Map<string, TopicPartition>();
    for (const { topic, partitions } of answer.assignment)
      for (const partition of partitions) target.set(tpKey({ topic, partition }), { topic, partition });
    const revoked = [...owned].filter(([k]) => !target.has(k)).map(([, tp]) => tp);
    const added = [...target].filter(([k]) => !owned.has(k)).map(([, tp]) => tp);
    if (revoked.length > 0) await revoke(revoked);
    if (added.length > 0) {
      for (const tp of added) owned.set(tpKey(tp), tp);
      await callListener("onPartitionsAssigned", added);
      listener?.assigned(added);
    }
  }

  async function heartbeatLoop(joined: ReturnType<typeof deferred<void>>): Promise<void> {
    let failures = 0;
    let member = false;
    while (running) {
      const { body, waitMs, version } = nextRequest();
      const controller = new AbortController();
      inflight = { controller, poll: waitMs > 0 };
      let answer: HeartbeatAnswer;
      try {
        answer = await transport.json<HeartbeatAnswer>({
          method: "POST",
          path: paths.groupHeartbeat(groupId),
          json: body,
          waitMs,
          signal: controller.signal,
        });
        failures = 0;
        lastContact = Date.now();
        if ("topics" in body || "pattern" in body) sentVersion = version;
      } catch (error) {
        if (!running) break;
        if (controller.signal.aborted) continue; // the subscription changed: tell the coordinator now
        if (isRillError(error, "UNKNOWN_MEMBER_ID") || isRillError(error, "FENCED_MEMBER_EPOCH")) {
          warn(`group ${groupId}: ${error.message}; its partitions are lost, joining again`);
          await lose();
          continue;
        }
        failures++;
        // a member keeps trying for as long as it lives; joining gives up like any other request
        if (!isRetriable(error) || (!member && failures > retry.retries)) throw error;
        // the coordinator may have given our partitions away by now: stop working on them
        if (memberEpoch > 0 && Date.now() - lastContact > sessionTimeoutMs) await lose();
        await sleep(Math.min(backoff(retry, failures), MAX_HEARTBEAT_BACKOFF_MS), stopper.signal).catch(() => undefined);
        continue;
      } finally {
        if (inflight?.controller === controller) inflight = undefined;
      }
      await reconcile(answer);
      member = true;
      joined.resolve();
    }
    joined.resolve();
  }

  return {
    offsets,
    subscribe(next) {
      if (!next || (!next.topics && next.pattern === undefined))
        throw new RillError("INVALID_REQUEST", "subscribe() needs { topics } or { pattern }");
      if (next.pattern !== undefined) patternSource(next.pattern);
      subscription = next;
      subscriptionVersion++;
      // a waiting heartbeat is cut short so the coordinator hears of it now; a join is never cut
      // short, since the coordinator may have made us a member we would then not know about
      if (inflight?.poll) inflight.controller.abort();
    },
    async start(l) {
      if (!subscription) throw new RillError("INVALID_REQUEST", "call subscribe() before running a group consumer");
      if (running) return;
      listener = l;
      running = true;
      stopper = new AbortController();
      const joined = deferred<void>();
      loop = heartbeatLoop(joined).catch((error: unknown) => {
        running = false;
        offsets.stopAutoCommit();
        joined.reject(error);
        listener?.failed?.(error);
      });
      await joined.promise;
      offsets.startAutoCommit();
    },
    async stop() {
      if (!loop) return;
      running = false;
      stopper.abort();
      if (inflight?.poll) inflight.controller.abort();
      await loop; // a revocation or assignment in progress completes first
      loop = undefined;
      offsets.stopAutoCommit();
      if (owned.size > 0) await revoke([...owned.values()]);
      await offsets.flush();
      if (memberId !== null && memberEpoch > 0) {
        // a static member leaves "temporarily" (-2): a restart under its instance id takes its partitions back
        await transport
          .json({
            method: "POST",
            path: paths.groupHeartbeat(groupId),
            json: { memberId, memberEpoch: instanceId ? -2 : -1 },
            timeoutMs: LEAVE_TIMEOUT_MS,
          })
          .catch((error: unknown) => warn(`group ${groupId}: leaving failed: ${(error as Error)?.message}`));
      }
      memberId = null;
      memberEpoch = 0;
      listener = undefined;
    },
    startingOffset: (tp, signal) => offsets.startingOffset(tp, signal),
    processed: (tp, nextOffset) => offsets.processed(tp, nextOffset),
    metadata: () => ({ groupId, memberId, memberEpoch, groupInstanceId: instanceId }),
  };
}
