// How much of an outbox partition waits for upload, and since when: summed from batch metadata by a
// storage scan, so refreshed at most once a second.

import { replicaLogName, type Storage, type TopicMetadata } from "@rill/core";

export interface OutboxView {
  outboxBytes: number;
  oldestUnsyncedAt: number | null;
}

export interface OutboxViewOptions {
  storage: Storage;
  now: () => number;
  partition: number;
  /** The upload cursor: batches wholly below it are on the edge. */
  acked: () => number;
}

export function createOutboxView(o: OutboxViewOptions): { current(): OutboxView; refresh(topic: TopicMetadata): Promise<void> } {
  let refreshedAt = 0;
  let view: OutboxView = { outboxBytes: 0, oldestUnsyncedAt: null };
  return {
    current: () => view,
    async refresh(topic) {
      if (o.now() - refreshedAt < 1000) return;
      refreshedAt = o.now();
      const leader = topic.partitions[o.partition]?.leader ?? 0;
      const metas = await o.storage.scan(replicaLogName(topic.topicId, o.partition, leader), o.acked(), 10_000);
      view = {
        outboxBytes: metas.reduce((n, m) => n + (m.lastOffset >= o.acked() ? m.sizeInBytes : 0), 0),
        oldestUnsyncedAt: metas[0]?.timeIndex ?? null,
      };
    },
  };
}
