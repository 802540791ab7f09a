// Shapes of partition replication: what replicas say to each other and to the controller.

import type { PartitionMetadata } from "./controller.ts";

/** What a replica knows of its partition: the controller's metadata plus who it is. */
export interface ReplicaAssignment extends PartitionMetadata {
  /** This replica's id within the partition's replica list. */
  replicaId: number;
}

/** Leader -> follower: Kafka's fetch turned around (the leader pushes). */
export interface ReplicateRequest {
  leader: number;
  leaderEpoch: number;
  /** The follower's log end the batches continue from; -1 for a probe without batches. */
  fromOffset: number;
  /** Concatenated stored batches, stamped by the leader, or null. */
  batches: Uint8Array | null;
  /** Truncate to this offset first (KIP-101: drop a tail the leader does not have). */
  truncateTo?: number;
  /** The leader's high watermark, or -1 while the follower's log is not yet known to match. */
  highWatermark: number;
}

export interface ReplicateResponse {
  logEndOffset: number;
  /** The epoch of the follower's last batch (-1 when empty), for the leader's divergence check. */
  lastEpoch: number;
}

/** How a replica reaches the others and the controller. */
export interface ReplicaNetwork {
  replicate(replicaId: number, request: ReplicateRequest): Promise<ReplicateResponse>;
  /** Asks the controller to set the ISR; refused (FENCED_LEADER_EPOCH) unless this leader's epoch is current. */
  alterIsr(leaderEpoch: number, isr: number[]): Promise<PartitionMetadata>;
}
