// The delivery contract between a Rill push subscription and its target, the same for every kind
// of target: the broker sends a `RillDelivery` (as the argument of the target's `rill` RPC method,
// or as the JSON body of a POST to a fetch handler or webhook) and reads back a `RillDeliveryResult`
// (the RPC's return value, or the answer's JSON body). Plain data only, so it crosses RPC and HTTP alike.

import type { JsonRecord } from "@rill/protocol";

/** Version of the delivery shape; bumped only by an incompatible change. */
export const DELIVERY_VERSION = 1;

/** One record as delivered. Keys, values and header values are UTF-8 text, or base64 when `encoding` says so. */
export interface RillDeliveryRecord extends JsonRecord {
  /**
   * The record's identity, the same on every redelivery: `<topicId>/<partition>/<offset>`. Keep the
   * ids you have processed (with the subscription's name if one handler serves several) to drop
   * the duplicates at-least-once delivery can bring.
   */
  id: string;
  /** Deliveries of this record so far, this one included: 1 the first time. */
  attempt: number;
}

/** What a subscription hands its target: records of one partition, in offset order. */
export interface RillDelivery {
  version: number;
  /** Unique per delivery attempt (a retry has a new one; record ids stay the same). */
  deliveryId: string;
  /** The subscription's group and name. */
  group: string;
  subscription: string;
  topic: string;
  partition: number;
  /** The highest attempt among the records. */
  attempt: number;
  /** The partition's high watermark when the records were read: how far behind this batch is. */
  highWatermark: number;
  records: RillDeliveryRecord[];
}

/**
 * What the target answers. Records it names in `acked` are done; records in `retried` come back
 * later (after `delaySeconds`, or the subscription's backoff). The rest: done when `error` is
 * absent; not processed when it is present (the handler failed before reaching them).
 */
export interface RillDeliveryResult {
  acked?: number[];
  retried?: Array<{ offset: number; delaySeconds?: number }>;
  /** The handler failed: why. */
  error?: string;
}

/** Headers of a delivery over HTTP (fetch handler or webhook). */
export const DELIVERY_HEADERS = {
  signature: "rill-signature",
  deliveryId: "rill-delivery-id",
  subscription: "rill-subscription",
  attempt: "rill-attempt",
} as const;
