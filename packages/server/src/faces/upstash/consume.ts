// Consumer groups through the Upstash Kafka REST API. A REST consumer instance is a static member
// (KIP-848, group.instance.id = the instance name) of its group; between requests its member id,
// epoch, assignment and positions are kept as committed-offset metadata of an internal group per
// instance (`__upstash.<group>.<instance>`), so any Worker isolate can serve its next request.
//   POST /consume/:group/:instance   {topic} or {topics}, timeout (ms, default 1000); headers
//       Kafka-Enable-Auto-Commit (default true), Kafka-Auto-Offset-Reset (earliest|latest|none, default latest)
//   POST /commit/:group/:instance    {topic, partition, offset} or a list (the next offset to read); none: the positions
//   POST /committed/:group/:instance [{topic, partition}] -> [{topic, partition, offset, metadata}] (offset -1: none)
//   POST /delete-consumer/:group/:instance  leaves the group

import { type CommittedOffset, isRillError, RillError } from "@rill/core";
import { INTERNAL_GROUP_PREFIX } from "@rill/protocol";
import type { Broker } from "../../broker.ts";
import { fetchMessages, invalid, partitionOf, type TopicPartition, type UpstashMessage } from "./messages.ts";

const MEMBER = "#member";
const key = (tp: TopicPartition) => `${tp.topic}\u0000${tp.partition}`;

interface Instance {
  memberId: string | null;
  memberEpoch: number;
  assignment: Array<{ topic: string; partitions: number[] }>;
  positions: Map<string, TopicPartition & { offset: number }>;
}

export interface ConsumeRequest {
  topics: string[];
  timeoutMs: number;
  autoCommit: boolean;
  reset: "earliest" | "latest" | "none";
}

export function instanceGroup(group: string, instance: string): string {
  return `${INTERNAL_GROUP_PREFIX}upstash.${group}.${instance}`;
}

export function createGroupConsumer(broker: Broker) {
  async function load(group: string, instance: string): Promise<Instance> {
    const entries = await broker.fetchOffsets(instanceGroup(group, instance));
    const member = entries.find((e) => e.topic === MEMBER);
    const saved = member?.metadata ? (JSON.parse(member.metadata) as Pick<Instance, "memberId" | "assignment">) : undefined;
    const positions = new Map<string, TopicPartition & { offset: number }>();
    for (const e of entries) if (e.topic !== MEMBER) positions.set(key(e), { topic: e.topic, partition: e.partition, offset: e.offset });
    return { memberId: saved?.memberId ?? null, memberEpoch: member?.offset ?? 0, assignment: saved?.assignment ?? [], positions };
  }

  async function save(group: string, instance: string, state: Instance, moved: Array<TopicPartition & { offset: number }>): Promise<void> {
    const t = Date.now();
    const entry = (topic: string, partition: number, offset: number, metadata: string | null): CommittedOffset => ({
      topic,
      partition,
      offset,
      metadata,
      leaderEpoch: -1,
      commitTimestamp: t,
    });
    await broker.resetGroupOffsets(instanceGroup(group, instance), [
      entry(MEMBER, 0, Math.max(0, state.memberEpoch), JSON.stringify({ memberId: state.memberId, assignment: state.assignment })),
      ...moved.map((p) => entry(p.topic, p.partition, p.offset, null)),
    ]);
  }

  /** One heartbeat as this instance; a member the coordinator forgot (session over) joins again. */
  async function heartbeat(group: string, instance: string, state: Instance, topics: string[]): Promise<void> {
    const ask = () =>
      broker.groupHeartbeat(group, {
        memberId: state.memberId,
        memberEpoch: state.memberId ? state.memberEpoch : 0,
        instanceId: instance,
        topics,
        ownedPartitions: state.memberId ? state.assignment : undefined,
      });
    let answer: Awaited<ReturnType<typeof ask>>;
    try {
      answer = await ask();
    } catch (error) {
      if (!isRillError(error, "UNKNOWN_MEMBER_ID") && !isRillError(error, "FENCED_MEMBER_EPOCH")) throw error;
      state.memberId = null;
      state.assignment = [];
      answer = await ask();
    }
    state.memberId = answer.memberId;
    state.memberEpoch = answer.memberEpoch;
    state.assignment = answer.assignment;
  }

  async function startOf(group: string, tp: TopicPartition, committed: CommittedOffset[], reset: ConsumeRequest["reset"]): Promise<number> {
    const c = committed.find((o) => o.topic === tp.topic && o.partition === tp.partition);
    if (c) return c.offset;
    if (reset === "none")
      throw new RillError("OFFSET_OUT_OF_RANGE", `group ${group} has no committed offset for ${tp.topic}/${tp.partition}`);
    return (await broker.listOffset(partitionOf(await broker.topic(tp.topic), tp.partition), reset)).offset;
  }

  async function commit(group: string, state: Instance, offsets: Array<TopicPartition & { offset: number }>): Promise<void> {
    if (offsets.length === 0) return;
    const request = { memberId: state.memberId, memberEpoch: state.memberEpoch, offsets };
    if (state.memberId) await broker.commitOffsets(group, request);
    else
      await broker.resetGroupOffsets(
        group,
        offsets.map((o) => ({ ...o, metadata: null, leaderEpoch: -1, commitTimestamp: Date.now() })),
      );
  }

  return {
    async consume(group: string, instance: string, request: ConsumeRequest): Promise<UpstashMessage[]> {
      if (request.topics.length === 0) throw invalid("consume needs topic or topics");
      const state = await load(group, instance);
      await heartbeat(group, instance, state, request.topics);
      const assigned = state.assignment.flatMap((a) => a.partitions.map((partition) => ({ topic: a.topic, partition })));
      const committed = assigned.length > 0 ? await broker.fetchOffsets(group) : [];
      const starts = await Promise.all(
        assigned.map(async (tp) => ({
          ...tp,
          offset: state.positions.get(key(tp))?.offset ?? (await startOf(group, tp, committed, request.reset)),
        })),
      );
      // every partition at once; the first that has records ends the others' wait
      const stop = new AbortController();
      const results = await Promise.all(
        starts.map(async (tp) => {
          const fetched = await fetchMessages(broker, tp, tp.offset, request.timeoutMs, stop.signal);
          if (fetched.messages.length > 0) stop.abort();
          return { tp, ...fetched };
        }),
      );
      const moved = results.map((r) => ({ topic: r.tp.topic, partition: r.tp.partition, offset: Math.max(r.tp.offset, r.nextOffset) }));
      if (request.autoCommit) await commit(group, state, moved);
      await save(group, instance, state, moved);
      return results.flatMap((r) => r.messages);
    },

    async commit(group: string, instance: string, offsets: Array<TopicPartition & { offset: number }> | undefined): Promise<void> {
      const state = await load(group, instance);
      await commit(group, state, offsets ?? [...state.positions.values()]);
    },

    async committed(group: string, partitions: TopicPartition[]) {
      const committed = await broker.fetchOffsets(group);
      const wanted = partitions.length > 0 ? partitions : committed;
      return wanted.map((tp) => {
        const c = committed.find((o) => o.topic === tp.topic && o.partition === tp.partition);
        return { topic: tp.topic, partition: tp.partition, offset: c?.offset ?? -1, metadata: c?.metadata ?? "" };
      });
    },

    async remove(group: string, instance: string): Promise<void> {
      const state = await load(group, instance);
      if (state.memberId) {
        try {
          await broker.groupHeartbeat(group, { memberId: state.memberId, memberEpoch: -1, instanceId: instance });
        } catch (error) {
          if (!isRillError(error, "UNKNOWN_MEMBER_ID") && !isRillError(error, "FENCED_MEMBER_EPOCH")) throw error;
        }
      }
      try {
        await broker.deleteGroup(instanceGroup(group, instance));
      } catch (error) {
        if (!isRillError(error, "GROUP_ID_NOT_FOUND")) throw error;
      }
    },
  };
}
