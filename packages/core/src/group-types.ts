// Shapes of a consumer group under server-side assignment (Kafka's KIP-848). Everything here is
// plain JSON: the group is persisted as one versioned document.

/** Partitions by topic, each list sorted ascending. */
export type TopicPartitions = Record<string, number[]>;

export type AssignorName = "range" | "roundrobin" | "sticky";

/**
 * STABLE: owns its target. UNREVOKED_PARTITIONS: must give partitions up before anything else.
 * UNRELEASED_PARTITIONS: waits for partitions other members still hold.
 */
export type MemberState = "STABLE" | "UNREVOKED_PARTITIONS" | "UNRELEASED_PARTITIONS";

export interface GroupMember {
  memberId: string;
  /** Static membership: a restarting member with the same instance id keeps its partitions. */
  instanceId: string | null;
  clientId: string;
  memberEpoch: number;
  previousMemberEpoch: number;
  state: MemberState;
  subscribedTopics: string[];
  subscribedPattern: string | null;
  /** Partitions the member may consume now. */
  assigned: TopicPartitions;
  /** Partitions the member must release (still its own for commits until it acknowledges). */
  revoking: TopicPartitions;
  lastHeartbeatMs: number;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  /** When revocation must be acknowledged by, or -1. */
  revocationDeadlineMs: number;
  /** A static member that left temporarily (epoch -2) keeps its partitions until its session ends. */
  leftTemporarily: boolean;
}

export interface GroupState {
  groupId: string;
  /** Bumped whenever membership, subscriptions or subscribed topics' partition counts change. */
  groupEpoch: number;
  /** The group epoch the target assignment was computed for. */
  assignmentEpoch: number;
  assignor: AssignorName;
  members: Record<string, GroupMember>;
  targetAssignment: Record<string, TopicPartitions>;
  /** Partition counts of subscribed topics when the target was computed. */
  topicPartitionCounts: Record<string, number>;
  createdAtMs: number;
}

export interface HeartbeatRequest {
  /** null to join (with memberEpoch 0). */
  memberId: string | null;
  /** 0 joins, -1 leaves, -2 leaves temporarily (static members), otherwise the current epoch. */
  memberEpoch: number;
  instanceId?: string | null;
  clientId?: string;
  /** Topic names to subscribe to; omit to keep the current subscription. */
  topics?: string[];
  /** A regular expression over topic names (instead of topics). */
  pattern?: string;
  /** What the member still owns, acknowledging revocations; omit when unchanged. */
  ownedPartitions?: Array<{ topic: string; partitions: number[] }>;
  sessionTimeoutMs?: number;
  rebalanceTimeoutMs?: number;
  assignor?: AssignorName;
}

export interface HeartbeatResponse {
  memberId: string;
  memberEpoch: number;
  heartbeatIntervalMs: number;
  assignment: Array<{ topic: string; partitions: number[] }>;
}

export interface OffsetCommitRequest {
  /** null for a standalone consumer (no membership): only accepted while the group has no members. */
  memberId: string | null;
  memberEpoch: number;
  offsets: Array<{ topic: string; partition: number; offset: number; metadata?: string | null; leaderEpoch?: number }>;
}
