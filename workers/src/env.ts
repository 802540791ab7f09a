import type { ControllerObject } from "./controller-object.ts";
import type { GroupObject } from "./group-object.ts";
import type { PartitionObject } from "./partition-object.ts";
import type { QuotaObject } from "./quota-object.ts";
import type { SubscriptionIndexObject } from "./subscription-index-object.ts";
import type { SubscriptionObject } from "./subscription-object.ts";

/** Bindings the Worker and its Durable Objects receive (see wrangler.toml). */
export interface Env {
  CONTROLLER: DurableObjectNamespace<ControllerObject>;
  PARTITIONS: DurableObjectNamespace<PartitionObject>;
  GROUPS: DurableObjectNamespace<GroupObject>;
  /** One quota meter per quota entity. */
  QUOTAS: DurableObjectNamespace<QuotaObject>;
  /** One object per push subscription (group member run by the broker), and the index that lists them. */
  SUBSCRIPTIONS: DurableObjectNamespace<SubscriptionObject>;
  SUBSCRIPTION_INDEX: DurableObjectNamespace<SubscriptionIndexObject>;
  /** How often partitions run retention and compaction, in ms (default 300000). */
  RILL_MAINTENANCE_INTERVAL_MS?: string;
  /**
   * Comma-separated bearer tokens; when set, every /v1 route requires one (Authorization: Bearer,
   * or ?access_token= for EventSource and WebSocket tails). Set it as a secret:
   * `wrangler secret put RILL_TOKENS`. Unset, the broker is open (fine on 127.0.0.1, not deployed).
   */
  RILL_TOKENS?: string;
  /** More super users: `User:alice;User:bob` (Kafka's super.users). */
  RILL_SUPER_USERS?: string;
  /** HS256 secret for JWT bearer tokens (`wrangler secret put RILL_JWT_SECRET`). */
  RILL_JWT_SECRET?: string;
  /** A JWKS (JSON) for RS256/ES256 JWT bearer tokens; or RILL_JWKS_URL to fetch it. */
  RILL_JWKS?: string;
  RILL_JWKS_URL?: string;
  /** Required `iss` / `aud` of JWTs, when set. */
  RILL_JWT_ISSUER?: string;
  RILL_JWT_AUDIENCE?: string;
  /** Comma-separated browser origins allowed by CORS (default *). */
  RILL_CORS_ORIGINS?: string;
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
