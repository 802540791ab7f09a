// The delivery loop of one push subscription, the same in every runtime: a group member that reads
// each assigned partition in offset order, hands one batch per partition at a time to the target
// (at most maxConcurrency at once), applies the verdict (core/delivery-progress.ts), appends
// exhausted records to the dead-letter topic and commits the group's offsets.
//
// `run(until)` works until a deadline and answers when it wants to run again, so a host can drive
// it from a Durable Object alarm (which cannot keep a loop alive between invocations) or a timer.
// State is saved before every delivery (with the batch marked in flight) and after it, so a crash
// anywhere resumes from what was saved: at worst the batch in flight goes out again.

import {
  beginDelivery,
  chooseBatch,
  completeDelivery,
  type DeliveryOutcome,
  isRillError,
  type LogRecord,
  nextReadOffset,
  resumeDeliveryProgress,
  skipTo,
  type TopicMetadata,
  toRillError,
} from "@rill/core";
import type { RillDelivery } from "@rill/worker";
import type { Broker } from "../broker.ts";
import { partitionRef } from "../routes/produce.ts";
import { type DeadLetterContext, flushDeadLetters } from "./dead-letter.ts";
import { buildDelivery } from "./delivery-batch.ts";
import { createMembership } from "./membership.ts";
import { logStartOf, type ReadRecords } from "./partition-reader.ts";
import { createPumpCommits } from "./pump-commits.ts";
import { describePump, emptyPumpState, type PartitionRecord, type PumpState, type PumpStore } from "./pump-state.ts";
import { createReadAhead } from "./read-ahead.ts";
import { createSlots } from "./slots.ts";
import type { SubscriptionConfig, SubscriptionStatus } from "./types.ts";

/** Longest wait for new records in one read (a caught-up partition long-polls this long). */
const IDLE_WAIT_MS = 5_000;

export interface PumpPorts {
  broker: Broker;
  /** Sends one delivery to the subscription's target; never throws. */
  deliver(delivery: RillDelivery, config: SubscriptionConfig): Promise<DeliveryOutcome>;
  store: PumpStore;
  now?: () => number;
  random?: () => number;
}

export interface SubscriptionPump {
  /** Delivers until `until` (finishing what is in flight); answers when to run next, or null (paused). */
  run(until: number): Promise<number | null>;
  /** New settings, in force from the next batch. */
  configure(config: SubscriptionConfig): void;
  /** Stops starting work; `run` returns once in-flight deliveries are done. */
  stop(): void;
  /**
   * The subscription is deleted: stops, waits for the deliveries in flight (not for reads, which
   * end on their own), commits, leaves the group, and writes nothing after.
   */
  shutdown(): Promise<void>;
  status(): Promise<SubscriptionStatus>;
}

export function createSubscriptionPump(initial: SubscriptionConfig, ports: PumpPorts): SubscriptionPump {
  const { broker, store } = ports;
  const now = ports.now ?? Date.now;
  const random = ports.random ?? Math.random;
  let config = initial;
  let state: PumpState | undefined;
  let membership: ReturnType<typeof createMembership> | undefined;
  let stopped = false;
  /** Aborted on stop, so held long-polls end at once. */
  let reads = new AbortController();
  let wake: () => void = () => undefined;
  const tasks = new Map<string, Promise<void>>();
  /** Deliveries in flight (a subset of the tasks' time: not their reads). */
  const deliveries = new Set<Promise<unknown>>();
  let closed = false;
  const slots = createSlots(() => config.maxConcurrency);
  const topics = new Map<string, TopicMetadata>();
  /** Partitions whose progress was checked against the group's commit since (re)assignment. */
  const active = new Set<string>();
  /** Partitions whose last step failed before they had progress: not before this time. */
  const backoff = new Map<string, number>();
  const readAhead = createReadAhead(broker, now);

  let loading: Promise<{ state: PumpState; membership: ReturnType<typeof createMembership> }> | undefined;
  /** The state, read from the store once (concurrent first callers share the read). */
  function load(): Promise<{ state: PumpState; membership: ReturnType<typeof createMembership> }> {
    loading ??= (async () => {
      const loaded = (await store.load()) ?? emptyPumpState();
      // a batch marked in flight by an earlier incarnation is not in flight any more: its records
      // stay pending (their attempts counted) and go out again
      for (const p of Object.values(loaded.partitions)) p.inFlight = null;
      state = loaded;
      membership = createMembership(broker, loaded, now);
      return { state: loaded, membership };
    })();
    loading.catch(() => {
      loading = undefined;
    });
    return loading;
  }

  // saves are chained so they land in order, and coalesced while one is running
  let saving: Promise<void> = Promise.resolve();
  let saveQueued = false;
  function persist(): Promise<void> {
    if (closed) return Promise.resolve();
    if (saveQueued) return saving;
    saveQueued = true;
    saving = saving.then(async () => {
      saveQueued = false;
      if (state) await store.save(structuredClone(state));
    });
    return saving;
  }

  function fail(error: unknown, where?: { topic: string; partition: number }): void {
    const e = toRillError(error);
    if (state) state.lastError = { at: now(), message: `${e.code}: ${e.message}`, ...where };
  }

  async function topicOf(name: string, fresh = false): Promise<TopicMetadata> {
    const known = topics.get(name);
    if (known && !fresh) return known;
    const topic = await broker.topic(name, { fresh });
    topics.set(name, topic);
    return topic;
  }

  const split = (key: string) => {
    const slash = key.lastIndexOf("/");
    return { topic: key.slice(0, slash), partition: Number(key.slice(slash + 1)) };
  };

  /** The partition's progress, resumed at the group's committed offset (or the start position) when newly taken. */
  async function progressFor(key: string): Promise<PartitionRecord> {
    const s = (await load()).state;
    const stored = s.partitions[key];
    if (stored && active.has(key)) return stored;
    const { topic, partition } = split(key);
    const committed = (await broker.fetchOffsets(config.group)).find((o) => o.topic === topic && o.partition === partition);
    const groupOffset = committed?.offset ?? null;
    let record: PartitionRecord;
    if (stored && stored.committed === groupOffset && stored.position >= (groupOffset ?? 0)) {
      // nobody moved the group's offset since our last commit: our saved progress goes on from where
      // it was, acknowledged records not yet committed included (they are done, not redelivered)
      record = {
        ...resumeDeliveryProgress(stored, topic, partition, stored.position),
        committed: groupOffset,
        highWatermark: stored.highWatermark,
      };
    } else {
      const start = groupOffset ?? (await broker.listOffset(partitionRef(await topicOf(topic), partition), config.startAt)).offset;
      record = {
        ...resumeDeliveryProgress(stored, topic, partition, start),
        committed: groupOffset,
        highWatermark: stored?.highWatermark ?? null,
      };
    }
    s.partitions[key] = record;
    readAhead.drop(key);
    active.add(key);
    return record;
  }

  const commitSoon = createPumpCommits({
    broker,
    group: () => config.group,
    load,
    persist,
    fail,
    closed: () => closed,
    fenced: () => active.clear(),
  });

  /** One step of one partition: read, deliver one batch, apply the verdict, commit. */
  async function step(key: string, until: number): Promise<void> {
    const { state: s, membership: m } = await load();
    const p = await progressFor(key);
    const topic = await topicOf(p.topic);
    const known = new Map<number, LogRecord>();
    const deadLetters: DeadLetterContext = { broker, config: () => config, counters: s.counters, now, topicOf, fail };
    if (!(await flushDeadLetters(deadLetters, p, known))) return;
    let read: ReadRecords;
    try {
      read = await readAhead.read(key, topic, p.partition, {
        from: nextReadOffset(p),
        wanted: config.batchSize + p.pending.length,
        mayWait: p.pending.length === 0,
        idleWaitMs: Math.max(0, Math.min(IDLE_WAIT_MS, until - now())),
        fillWaitMs: config.maxWaitMs,
        signal: reads.signal,
      });
    } catch (error) {
      readAhead.drop(key);
      if (isRillError(error, "OFFSET_OUT_OF_RANGE")) return skipRetention(p, topic);
      if (isRillError(error, "UNKNOWN_TOPIC_OR_PARTITION")) topics.delete(p.topic);
      throw error;
    }
    p.highWatermark = read.highWatermark;
    for (const r of read.records) known.set(r.offset, r);
    const offsets = chooseBatch(
      p,
      read.records.map((r) => r.offset),
      config.batchSize,
    );
    if (offsets.length === 0) {
      if (p.pending.length === 0 && read.nextOffset > p.scanned) {
        skipTo(p, read.nextOffset);
        await commitSoon();
      }
      return;
    }
    const release = await slots.acquire();
    let outcome: DeliveryOutcome;
    try {
      if (stopped || !m.assigned.has(key)) return;
      const deliveryId = crypto.randomUUID();
      const attempts = beginDelivery(p, offsets, deliveryId, now());
      // counted as sent before sending (and saved with the batch), so a crash mid-delivery cannot
      // hide a delivery the target saw; one that did not reach it is taken back below
      const again = offsets.filter((o) => (attempts[o] ?? 1) > 1).length;
      s.counters.delivered += offsets.length;
      s.counters.redelivered += again;
      await persist();
      const delivery = buildDelivery(
        config,
        p,
        topic.topicId,
        offsets.map((o) => known.get(o) as LogRecord),
        attempts,
        deliveryId,
      );
      const sent = ports.deliver(delivery, config);
      deliveries.add(sent);
      outcome = await sent.finally(() => deliveries.delete(sent));
      if (outcome.kind !== "unreachable") s.counters.deliveries += 1;
      else {
        s.counters.delivered -= offsets.length;
        s.counters.redelivered -= again;
      }
    } finally {
      release();
    }
    const tally = completeDelivery(p, outcome, config, now(), random);
    s.counters.acked += tally.acked;
    s.counters.retried += tally.retried;
    if (outcome.kind === "unreachable") {
      s.counters.unreachable += 1;
      s.unreachableSince ??= now();
    } else s.unreachableSince = null;
    if (outcome.error !== undefined) {
      const what = outcome.kind === "unreachable" ? "target unreachable" : "delivery failed";
      s.lastError = { at: now(), message: `${what}: ${outcome.error}`, topic: p.topic, partition: p.partition };
    }
    if (tally.exhausted > 0) await flushDeadLetters(deadLetters, p, known);
    // the partition goes on at once: the save is chained before the next delivery's, and commits
    // are merged and only move forward (run() waits for both before it returns)
    void persist();
    void commitSoon();
  }

  /** Retention removed records before they were delivered: go on from the log start, and count them. */
  async function skipRetention(p: PartitionRecord, topic: TopicMetadata): Promise<void> {
    const start = await logStartOf(broker, topic, p.partition);
    if (start === null) return;
    const s = (await load()).state;
    const from = nextReadOffset(p);
    if (start > from) s.counters.skippedByRetention += start - from;
    const fresh = resumeDeliveryProgress(undefined, p.topic, p.partition, Math.max(start, 0));
    Object.assign(p, fresh);
    fail(new Error(`records ${from}..${start - 1} were removed by retention before delivery`), { topic: p.topic, partition: p.partition });
    await commitSoon();
  }

  function startTasks(until: number): void {
    const m = membership;
    if (!m || stopped || now() >= until) return;
    const t = now();
    for (const key of m.assigned) {
      if (tasks.has(key) || (backoff.get(key) ?? 0) > t) continue;
      const p = state?.partitions[key];
      if (p && active.has(key) && p.notBefore > t) continue;
      const task = step(key, until)
        .then(() => void backoff.delete(key))
        .catch((error) => {
          fail(error, split(key));
          backoff.set(key, now() + Math.max(1000, Math.min(config.retryDelayMs, 10_000)));
        })
        .finally(() => {
          tasks.delete(key);
          wake();
        });
      tasks.set(key, task);
    }
  }

  /** Revoked partitions are released once their last batch is done and its offset committed. */
  async function releaseRevoked(): Promise<void> {
    const m = membership;
    if (!m || m.revoking.size === 0) return;
    await commitSoon();
    for (const key of [...m.revoking]) {
      if (tasks.has(key)) continue;
      const p = state?.partitions[key];
      if (p && p.position !== p.committed && m.joined) continue;
      active.delete(key);
      m.release(key);
    }
  }

  function nextWake(until: number): number {
    const m = membership;
    let at = m?.nextHeartbeatAt ?? now();
    for (const key of m?.assigned ?? []) {
      if (tasks.has(key)) continue;
      const p = state?.partitions[key];
      at = Math.min(at, Math.max(backoff.get(key) ?? 0, p && active.has(key) ? p.notBefore : 0));
    }
    return Math.min(at, until);
  }

  async function sleepUntil(at: number): Promise<void> {
    const ms = at - now();
    if (ms <= 0) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      (timer as { unref?: () => void }).unref?.();
      function done() {
        clearTimeout(timer);
        wake = () => undefined;
        resolve();
      }
      wake = done;
    });
  }

  return {
    async run(until) {
      if (closed) return null;
      stopped = false;
      if (reads.signal.aborted) reads = new AbortController();
      const { state: s, membership: m } = await load();
      if (config.paused) {
        if (m.joined) await m.leave(config.group);
        active.clear();
        await persist();
        return null;
      }
      while (!stopped) {
        if (now() >= m.nextHeartbeatAt) {
          try {
            await m.heartbeat(config);
            if (s.lastError?.message.startsWith("heartbeat")) s.lastError = null;
          } catch (error) {
            const e = toRillError(error);
            s.lastError = { at: now(), message: `heartbeat: ${e.code}: ${e.message}` };
          }
          for (const key of active) if (!m.assigned.has(key) && !m.revoking.has(key)) active.delete(key);
        }
        await releaseRevoked();
        // past the deadline nothing new starts, but heartbeats go on while deliveries finish
        const open = now() < until;
        if (open) startTasks(until);
        else if (tasks.size === 0) break;
        await sleepUntil(open ? nextWake(until) : m.nextHeartbeatAt);
      }
      // stopping waits for deliveries only: a read still held ends on its own and then delivers nothing
      await Promise.all(stopped ? deliveries : tasks.values());
      await commitSoon();
      // paused: give the partitions back to the group (a stop for shutdown keeps them, to resume in place)
      if (config.paused) {
        await m.leave(config.group);
        active.clear();
      }
      await persist();
      if (stopped || config.paused) return null;
      return Math.max(now(), nextWake(Number.POSITIVE_INFINITY));
    },

    configure(next) {
      const topicsChanged = JSON.stringify([next.topics, next.pattern]) !== JSON.stringify([config.topics, config.pattern]);
      config = next;
      if (topicsChanged && membership) membership.nextHeartbeatAt = 0;
      if (next.paused) {
        stopped = true;
        reads.abort();
      }
      wake();
    },

    stop() {
      stopped = true;
      reads.abort();
      wake();
    },

    async shutdown() {
      const { membership: m } = await load();
      stopped = true;
      reads.abort();
      wake();
      await Promise.all(deliveries);
      await commitSoon();
      await m.leave(config.group);
      active.clear();
      closed = true;
    },

    async status() {
      const { state: s, membership: m } = await load();
      return describePump(s, m, config.paused);
    },
  };
}
