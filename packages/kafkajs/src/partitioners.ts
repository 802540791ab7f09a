// kafkajs's partitioner factories. Rill's default is Kafka's own (murmur2 of the key, sticky for
// keyless records), which is kafkajs's DefaultPartitioner since 2.0; the legacy one is the same here.

import { partitionForKey } from "@rill/core";
import type { ICustomPartitioner } from "./types.ts";

let roundRobin = 0;

const murmur2: ICustomPartitioner =
  () =>
  ({ partitionMetadata, message }) => {
    const count = partitionMetadata.length;
    if (typeof message.partition === "number") return message.partition;
    if (message.key !== null && message.key !== undefined) {
      const key = typeof message.key === "string" ? new TextEncoder().encode(message.key) : message.key;
      return partitionForKey(key, count);
    }
    return roundRobin++ % count;
  };

export const Partitioners = {
  DefaultPartitioner: murmur2,
  JavaCompatiblePartitioner: murmur2,
  LegacyPartitioner: murmur2,
};

/** The broker assigns partitions (KIP-848); these names are accepted and the group's assignor decides. */
export const PartitionAssigners = { roundRobin: () => ({ name: "RoundRobinAssigner" }) };
