// The batch a handler sees: the delivered records with Queues-style `ack()` / `retry()` per record
// and `ackAll()` / `retryAll()`, turned back into a plain `RillDeliveryResult` once the handler is done.

import type { RillDelivery, RillDeliveryRecord, RillDeliveryResult } from "./delivery.ts";

export interface RetryOptions {
  /** Deliver again no sooner than this (the subscription's backoff applies when it is longer). */
  delaySeconds?: number;
}

/** One delivered record. */
export interface RillMessage extends RillDeliveryRecord {
  /** Done: this record's offset may be committed once every earlier record is done too. */
  ack(): void;
  /** Failed: deliver it again later; counts towards the subscription's maxRetries. */
  retry(options?: RetryOptions): void;
  /** The value's bytes (decoding base64 when the record is base64); null for a tombstone. */
  bytes(): Uint8Array | null;
  /** The value parsed as JSON. */
  json<T = unknown>(): T;
}

/** Records of one partition, in offset order. */
export interface RillBatch {
  readonly group: string;
  readonly subscription: string;
  readonly topic: string;
  readonly partition: number;
  readonly deliveryId: string;
  /** The highest attempt among the records (1 on a first delivery). */
  readonly attempt: number;
  readonly highWatermark: number;
  readonly messages: readonly RillMessage[];
  /** Marks every record done. */
  ackAll(): void;
  /** Marks every record failed. */
  retryAll(options?: RetryOptions): void;
}

type Mark = { kind: "ack" } | { kind: "retry"; delaySeconds?: number };

function decodeBase64(text: string): Uint8Array {
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

/** The batch over a delivery, and `settle` to read what the handler decided (the latest mark of a record wins). */
export function createBatch(delivery: RillDelivery): { batch: RillBatch; settle(error?: unknown): RillDeliveryResult } {
  const marks = new Map<number, Mark>();
  const retryMark = (options?: RetryOptions): Mark => ({ kind: "retry", delaySeconds: options?.delaySeconds });
  const messages = delivery.records.map(
    (record): RillMessage => ({
      ...record,
      ack: () => void marks.set(record.offset, { kind: "ack" }),
      retry: (options) => void marks.set(record.offset, retryMark(options)),
      bytes: () => {
        if (record.value === null) return null;
        return record.encoding === "base64" ? decodeBase64(record.value) : new TextEncoder().encode(record.value);
      },
      json: <T>() => {
        if (record.value === null) throw new TypeError(`record ${record.id} has no value (a tombstone)`);
        const text = record.encoding === "base64" ? new TextDecoder().decode(decodeBase64(record.value)) : record.value;
        return JSON.parse(text) as T;
      },
    }),
  );
  const batch: RillBatch = {
    group: delivery.group,
    subscription: delivery.subscription,
    topic: delivery.topic,
    partition: delivery.partition,
    deliveryId: delivery.deliveryId,
    attempt: delivery.attempt,
    highWatermark: delivery.highWatermark,
    messages,
    ackAll: () => {
      for (const r of delivery.records) marks.set(r.offset, { kind: "ack" });
    },
    retryAll: (options) => {
      for (const r of delivery.records) marks.set(r.offset, retryMark(options));
    },
  };
  return {
    batch,
    settle(error) {
      const result: RillDeliveryResult = { acked: [], retried: [] };
      for (const [offset, mark] of [...marks].sort((a, b) => a[0] - b[0])) {
        if (mark.kind === "ack") result.acked?.push(offset);
        else result.retried?.push(mark.delaySeconds === undefined ? { offset } : { offset, delaySeconds: mark.delaySeconds });
      }
      if (error !== undefined) result.error = error instanceof Error ? error.message || error.name : String(error);
      return result;
    },
  };
}

/** A handler of delivered batches. Returning acks every record not marked; throwing leaves them unprocessed. */
export type RillHandler<Env = unknown, Ctx = unknown> = (batch: RillBatch, env: Env, ctx: Ctx) => void | Promise<void>;

/**
 * Runs a handler on one delivery and answers what it decided. A handler that throws is reported
 * in `error` (never rethrown), so the subscription can tell a failed handler from an unreachable target.
 */
export async function consume<Env, Ctx>(
  delivery: RillDelivery,
  handler: RillHandler<Env, Ctx>,
  env: Env,
  ctx: Ctx,
): Promise<RillDeliveryResult> {
  const { batch, settle } = createBatch(delivery);
  try {
    await handler(batch, env, ctx);
    return settle();
  } catch (error) {
    return settle(error ?? new Error("handler threw"));
  }
}
