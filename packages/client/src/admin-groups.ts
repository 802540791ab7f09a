// Consumer group administration (kafkajs's admin names): list, describe with lag, fetch and reset
// committed offsets, delete. Resets and deletes work only on groups without members.

import { paths } from "@rill/protocol";
import type { AssignorName } from "./group-api.ts";
import type { TopicPartitionOffset } from "./group-commits.ts";
import type { CommittedOffset } from "./group-offsets.ts";
import type { Transport } from "./transport.ts";

/** KIP-848's group states. */
export type GroupState = "Empty" | "Assigning" | "Reconciling" | "Stable";

export interface GroupListing {
  groupId: string;
  state: GroupState;
  members: number;
}

export interface GroupMemberDescription {
  memberId: string;
  instanceId: string | null;
  clientId: string;
  memberEpoch: number;
  /** STABLE, UNREVOKED_PARTITIONS (giving some up) or UNRELEASED_PARTITIONS (waiting for some). */
  state: string;
  subscribedTopics: string[];
  subscribedPattern: string | null;
  assignment: Array<{ topic: string; partitions: number[] }>;
  revoking: Array<{ topic: string; partitions: number[] }>;
}

export interface GroupPartitionLag {
  topic: string;
  partition: number;
  /** The next offset the group reads; null when nothing was committed. */
  committedOffset: number | null;
  /** null when the topic or partition is gone. */
  highWatermark: number | null;
  /** highWatermark - committedOffset; null when either is unknown. */
  lag: number | null;
  /** The member that owns the partition now. */
  memberId: string | null;
  metadata: string | null;
}

export interface GroupDescription {
  groupId: string;
  state: GroupState;
  groupEpoch: number;
  assignmentEpoch: number;
  assignor: AssignorName;
  members: GroupMemberDescription[];
  partitions: GroupPartitionLag[];
  totalLag: number;
}

/** Where a reset moves a group's offsets: either end of the log, a time (ms), or an offset (clamped into the log). */
export type ResetTarget = "earliest" | "latest" | { timestamp: number } | { offset: number };

export interface GroupAdmin {
  /** Every group the broker knows, with its state and member count. */
  /** Groups with their state and member count; `internal: true` adds the broker's own (ids starting with `__`). */
  listGroups(options?: { internal?: boolean }): Promise<{ groups: GroupListing[] }>;
  /** Members, assignments, and committed offset, high watermark and lag per partition. */
  describeGroup(groupId: string): Promise<GroupDescription>;
  /** The group's committed offsets by topic (kafkajs's shape). */
  fetchOffsets(args: {
    groupId: string;
    topics?: string[];
  }): Promise<Array<{ topic: string; partitions: Array<{ partition: number; offset: number; metadata: string | null }> }>>;
  /** Moves an empty group's committed offsets (NON_EMPTY_GROUP while it has members); answers the new offsets. */
  resetOffsets(args: { groupId: string; topic: string; partitions?: number[]; to: ResetTarget }): Promise<TopicPartitionOffset[]>;
  /** Deletes empty groups and their offsets. */
  deleteGroups(groupIds: string[]): Promise<void>;
}

export function createGroupAdmin(transport: Transport): GroupAdmin {
  return {
    listGroups: (options) => transport.json<{ groups: GroupListing[] }>({ method: "GET", path: paths.groups(options) }),
    describeGroup: (groupId) => transport.json<GroupDescription>({ method: "GET", path: paths.group(groupId) }),
    async fetchOffsets({ groupId, topics }) {
      const answer = await transport.json<{ offsets: CommittedOffset[] }>({ method: "GET", path: paths.groupOffsets(groupId) });
      const byTopic = new Map<string, Array<{ partition: number; offset: number; metadata: string | null }>>();
      for (const t of topics ?? []) byTopic.set(t, []);
      for (const o of answer.offsets) {
        if (topics && !topics.includes(o.topic)) continue;
        const list = byTopic.get(o.topic) ?? [];
        list.push({ partition: o.partition, offset: o.offset, metadata: o.metadata ?? null });
        byTopic.set(o.topic, list);
      }
      return [...byTopic].map(([topic, partitions]) => ({ topic, partitions: partitions.sort((a, b) => a.partition - b.partition) }));
    },
    async resetOffsets({ groupId, topic, partitions, to }) {
      const answer = await transport.json<{ offsets: TopicPartitionOffset[] }>({
        method: "POST",
        path: paths.groupOffsetsReset(groupId),
        json: partitions ? { topic, partitions, to } : { topic, to },
      });
      return answer.offsets;
    },
    async deleteGroups(groupIds) {
      for (const groupId of groupIds) await transport.json({ method: "DELETE", path: paths.group(groupId) });
    },
  };
}
