// What a target receives for one batch of a partition (@rill/worker's RillDelivery): the records as
// JSON, each with an id that stays the same on every redelivery and its attempt count.

import type { LogRecord } from "@rill/core";
import { DELIVERY_VERSION, type RillDelivery } from "@rill/worker";
import { toJsonRecord } from "../records-json.ts";
import type { PartitionRecord } from "./pump-state.ts";
import type { SubscriptionConfig } from "./types.ts";

export function buildDelivery(
  config: SubscriptionConfig,
  p: PartitionRecord,
  topicId: string,
  records: LogRecord[],
  attempts: Record<number, number>,
  deliveryId: string,
): RillDelivery {
  const out = records.map((r) => ({
    ...toJsonRecord(r, config.encoding),
    id: `${topicId}/${p.partition}/${r.offset}`,
    attempt: attempts[r.offset] ?? 1,
  }));
  return {
    version: DELIVERY_VERSION,
    deliveryId,
    group: config.group,
    subscription: config.name,
    topic: p.topic,
    partition: p.partition,
    attempt: Math.max(...out.map((r) => r.attempt)),
    highWatermark: p.highWatermark ?? 0,
    records: out,
  };
}
