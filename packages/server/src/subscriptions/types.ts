// Shapes of push subscriptions shared by both brokers: the stored settings, the live status a
// describe answers, and the service the HTTP routes call.

import type {
  CreatedSubscription,
  SubscriptionCounters,
  SubscriptionDescription,
  SubscriptionPartitionStatus,
  SubscriptionSettings,
  SubscriptionStatus,
  SubscriptionTargetBody,
} from "@rill/protocol";

export type { CreatedSubscription, SubscriptionCounters, SubscriptionDescription, SubscriptionStatus };
export type SubscriptionTarget = SubscriptionTargetBody;
export type StartAt = SubscriptionSettings["startAt"];
/** A subscription's settings, every default applied: what both brokers store. */
export type SubscriptionConfig = SubscriptionSettings;
export type PartitionStatus = SubscriptionPartitionStatus;

/** The settings a PATCH may change, already validated. */
export type SubscriptionChanges = Partial<
  Pick<
    SubscriptionConfig,
    | "topics"
    | "pattern"
    | "target"
    | "startAt"
    | "batchSize"
    | "maxWaitMs"
    | "maxRetries"
    | "retryDelayMs"
    | "maxRetryDelayMs"
    | "deadLetterTopic"
    | "maxConcurrency"
    | "deliveryTimeoutMs"
    | "encoding"
    | "paused"
  >
> & { rotateSecret?: boolean };

/** What the routes call; each broker that runs push subscriptions has one. */
export interface SubscriptionService {
  create(config: SubscriptionConfig): Promise<CreatedSubscription>;
  list(group?: string): Promise<SubscriptionDescription[]>;
  describe(group: string, name: string): Promise<SubscriptionDescription>;
  update(group: string, name: string, changes: SubscriptionChanges): Promise<{ subscription: SubscriptionDescription; secret?: string }>;
  delete(group: string, name: string): Promise<void>;
}

export function emptyCounters(): SubscriptionCounters {
  return {
    deliveries: 0,
    delivered: 0,
    redelivered: 0,
    acked: 0,
    retried: 0,
    deadLettered: 0,
    dropped: 0,
    unreachable: 0,
    skippedByRetention: 0,
  };
}
