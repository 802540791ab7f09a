// One partition's send pipeline: closed batches go out in order, up to maxInFlight at a time, each
// as one binary record batch (POST /v1/topics/:t/partitions/:p/batches).
//
// Idempotence (Kafka KIP-98) makes retries safe: a batch keeps its producer id, epoch and base
// sequence for every attempt, so the broker answers a retried batch that it already has with its
// original offsets (`duplicate: true`) instead of writing it twice, and refuses a batch whose
// sequence is not the next one (OUT_OF_ORDER_SEQUENCE_NUMBER). Order then follows from a few rules:
// - a batch that got OUT_OF_ORDER while an earlier batch was unfinished (a failure, or simply a
//   request that overtook another on the way) waits and goes again with the same sequence;
// - a batch that was sent before goes again only once every batch before it is acknowledged, so
//   a retry never overtakes its predecessors, and nothing new goes out while a retry is in flight,
//   so the broker still remembers the retried batch (it keeps the last 5) when the retry arrives;
// - a batch that fails for good (or whose sequence the broker no longer recognises) breaks the
//   numbering, so the partition takes a fresh producer id and renumbers what is left from 0
//   (Kafka's epoch bump, KIP-360), rather than leaving later batches stuck behind a gap.

import { type CompressionType, encodeBatch, RillError } from "@rill/core";
import { isRetriable } from "./errors.ts";
import { acknowledge, type ProducerBatch, type RecordMetadata } from "./producer-batches.ts";
import { backoff, type ResolvedRetry } from "./retry.ts";

export interface ProducerIdentity {
  producerId: number;
  producerEpoch: number;
}

/** The broker's answer to a batch append (acks 1 or all). */
export interface AppendAnswer {
  baseOffset: number;
  lastOffset: number;
  batches: Array<{ baseOffset: number; lastOffset: number; duplicate: boolean }>;
  logAppendTime: number;
  logStartOffset: number;
}

export interface PartitionSenderOptions {
  topic: string;
  partition: number;
  /** Sequenced batches (acks 1/all) or plain ones (acks 0, or idempotence off). */
  idempotent: boolean;
  maxInFlight: number;
  retry: ResolvedRetry;
  compression: CompressionType;
  /** The producer's identity (shared by its partitions). */
  identity(): Promise<ProducerIdentity>;
  /** A new identity for this partition alone, once its numbering broke. */
  freshIdentity(): Promise<ProducerIdentity>;
  /** Sends the bytes; null when the broker does not answer with offsets (acks=0). */
  post(batch: ProducerBatch, bytes: Uint8Array): Promise<AppendAnswer | null>;
  /** A batch is finished, delivered or failed. */
  finished(batch: ProducerBatch): void;
  /** Every error a send met, so metadata can be refreshed. */
  sawError(error: unknown): void;
}

export interface PartitionSender {
  add(batch: ProducerBatch): void;
}

interface Sending extends ProducerBatch {
  state: "waiting" | "inflight";
  /** Failures on this batch's own account, against retry.retries. */
  attempts: number;
  /** Whether it went out before (then it waits for everything before it). */
  sent: boolean;
  /** In flight again after an earlier attempt: nothing after it goes out until it is answered. */
  resent: boolean;
  retryAt: number;
  baseSequence: number | undefined;
  identity: ProducerIdentity | undefined;
  bytes: Uint8Array | undefined;
}

const SEQUENCE_SPACE = 2 ** 31;

function metadataOf(batch: ProducerBatch, answer: AppendAnswer | null, index: number): RecordMetadata {
  const record = batch.records[index]?.record;
  const base = answer?.batches[0]?.baseOffset ?? -1;
  const logAppendTime = answer?.logAppendTime ?? -1;
  return {
    topicName: batch.topic,
    partition: batch.partition,
    errorCode: 0,
    offset: base >= 0 ? base + index : -1,
    baseOffset: base,
    logAppendTime,
    logStartOffset: answer?.logStartOffset ?? -1,
    timestamp: logAppendTime >= 0 ? logAppendTime : (record?.timestamp ?? -1),
  };
}

export function createPartitionSender(options: PartitionSenderOptions): PartitionSender {
  const { idempotent, retry } = options;
  const queue: Sending[] = [];
  let inFlight = 0;
  let identity: ProducerIdentity | undefined;
  let nextSequence = 0;
  let busy = false; // fetching an identity
  let needsReset = false;
  let timer: ReturnType<typeof setTimeout> | undefined;

  function schedule(ms: number): void {
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      pump();
    }, ms);
  }

  function remove(batch: Sending): void {
    const at = queue.indexOf(batch);
    if (at >= 0) queue.splice(at, 1);
  }

  function succeed(batch: Sending, answer: AppendAnswer | null): void {
    remove(batch);
    batch.records.forEach((r, i) => {
      acknowledge(r, metadataOf(batch, answer, i));
    });
    options.finished(batch);
  }

  function giveUp(batch: Sending, error: unknown): void {
    remove(batch);
    // a send fails with its first failed record (later rejections of the same send are no-ops)
    for (const r of batch.records) r.send.result.reject(error);
    options.finished(batch);
    // later sequences assumed this batch would land: renumber them under a fresh identity
    if (idempotent && batch.baseSequence !== undefined) needsReset = true;
  }

  function failAllWaiting(error: unknown): void {
    for (const b of [...queue]) if (b.state === "waiting") giveUp(b, error);
  }

  function obtain(source: () => Promise<ProducerIdentity>, renumber: boolean): void {
    busy = true;
    source().then(
      (fresh) => {
        busy = false;
        identity = fresh;
        if (renumber) {
          nextSequence = 0;
          needsReset = false;
          for (const b of queue)
            Object.assign(b, { baseSequence: undefined, identity: undefined, bytes: undefined, sent: false, resent: false });
        }
        pump();
      },
      (error) => {
        busy = false;
        failAllWaiting(error);
      },
    );
  }

  function failed(batch: Sending, error: unknown): void {
    inFlight--;
    options.sawError(error);
    const code = error instanceof RillError ? error.code : undefined;
    if (idempotent && (code === "OUT_OF_ORDER_SEQUENCE_NUMBER" || code === "UNKNOWN_PRODUCER_ID")) {
      // an earlier batch is unfinished, or numbering restarts: this one follows, not its own fault
      if (needsReset || queue.indexOf(batch) > 0) {
        batch.state = "waiting";
        pump();
        return;
      }
      // first in line and still refused: the broker lost track of our sequence; start afresh
      if (batch.attempts < retry.retries) {
        batch.attempts++;
        batch.state = "waiting";
        needsReset = true;
        pump();
        return;
      }
    } else if (idempotent && code === "DUPLICATE_SEQUENCE_NUMBER") {
      // older than the batches the broker remembers: it has this batch, offsets unknown (as Kafka)
      succeed(batch, null);
      pump();
      return;
    } else if (isRetriable(error) && batch.attempts < retry.retries) {
      batch.attempts++;
      batch.state = "waiting";
      batch.retryAt = Date.now() + backoff(retry, batch.attempts);
      pump();
      return;
    }
    giveUp(batch, error);
    pump();
  }

  /** Sends a batch; false when it could not even be encoded (and has failed). */
  function dispatch(batch: Sending): boolean {
    batch.state = "inflight";
    batch.resent = batch.sent;
    batch.sent = true;
    inFlight++;
    if (idempotent && batch.baseSequence === undefined) {
      batch.baseSequence = nextSequence;
      batch.identity = identity;
      nextSequence = (nextSequence + batch.records.length) % SEQUENCE_SPACE;
    }
    let bytes: Uint8Array;
    try {
      // encoded once: every retry sends the very same bytes, sequence included
      bytes = batch.bytes ??= encodeBatch(
        batch.records.map((r) => r.record),
        {
          compression: options.compression,
          producerId: batch.identity?.producerId ?? -1,
          producerEpoch: batch.identity?.producerEpoch ?? -1,
          baseSequence: batch.baseSequence ?? -1,
        },
      );
    } catch (error) {
      inFlight--;
      giveUp(batch, error);
      return false;
    }
    options.post(batch, bytes).then(
      (answer) => {
        inFlight--;
        succeed(batch, answer);
        pump();
      },
      (error) => failed(batch, error),
    );
    return true;
  }

  function pump(): void {
    if (busy) return;
    if (idempotent && needsReset) {
      // renumbering waits until nothing is in flight: their answers decide what is left to send
      if (inFlight === 0 && queue.length > 0) obtain(options.freshIdentity, true);
      return;
    }
    if (idempotent && !identity) {
      if (queue.length > 0) obtain(options.identity, false);
      return;
    }
    const now = Date.now();
    for (let i = 0; i < queue.length; i++) {
      const batch = queue[i] as Sending;
      if (batch.state === "inflight") {
        if (batch.resent) return;
        continue;
      }
      if (inFlight >= options.maxInFlight) return;
      if (batch.sent && i > 0) return;
      if (batch.retryAt > now) {
        schedule(batch.retryAt - now);
        return;
      }
      // a batch that cannot be encoded has failed at once and changed the queue: start over
      if (!dispatch(batch)) {
        pump();
        return;
      }
      if (batch.resent) return;
    }
  }

  return {
    add(batch) {
      queue.push({
        ...batch,
        state: "waiting",
        attempts: 0,
        sent: false,
        resent: false,
        retryAt: 0,
        baseSequence: undefined,
        identity: undefined,
        bytes: undefined,
      });
      pump();
    },
  };
}
