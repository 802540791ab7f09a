// Shapes of push subscriptions shared by both brokers: the stored settings, the live status a
// describe answers, and the service the HTTP routes call.

import type { SubscriptionTargetBody } from "@rill/protocol";

export type SubscriptionTarget = SubscriptionTargetBody;
export type StartAt = "earliest" | "latest" | { timestamp: number };

/** A subscription's settings, every default applied. */
export interface SubscriptionConfig {
  group: string;
  name: string;
  topics: string[] | null;
  pattern: string | null;
  target: SubscriptionTarget;
  startAt: StartAt;
  batchSize: number;
  maxWaitMs: number;
  maxRetries: number;
  retryDelayMs: number;
  maxRetryDelayMs: number;
  deadLetterTopic: string | null;
  maxConcurrency: number;
  deliveryTimeoutMs: number;
  encoding: "utf8" | "base64";
  paused: boolean;
  createdAt: number;
  updatedAt: number;
}

/** Totals since the subscription was created. */
export interface SubscriptionCounters {
  /** Deliveries that reached the target (batches). */
  deliveries: number;
  /** Records handed to the target, redeliveries included. */
  delivered: number;
  /** Records delivered again (attempt above 1): after a retry, a narrowed batch, or a lost acknowledgement. */
  redelivered: number;
  acked: number;
  /** Failures charged to records (each may lead to a retry or to the dead-letter topic). */
  retried: number;
  /** Records appended to the dead-letter topic. */
  deadLettered: number;
  /** Records that used up their retries with no dead-letter topic set. */
  dropped: number;
  /** Deliveries that did not reach the target. */
  unreachable: number;
  /** Records removed by retention before they could be delivered. */
  skippedByRetention: number;
}

export interface PartitionStatus {
  topic: string;
  partition: number;
  /** The next offset to finish: what the group has committed once the commit lands. */
  position: number;
  committed: number | null;
  highWatermark: number | null;
  lag: number | null;
  inFlight: { deliveryId: string; fromOffset: number; toOffset: number; records: number; startedAt: number } | null;
  /** Records handed out and not done (awaiting a retry or in flight). */
  pending: number;
  /** Records with at least one failure charged. */
  retrying: number;
  /** Records waiting for their dead-letter append. */
  deadLetterWaiting: number;
  /** When the partition may deliver again (backoff), or null. */
  nextAttemptAt: number | null;
}

export interface SubscriptionStatus {
  state: "active" | "paused" | "starting";
  memberId: string | null;
  memberEpoch: number;
  partitions: PartitionStatus[];
  lag: number;
  inFlight: number;
  counters: SubscriptionCounters;
  lastError: { at: number; message: string; topic?: string; partition?: number } | null;
  /** Since when deliveries have failed to reach the target, or null. */
  unreachableSince: number | null;
}

/** A subscription as described: its settings (never its secret) and its status. */
export interface SubscriptionDescription extends SubscriptionConfig {
  status: SubscriptionStatus;
}

export interface CreatedSubscription {
  subscription: SubscriptionDescription;
  /** The signing secret of HTTP deliveries: answered here and on rotation only. */
  secret: string;
}

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
