// Choosing a partition for a record without one. The default is Kafka's: murmur2 of the key bytes
// (so the same key lands where a Java or kafkajs producer would put it), and for keyless records
// the producer's sticky partition, which moves on each time a batch for it is sent (KIP-480).

import { partitionForKey, RillError } from "@rill/core";

export interface PartitionerArgs {
  topic: string;
  partitionCount: number;
  /** The serialized key, or null. */
  key: Uint8Array | null;
  /** The serialized value, or null. */
  value: Uint8Array | null;
  /** The producer's current sticky partition for this topic, for keyless records. */
  stickyPartition: number;
}

/** Picks a partition in [0, partitionCount). */
export type Partitioner = (args: PartitionerArgs) => number;

/** Kafka's default: murmur2 for keyed records, sticky for keyless ones. */
export const defaultPartitioner: Partitioner = ({ key, partitionCount, stickyPartition }) =>
  key ? partitionForKey(key, partitionCount) : stickyPartition;

/** Checks a partitioner's answer before a record is routed by it. */
export function checkPartition(topic: string, partition: number, partitionCount: number): number {
  if (!Number.isInteger(partition) || partition < 0 || partition >= partitionCount) {
    throw new RillError("UNKNOWN_TOPIC_OR_PARTITION", `topic ${topic} has no partition ${partition} (it has ${partitionCount})`, {
      topic,
      partition,
    });
  }
  return partition;
}
