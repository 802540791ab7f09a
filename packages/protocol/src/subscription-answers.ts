// What the subscription routes answer (describe, list, create, alter): settings with every default
// applied, and the live status of the member the broker runs.

import type { RecordEncoding } from "./records.ts";
import type { SubscriptionTargetBody } from "./subscription-schemas.ts";

/** A subscription's settings, every default applied. */
export interface SubscriptionSettings {
  group: string;
  name: string;
  topics: string[] | null;
  pattern: string | null;
  target: SubscriptionTargetBody;
  startAt: "earliest" | "latest" | { timestamp: number };
  batchSize: number;
  maxWaitMs: number;
  maxRetries: number;
  retryDelayMs: number;
  maxRetryDelayMs: number;
  deadLetterTopic: string | null;
  maxConcurrency: number;
  deliveryTimeoutMs: number;
  encoding: RecordEncoding;
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

export interface SubscriptionPartitionStatus {
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
  partitions: SubscriptionPartitionStatus[];
  lag: number;
  inFlight: number;
  counters: SubscriptionCounters;
  lastError: { at: number; message: string; topic?: string; partition?: number } | null;
  /** Since when deliveries have failed to reach the target, or null. */
  unreachableSince: number | null;
}

/** A subscription as described: its settings (never its secret) and its status. */
export interface SubscriptionDescription extends SubscriptionSettings {
  status: SubscriptionStatus;
}

/** The answer to a create: the description, and the signing secret of HTTP deliveries (answered here and on rotation only). */
export interface CreatedSubscription {
  subscription: SubscriptionDescription;
  secret: string;
}
