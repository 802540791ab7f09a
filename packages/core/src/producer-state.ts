// Idempotent producer bookkeeping (Kafka KIP-98): per partition and producer id, the epoch and the
// sequence numbers of the last few batches. A retried batch is recognised and answered with its
// original offsets; a gap or a stale epoch is refused. The result is stored by the same storage
// call that appends the batch, so the check and the write cannot come apart.

import { RillError } from "./errors.ts";
import type { ProducerBatch, ProducerEntry } from "./storage.ts";

/** Batches remembered per producer: Kafka's max.in.flight.requests.per.connection limit for idempotence. */
export const PRODUCER_BATCHES_REMEMBERED = 5;
const MAX_SEQUENCE = 0x7fffffff;

export interface ProducerBatchInfo {
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  recordCount: number;
}

export type SequenceVerdict = { kind: "append" } | { kind: "duplicate"; batch: ProducerBatch };

export function lastSequenceOf(baseSequence: number, recordCount: number): number {
  // sequences wrap to 0 after Int32.MAX, as in Kafka
  return (baseSequence + recordCount - 1) % (MAX_SEQUENCE + 1);
}

function nextSequence(sequence: number): number {
  return sequence === MAX_SEQUENCE ? 0 : sequence + 1;
}

/** Decides whether a batch from an idempotent producer is new, a retry, or an error. */
export function checkSequence(entry: ProducerEntry | undefined, batch: ProducerBatchInfo): SequenceVerdict {
  const { producerId, producerEpoch, baseSequence } = batch;
  if (baseSequence < 0) {
    throw new RillError("OUT_OF_ORDER_SEQUENCE_NUMBER", `producer ${producerId} sent a batch without a sequence number`);
  }
  if (!entry) {
    if (baseSequence !== 0) {
      throw new RillError(
        "UNKNOWN_PRODUCER_ID",
        `producer ${producerId} is unknown to this partition and sent sequence ${baseSequence}, not 0`,
      );
    }
    return { kind: "append" };
  }
  if (producerEpoch < entry.epoch) {
    throw new RillError("PRODUCER_FENCED", `producer ${producerId} epoch ${producerEpoch} is older than ${entry.epoch}`, {
      currentEpoch: entry.epoch,
    });
  }
  if (producerEpoch > entry.epoch) {
    if (baseSequence !== 0) {
      throw new RillError(
        "OUT_OF_ORDER_SEQUENCE_NUMBER",
        `producer ${producerId} began epoch ${producerEpoch} at sequence ${baseSequence}, not 0`,
      );
    }
    return { kind: "append" };
  }
  const lastSequence = lastSequenceOf(baseSequence, batch.recordCount);
  const same = entry.batches.find((b) => b.firstSequence === baseSequence && b.lastSequence === lastSequence);
  if (same) return { kind: "duplicate", batch: same };
  const newest = entry.batches[entry.batches.length - 1];
  const expected = newest ? nextSequence(newest.lastSequence) : 0;
  if (baseSequence === expected) return { kind: "append" };
  if (newest && isOlder(baseSequence, newest.lastSequence)) {
    throw new RillError(
      "DUPLICATE_SEQUENCE_NUMBER",
      `producer ${producerId} re-sent sequence ${baseSequence}, older than the batches remembered`,
    );
  }
  throw new RillError("OUT_OF_ORDER_SEQUENCE_NUMBER", `producer ${producerId} sent sequence ${baseSequence}, expected ${expected}`, {
    expectedSequence: expected,
  });
}

/**
 * The batch comes after the next sequence this partition expects from its producer: batches sent
 * before it have not arrived yet. (A retry, an older batch or a wrong epoch is not ahead.)
 */
export function isAheadOfSequence(entry: ProducerEntry | undefined, batch: ProducerBatchInfo): boolean {
  if (batch.baseSequence <= 0) return false;
  if (!entry || batch.producerEpoch > entry.epoch) return true; // its sequence 0 is still on the way
  if (batch.producerEpoch < entry.epoch) return false;
  const newest = entry.batches[entry.batches.length - 1];
  const expected = newest ? nextSequence(newest.lastSequence) : 0;
  return batch.baseSequence !== expected && isOlder(expected, batch.baseSequence);
}

/** Sequence a is before b, allowing for wrap-around (b is recent, a within half the range behind). */
function isOlder(a: number, b: number): boolean {
  const distance = (b - a + MAX_SEQUENCE + 1) % (MAX_SEQUENCE + 1);
  return distance < (MAX_SEQUENCE + 1) / 2;
}

/** The producer entry after `batch` was appended at [baseOffset, lastOffset]. */
export function recordSequence(
  entry: ProducerEntry | undefined,
  batch: ProducerBatchInfo,
  baseOffset: number,
  lastOffset: number,
  now: number,
): ProducerEntry {
  const sameEpoch = entry && entry.epoch === batch.producerEpoch;
  const batches = sameEpoch ? entry.batches.slice(-(PRODUCER_BATCHES_REMEMBERED - 1)) : [];
  batches.push({
    firstSequence: batch.baseSequence,
    lastSequence: lastSequenceOf(batch.baseSequence, batch.recordCount),
    baseOffset,
    lastOffset,
  });
  return { producerId: batch.producerId, epoch: batch.producerEpoch, batches, lastTimestamp: now };
}
