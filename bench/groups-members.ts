// The moving parts of bench:groups: group members built on the real client (each with a fetch
// that can be made to "crash": every request in flight aborted, every new one refused, and no
// leave), a ledger of every record each member processed, and a fixed-rate producer that writes
// its send time into each record's value.

import { type AssignorName, type Consumer, createClient, deserializers, type FetchLike, type Transport } from "@rill/client";

/** One record handed to one member's eachMessage. */
export interface Delivery {
  member: number;
  partition: number;
  offset: number;
  /** The member's epoch when it processed the record. */
  epoch: number;
  /** performance.now() at the handler. */
  at: number;
  /** performance.now() at the producer, from the record's value. */
  producedAt: number;
}

export interface Member {
  readonly index: number;
  readonly consumer: Consumer<Uint8Array | null, string | null>;
  /** Partitions this member owns, as its rebalance listeners saw them. */
  readonly owned: Set<number>;
  /** performance.now() of the first assignment and of the first record (undefined until then). */
  readonly firstAssignedAt: number | undefined;
  readonly firstRecordAt: number | undefined;
  /** Settles when run() ends (never rejects). */
  readonly done: Promise<void>;
  /** Gone: left or crashed. */
  readonly gone: boolean;
  /**
   * The coordinator dropped this member while it was alive (its session ran out, e.g. on a machine
   * too busy to heartbeat in time): it lost its partitions without handing them over, so its
   * uncommitted work is processed again, and it may process records its successor already has.
   */
  readonly expired: boolean;
  /** Stops heartbeating and fetching at once, without leaving; records still buffered are not processed. */
  crash(): void;
  /** Leaves the group cleanly: commits what was processed, then leaves (consumer.disconnect()). */
  leave(): Promise<void>;
}

export interface MemberOptions {
  broker: string;
  topic: string;
  groupId: string;
  index: number;
  deliveries: Delivery[];
  sessionTimeoutMs?: number;
  /** Default: the broker's (sticky). */
  assignor?: AssignorName;
  /** Default: the client's (500 ms). */
  fetchMaxWaitMs?: number;
  /** Called after every change of `owned`, and at the first record. */
  onChange?: () => void;
  warn: (message: string) => void;
}

/** A fetch that can be cut off: crash() aborts what is in flight and refuses what comes next. */
function crashableFetch(): { fetch: FetchLike; crash(): void } {
  const inflight = new Set<AbortController>();
  let crashed = false;
  return {
    fetch(input, init) {
      if (crashed) return Promise.reject(new TypeError("fetch failed: this member crashed"));
      const controller = new AbortController();
      const onAbort = () => controller.abort(init.signal?.reason);
      init.signal?.addEventListener("abort", onAbort, { once: true });
      inflight.add(controller);
      return fetch(input, { ...init, signal: controller.signal }).finally(() => {
        inflight.delete(controller);
        init.signal?.removeEventListener("abort", onAbort);
      });
    },
    crash() {
      crashed = true;
      for (const c of inflight) c.abort(new TypeError("fetch failed: this member crashed"));
      inflight.clear();
    },
  };
}

/** Starts a member: subscribe + run, from the earliest offset of a group without commits. */
export function startMember(options: MemberOptions): Member {
  const wire = crashableFetch();
  let crashed = false;
  // a crashed member's complaints (its requests fail, by design) are not warnings of the run
  const warn = (message: string) => void (crashed || options.warn(`member ${options.index}: ${message}`));
  const client = createClient({ brokers: [options.broker], fetch: wire.fetch, logger: { warn } });
  const consumer = client.consumer<Uint8Array | null, string | null>({
    groupId: options.groupId,
    autoOffsetReset: "earliest",
    sessionTimeoutMs: options.sessionTimeoutMs,
    assignor: options.assignor,
    fetchMaxWaitMs: options.fetchMaxWaitMs,
    deserializers: { value: deserializers.string },
  });
  const owned = new Set<number>();
  let gone = false;
  let expired = false;
  let firstAssignedAt: number | undefined;
  let firstRecordAt: number | undefined;
  const changed = () => options.onChange?.();
  const subscribed = consumer.subscribe({
    topics: [options.topic],
    onPartitionsAssigned(tps) {
      firstAssignedAt ??= performance.now();
      for (const tp of tps) owned.add(tp.partition);
      changed();
    },
    onPartitionsRevoked(tps) {
      for (const tp of tps) owned.delete(tp.partition);
      changed();
    },
    onPartitionsLost(tps) {
      if (!crashed) expired = true;
      for (const tp of tps) owned.delete(tp.partition);
      changed();
    },
  });
  const done = subscribed
    .then(() =>
      consumer.run({
        eachMessage({ partition, message }) {
          // a crashed process processes nothing, not even what it had prefetched
          if (crashed) return;
          const at = performance.now();
          if (firstRecordAt === undefined) {
            firstRecordAt = at;
            changed();
          }
          options.deliveries.push({
            member: options.index,
            partition,
            offset: message.offset,
            epoch: consumer.groupMetadata()?.memberEpoch ?? -1,
            at,
            producedAt: Number(message.value),
          });
        },
      }),
    )
    .catch((error: unknown) => {
      warn(`run() ended: ${(error as Error)?.message ?? String(error)}`);
    });
  return {
    index: options.index,
    consumer,
    owned,
    get firstAssignedAt() {
      return firstAssignedAt;
    },
    get firstRecordAt() {
      return firstRecordAt;
    },
    done,
    get gone() {
      return gone;
    },
    get expired() {
      return expired;
    },
    crash() {
      crashed = gone = true;
      wire.crash();
    },
    async leave() {
      gone = true;
      await consumer.disconnect();
      await done;
    },
  };
}

export interface Producer {
  /** Offsets acknowledged per partition. */
  readonly produced: Map<number, number[]>;
  /** Requests that failed (their records may or may not have landed; none is expected). */
  readonly failures: number;
  /** performance.now() of each request's send and of its answer (NaN if it failed). */
  readonly sends: Array<{ sent: number; acked: number }>;
  stop(): Promise<void>;
}

/**
 * One request per tick of `intervalMs / slots` ms, carrying one record for each partition p with
 * p % slots === tick % slots: every partition gets a record every `intervalMs`, and the load is
 * spread over the interval instead of landing on all partitions at once. Ticks follow a fixed
 * schedule (a late one is sent at once, none is skipped), acks=all; up to `slots` requests are in
 * flight, but never two for the same partitions, so each partition's records stay in send order.
 */
export function startProducer(transport: Transport, topic: string, partitions: number, intervalMs: number, slots: number): Producer {
  const produced = new Map<number, number[]>(Array.from({ length: partitions }, (_, p) => [p, []]));
  const sends: Array<{ sent: number; acked: number }> = [];
  const previous: Array<Promise<void>> = Array.from({ length: slots }, () => Promise.resolve());
  let failures = 0;
  let running = true;
  const tickMs = intervalMs / slots;
  const post = async (slot: number) => {
    const now = performance.now();
    const send = { sent: now, acked: Number.NaN };
    sends.push(send);
    const records = [];
    for (let p = slot; p < partitions; p += slots) records.push({ partition: p, value: String(now) });
    try {
      const answer = await transport.json<{ offsets: Array<{ partition: number; offset: number | null }> }>({
        method: "POST",
        path: `/v1/topics/${encodeURIComponent(topic)}/records`,
        json: { records, acks: "all" },
      });
      send.acked = performance.now();
      for (const { partition, offset } of answer.offsets) if (offset !== null) produced.get(partition)?.push(offset);
      if (answer.offsets.some((o) => o.offset === null)) failures++;
    } catch {
      failures++;
    }
  };
  const loop = (async () => {
    const start = performance.now();
    for (let tick = 0; running; tick++) {
      const wait = start + tick * tickMs - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const slot = tick % slots;
      await previous[slot];
      if (!running) break;
      previous[slot] = post(slot);
    }
    await Promise.all(previous);
  })();
  return {
    produced,
    get failures() {
      return failures;
    },
    sends,
    async stop() {
      running = false;
      await loop;
    },
  };
}
