// What a replica needs of its log beyond appends: Kafka's leader-epoch bookkeeping (KIP-101).
// A follower asks the leader where the follower's last epoch ends on the leader, and truncates its
// own log there before following, so a deposed leader drops the tail nobody else has.

import type { PartitionLog } from "./partition-log-types.ts";
import { lastSequenceOf, PRODUCER_BATCHES_REMEMBERED } from "./producer-state.ts";
import { readBatchHeader } from "./record-batch.ts";
import type { EpochStart, ProducerEntry } from "./storage.ts";

export interface EpochEndOffset {
  /** The largest epoch this log has that is <= the one asked about, or -1. */
  epoch: number;
  /** Where that epoch ends here: the start of the next epoch, or the log end. */
  endOffset: number;
}

/** Kafka's OffsetsForLeaderEpoch, answered from a log's epoch cache. */
export function endOffsetForEpoch(epochs: readonly EpochStart[], logEndOffset: number, epoch: number): EpochEndOffset {
  let found = -1;
  for (let i = 0; i < epochs.length; i++) {
    const e = epochs[i] as EpochStart;
    if (e.epoch > epoch) return { epoch: found, endOffset: e.startOffset };
    found = e.epoch;
  }
  return { epoch: found, endOffset: logEndOffset };
}

/** The epoch of the last batch in a log (-1 for an empty log). */
export function lastEpochOf(epochs: readonly EpochStart[]): number {
  return epochs[epochs.length - 1]?.epoch ?? -1;
}

const SCAN_BYTES = 4 * 1024 * 1024;

/**
 * Truncates the log to `offset` (a batch boundary), rebuilding idempotent producer state from the
 * batches that remain so a later leader still recognises retried batches.
 */
export function truncateLog(log: PartitionLog, offset: number): Promise<void> {
  return log.exclusive(async (s) => {
    if (offset >= s.logEndOffset) return;
    const producers = new Map<number, ProducerEntry>();
    let next = s.logStartOffset;
    while (next < offset) {
      const chunk = await log.storage.read(log.partition, next, SCAN_BYTES);
      if (chunk.length === 0) break;
      for (const b of chunk) {
        if (b.baseOffset >= offset) {
          next = offset;
          break;
        }
        const h = readBatchHeader(b.bytes);
        if (h.producerId >= 0 && h.baseSequence >= 0) {
          const known = producers.get(h.producerId);
          const batches = known && known.epoch === h.producerEpoch ? known.batches.slice(-(PRODUCER_BATCHES_REMEMBERED - 1)) : [];
          batches.push({
            firstSequence: h.baseSequence,
            lastSequence: lastSequenceOf(h.baseSequence, h.recordCount),
            baseOffset: b.baseOffset,
            lastOffset: b.lastOffset,
          });
          producers.set(h.producerId, { producerId: h.producerId, epoch: h.producerEpoch, batches, lastTimestamp: h.maxTimestamp });
        }
        next = b.lastOffset + 1;
      }
    }
    await log.storage.truncateTail(log.partition, offset, [...producers.values()]);
    await log.reload();
  });
}
