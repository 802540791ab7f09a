// A consumer for push-subscription tests and benchmarks, the same behind a webhook (Node) and
// behind a service binding (a Worker): it processes each batch in offset order, acknowledging
// record by record, and can be told to fail ("poison" values always throw, "flaky" values throw a
// number of times), to be slow, or to retry records itself. It logs what it processed so a verdict
// can count lost, out-of-order and redelivered records. No Node or Workers APIs: pure TypeScript.

import type { RillBatch, RillHandler } from "@rill/worker";

export interface ConsumerBehaviour {
  /** Values that always make the handler throw (dead-lettered after maxRetries). */
  poison: string[];
  /** Values that make the handler throw this many times before they succeed. */
  flaky: Record<string, number>;
  /** Values the handler retries explicitly (message.retry()) this many times, going on with the rest. */
  retryExplicitly: Record<string, number>;
  /** Time spent on each batch before processing it. */
  slowMs: number;
  /** While true, every delivery fails with this as the error (the target's dependency is down). */
  failAll: boolean;
  /** Keep every processed record in `processed` (tests); benchmarks count them instead. */
  keepRecords: boolean;
}

export interface ProcessedRecord {
  topic: string;
  partition: number;
  offset: number;
  value: string | null;
  attempt: number;
  id: string;
}

export interface SubscriptionSeen {
  deliveries: number;
  /** Most deliveries of this subscription in flight at once. */
  maxInFlight: number;
  /** Most deliveries of one partition in flight at once (must stay 1). */
  maxInFlightPerPartition: number;
  /** Each delivery's first offset and size, in arrival order (while keepRecords). */
  batches: Array<{ topic: string; partition: number; firstOffset: number; size: number }>;
  /** Records processed, redeliveries included. */
  processed: number;
  /** Processing time minus record timestamp (ms), one per record up to 100,000 (while not keepRecords). */
  latencyMs: number[];
}

export interface ConsumerSnapshot {
  processed: ProcessedRecord[];
  deliveries: number;
  failures: number;
  /** By "<group>/<subscription>". */
  subscriptions: Record<string, SubscriptionSeen>;
}

export function defaultBehaviour(): ConsumerBehaviour {
  return { poison: [], flaky: {}, retryExplicitly: {}, slowMs: 0, failAll: false, keepRecords: true };
}

export function createPushConsumer(sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms))) {
  let behaviour = defaultBehaviour();
  const empty = (): ConsumerSnapshot => ({ processed: [], deliveries: 0, failures: 0, subscriptions: {} });
  let snapshot = empty();
  const inFlight = new Map<string, number>();
  const flakyLeft = new Map<string, number>();
  const retriesLeft = new Map<string, number>();

  const handler: RillHandler = async (batch: RillBatch) => {
    const subscription = `${batch.group}/${batch.subscription}`;
    const key = `${subscription}/${batch.topic}/${batch.partition}`;
    const seen = (snapshot.subscriptions[subscription] ??= {
      deliveries: 0,
      maxInFlight: 0,
      maxInFlightPerPartition: 0,
      batches: [],
      processed: 0,
      latencyMs: [],
    });
    const bump = (k: string, by: number) => {
      const n = (inFlight.get(k) ?? 0) + by;
      inFlight.set(k, n);
      return n;
    };
    seen.maxInFlight = Math.max(seen.maxInFlight, bump(subscription, 1));
    seen.maxInFlightPerPartition = Math.max(seen.maxInFlightPerPartition, bump(key, 1));
    seen.deliveries++;
    seen.batches.push({
      topic: batch.topic,
      partition: batch.partition,
      firstOffset: batch.messages[0]?.offset ?? -1,
      size: batch.messages.length,
    });
    snapshot.deliveries++;
    try {
      if (behaviour.slowMs > 0) await sleep(behaviour.slowMs);
      if (behaviour.failAll) {
        snapshot.failures++;
        throw new Error("downstream unavailable");
      }
      for (const m of batch.messages) {
        const value = m.value ?? "";
        if (behaviour.poison.includes(value)) {
          snapshot.failures++;
          throw new Error(`poison record ${value}`);
        }
        const flaky = flakyLeft.get(m.id) ?? behaviour.flaky[value] ?? 0;
        if (flaky > 0) {
          flakyLeft.set(m.id, flaky - 1);
          snapshot.failures++;
          throw new Error(`flaky record ${value} (${flaky - 1} failures to go)`);
        }
        flakyLeft.set(m.id, 0);
        const retries = retriesLeft.get(m.id) ?? behaviour.retryExplicitly[value] ?? 0;
        if (retries > 0) {
          retriesLeft.set(m.id, retries - 1);
          snapshot.failures++;
          m.retry();
          continue;
        }
        retriesLeft.set(m.id, 0);
        seen.processed++;
        if (behaviour.keepRecords)
          snapshot.processed.push({
            topic: batch.topic,
            partition: batch.partition,
            offset: m.offset,
            value: m.value,
            attempt: m.attempt,
            id: m.id,
          });
        else if (seen.latencyMs.length < 100_000) seen.latencyMs.push(Date.now() - m.timestamp);
        m.ack();
      }
    } finally {
      bump(subscription, -1);
      bump(key, -1);
    }
  };

  return {
    handler,
    configure(changes: Partial<ConsumerBehaviour>) {
      behaviour = { ...behaviour, ...changes };
    },
    reset() {
      behaviour = defaultBehaviour();
      snapshot = empty();
      flakyLeft.clear();
      retriesLeft.clear();
    },
    snapshot: (): ConsumerSnapshot => structuredClone(snapshot),
  };
}

export interface Verdict {
  records: number;
  processed: number;
  deadLettered: number;
  /** Produced records neither processed nor dead-lettered. */
  lost: number;
  /** Records processed (for the first time) after a later record of their partition. */
  outOfOrder: number;
  /** Processings of a record beyond its first. */
  redelivered: number;
}

/**
 * Counts the outcome of a run: `produced` maps "<topic>/<partition>" to the offsets written there,
 * `deadLettered` lists "<topic>/<partition>/<offset>" of records found in the dead-letter topic.
 */
export function verdictOf(
  produced: Map<string, number[]>,
  processed: readonly ProcessedRecord[],
  deadLettered: readonly string[],
): Verdict {
  const seen = new Set<string>();
  const highest = new Map<string, number>();
  let outOfOrder = 0;
  let redelivered = 0;
  for (const r of processed) {
    const id = `${r.topic}/${r.partition}/${r.offset}`;
    if (seen.has(id)) {
      redelivered++;
      continue;
    }
    seen.add(id);
    const key = `${r.topic}/${r.partition}`;
    if (r.offset < (highest.get(key) ?? -1)) outOfOrder++;
    highest.set(key, Math.max(highest.get(key) ?? -1, r.offset));
  }
  const dead = new Set(deadLettered);
  let records = 0;
  let lost = 0;
  for (const [key, offsets] of produced) {
    for (const offset of offsets) {
      records++;
      const id = `${key}/${offset}`;
      if (!seen.has(id) && !dead.has(id)) lost++;
    }
  }
  return { records, processed: seen.size, deadLettered: dead.size, lost, outOfOrder, redelivered };
}
