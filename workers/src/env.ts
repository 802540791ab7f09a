import type { ControllerObject } from "./controller-object.ts";
import type { GroupObject } from "./group-object.ts";
import type { PartitionObject } from "./partition-object.ts";

/** Bindings the Worker and its Durable Objects receive (see wrangler.toml). */
export interface Env {
  CONTROLLER: DurableObjectNamespace<ControllerObject>;
  PARTITIONS: DurableObjectNamespace<PartitionObject>;
  GROUPS: DurableObjectNamespace<GroupObject>;
  /** How often partitions run retention and compaction, in ms (default 300000). */
  RILL_MAINTENANCE_INTERVAL_MS?: string;
}

/** What a partition object is told about its topic with every call. */
export interface PartitionAssignment {
  topic: string;
  topicId: string;
  partition: number;
  /** Topic metadata version: a partition keeps the newest it has seen. */
  version: number;
  config: Record<string, unknown>;
  leaderEpoch: number;
}
