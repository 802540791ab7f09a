import { replicaLogName, type TopicMetadata } from "@rill/core";
import type { Env, PartitionAssignment } from "./env.ts";

/** The assignment a replica object receives with every call. */
export function assignmentOf(topic: TopicMetadata, partition: number, replicaId?: number): PartitionAssignment {
  const p = topic.partitions[partition];
  return {
    topic: topic.name,
    topicId: topic.topicId,
    partition,
    replicaId: replicaId ?? p?.leader ?? 0,
    version: topic.version,
    config: topic.config,
    leader: p?.leader ?? 0,
    leaderEpoch: p?.leaderEpoch ?? 0,
    replicas: p?.replicas ?? [0],
    isr: p?.isr ?? [0],
  };
}

export function replicaStub(env: Env, topicId: string, partition: number, replicaId: number) {
  return env.PARTITIONS.get(env.PARTITIONS.idFromName(replicaLogName(topicId, partition, replicaId)));
}

/** The leader replica's object. */
export function partitionStub(env: Env, topic: TopicMetadata, partition: number) {
  return replicaStub(env, topic.topicId, partition, topic.partitions[partition]?.leader ?? 0);
}
