// The public shapes of consuming in a group: options, subscriptions, rebalance listeners.

import type { TopicPartition } from "./assignment.ts";

export type AssignorName = "range" | "roundrobin" | "sticky";

/** Consumer options that matter only with a groupId. */
export interface GroupOptions {
  /**
   * The consumer group. With subscribe(), the consumer becomes a member and the group's
   * coordinator assigns its partitions; with assign(), it only reads and commits the group's
   * offsets (a standalone consumer, allowed while the group has no members).
   */
  groupId?: string;
  /** Static membership (Kafka's group.instance.id): a restart under the same id keeps its partitions. */
  groupInstanceId?: string;
  /** A member silent this long is removed and its partitions move (default: the broker's, 45 000). */
  sessionTimeoutMs?: number;
  /** A member that does not give up revoked partitions this long after being told is removed (default: the broker's, 60 000). */
  rebalanceTimeoutMs?: number;
  /** The assignor the group uses; the first member to join decides (default: the broker's, sticky). */
  assignor?: AssignorName;
  /** Commit processed offsets every autoCommitIntervalMs, on revocation and on close (default true). */
  autoCommit?: boolean;
  /** Default 5000. */
  autoCommitIntervalMs?: number;
}

/**
 * Called as the group moves partitions. The consumer waits for each listener before going on, so a
 * listener may commit (commitSync/commitOffsets) or flush state of its own.
 */
export interface RebalanceListener {
  /** New partitions, before their first records are fetched. */
  onPartitionsAssigned?(partitions: TopicPartition[]): Promise<void> | void;
  /**
   * Partitions about to move to another member: no handler is working on them any more, and they
   * are still this member's, so offsets committed now are accepted. With autoCommit, what was
   * processed is committed right after this listener returns.
   */
  onPartitionsRevoked?(partitions: TopicPartition[]): Promise<void> | void;
  /** Partitions already taken away (the member was fenced or its session ended): committing them is refused. */
  onPartitionsLost?(partitions: TopicPartition[]): Promise<void> | void;
}

/**
 * What to consume: topic names, or a pattern matched against whole topic names (as Kafka does;
 * new matching topics join the subscription within a heartbeat or two).
 */
export type Subscription = ({ topics: string[]; pattern?: undefined } | { pattern: RegExp | string; topics?: undefined }) &
  RebalanceListener & {
    /**
     * Where partitions without a committed offset start: true is the log's start, false its end
     * (kafkajs's option; it sets the consumer's autoOffsetReset to "earliest" or "latest").
     */
    fromBeginning?: boolean;
  };

/** Who this consumer is in its group right now (Kafka's ConsumerGroupMetadata). */
export interface GroupMetadata {
  groupId: string;
  /** null until the coordinator answered the first heartbeat. */
  memberId: string | null;
  /** The member epoch: bumped with every new assignment; 0 while not a member. */
  memberEpoch: number;
  groupInstanceId: string | null;
}
