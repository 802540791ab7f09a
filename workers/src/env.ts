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
  /**
   * Comma-separated bearer tokens; when set, every /v1 route requires one (Authorization: Bearer,
   * or ?access_token= for EventSource and WebSocket tails). Set it as a secret:
   * `wrangler secret put RILL_TOKENS`. Unset, the broker is open (fine on 127.0.0.1, not deployed).
   */
  RILL_TOKENS?: string;
  /** "enabled" turns on the fault-injection routes and hooks (tests only; off unless set). */
  RILL_FAULTS?: string;
}

/** What a partition replica object is told about itself and its topic with every call. */
export interface PartitionAssignment {
  topic: string;
  topicId: string;
  partition: number;
  /** Which replica of the partition this object is. */
  replicaId: number;
  /** Topic metadata version: a replica keeps the newest it has seen. */
  version: number;
  config: Record<string, unknown>;
  leader: number;
  leaderEpoch: number;
  replicas: number[];
  isr: number[];
}
