import type { TopicMetadata } from "@rill/core";
import type { Env, PartitionAssignment } from "./env.ts";

/** The assignment a partition object receives with every call. */
export function assignmentOf(topic: TopicMetadata, partition: number): PartitionAssignment {
  return {
    topic: topic.name,
    topicId: topic.topicId,
    partition,
    version: topic.version,
    config: topic.config,
    leaderEpoch: topic.partitions[partition]?.leaderEpoch ?? 0,
  };
}

/** Partition objects are named by topic id, so a re-created topic never meets the old one's data. */
export function partitionStub(env: Env, topic: TopicMetadata, partition: number) {
  return env.PARTITIONS.get(env.PARTITIONS.idFromName(`${topic.topicId}/${partition}`));
}
