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
  finishDeadLetters,
  isRillError,
  type LogRecord,
  nextReadOffset,
  resumeDeliveryProgress,
  skipTo,
  type TopicMetadata,
  toRillError,
} from "@rill/core";
import { DELIVERY_VERSION, type RillDelivery } from "@rill/worker";
import type { Broker } from "../broker.ts";
import { toJsonRecord } from "../records-json.ts";
import { partitionRef } from "../routes/produce.ts";
import { appendDeadLetters } from "./dead-letter.ts";
import { createMembership } from "./membership.ts";
import { logStartOf, readRecords } from "./partition-reader.ts";
import { emptyPumpState, type PartitionRecord, type PumpState, type PumpStore, partitionStatuses } from "./pump-state.ts";
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
    buffers.delete(key);
    active.add(key);
    return record;
  }

  // commits: one request in flight; later changes wait for it and go in the next
  let committing: Promise<void> | null = null;
  let commitAgain = false;
  function commitSoon(): Promise<void> {
    if (committing) {
      commitAgain = true;
      return committing;
    }
    committing = (async () => {
      try {
        do {
          commitAgain = false;
          await commitOnce();
        } while (commitAgain);
      } finally {
        committing = null;
      }
    })();
    return committing;
  }

  async function commitOnce(): Promise<void> {
    const { state: s, membership: m } = await load();
    if (!m.joined || closed) return;
    const due = [...m.assigned, ...m.revoking]
      .map((key) => s.partitions[key])
      .filter((p): p is PartitionRecord => p !== undefined && p.position !== p.committed);
    if (due.length === 0) return;
    const offsets = due.map((p) => ({ topic: p.topic, partition: p.partition, offset: p.position }));
    try {
      await broker.commitOffsets(config.group, { memberId: s.memberId, memberEpoch: s.memberEpoch, offsets });
      for (const [i, p] of due.entries()) p.committed = offsets[i]?.offset ?? p.committed;
      await persist();
    } catch (error) {
      fail(error);
      if (
        isRillError(error, "UNKNOWN_MEMBER_ID") ||
        isRillError(error, "FENCED_MEMBER_EPOCH") ||
        isRillError(error, "STALE_MEMBER_EPOCH")
      ) {
        m.fenced();
        active.clear();
      }
    }
  }

  async function flushDeadLetters(p: PartitionRecord, known: Map<number, LogRecord>): Promise<boolean> {
    if (p.deadLetters.length === 0) return true;
    const s = (await load()).state;
    try {
      const letters = [];
      for (const d of p.deadLetters) {
        let record = known.get(d.offset);
        if (!record) {
          // the records left memory (a restart): read them again
          const read = await readRecords(broker, await topicOf(p.topic), p.partition, d.offset, {
            wanted: 1,
            idleWaitMs: 0,
            fillWaitMs: 0,
            now,
          });
          record = read.records.find((r) => r.offset === d.offset);
        }
        if (record) letters.push({ record, error: d.error, attempts: d.attempts });
      }
      const offsets = p.deadLetters.map((d) => d.offset);
      if (config.deadLetterTopic !== null) {
        await appendDeadLetters(
          broker,
          config.deadLetterTopic,
          { topic: p.topic, partition: p.partition, subscription: `${config.group}/${config.name}` },
          letters,
        );
        s.counters.deadLettered += letters.length;
      } else s.counters.dropped += letters.length;
      finishDeadLetters(p, offsets);
      return true;
    } catch (error) {
      fail(error, { topic: p.topic, partition: p.partition });
      p.notBefore = now() + Math.max(1000, config.retryDelayMs);
      return false;
    }
  }

  function buildDelivery(
    p: PartitionRecord,
    topic: TopicMetadata,
    records: LogRecord[],
    attempts: Record<number, number>,
    deliveryId: string,
  ): RillDelivery {
    const out = records.map((r) => ({
      ...toJsonRecord(r, config.encoding),
      id: `${topic.topicId}/${p.partition}/${r.offset}`,
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

  /**
   * Records read ahead, per partition: a fetch answers whole stored batches up to 1 MiB, usually
   * more than one delivery takes, and reading them again for every delivery would multiply reads.
   * Memory only; dropped whenever the partition is (re)taken.
   */
  const buffers = new Map<string, { records: LogRecord[]; nextOffset: number; highWatermark: number }>();

  async function readAhead(key: string, p: PartitionRecord, topic: TopicMetadata, from: number, until: number) {
    const wanted = config.batchSize + p.pending.length;
    const buffer = buffers.get(key);
    const first = buffer?.records[0]?.offset;
    let records =
      buffer && first !== undefined && first <= from && from < buffer.nextOffset ? buffer.records.filter((r) => r.offset >= from) : [];
    let read = {
      records,
      nextOffset: records.length > 0 && buffer ? buffer.nextOffset : from,
      highWatermark: buffer?.highWatermark ?? 0,
      logStartOffset: 0,
    };
    if (records.length < wanted) {
      const more = await readRecords(broker, topic, p.partition, read.nextOffset, {
        wanted: wanted - records.length,
        // what is in hand goes out now; an empty hand waits for records (a retry does not wait)
        idleWaitMs: records.length > 0 || p.pending.length > 0 ? 0 : Math.max(0, Math.min(IDLE_WAIT_MS, until - now())),
        fillWaitMs: records.length > 0 ? 0 : config.maxWaitMs,
        now,
        signal: reads.signal,
      });
      records = [...records, ...more.records];
      read = { ...more, records };
    }
    buffers.set(key, { records: read.records, nextOffset: read.nextOffset, highWatermark: read.highWatermark });
    return read;
  }

  /** One step of one partition: read, deliver one batch, apply the verdict, commit. */
  async function step(key: string, until: number): Promise<void> {
    const { state: s, membership: m } = await load();
    const p = await progressFor(key);
    const topic = await topicOf(p.topic);
    const known = new Map<number, LogRecord>();
    if (!(await flushDeadLetters(p, known))) return;
    const from = nextReadOffset(p);
    let read: Awaited<ReturnType<typeof readRecords>>;
    try {
      read = await readAhead(key, p, topic, from, until);
    } catch (error) {
      buffers.delete(key);
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
        p,
        topic,
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
    if (tally.exhausted > 0) await flushDeadLetters(p, known);
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
      // before its first heartbeat (a restarted object) it shows what it last owned
      const owned = m.joined ? new Set([...m.assigned, ...m.revoking]) : new Set(Object.keys(s.partitions));
      const partitions = partitionStatuses(s, owned);
      return {
        state: config.paused ? "paused" : m.joined ? "active" : "starting",
        memberId: s.memberId,
        memberEpoch: s.memberEpoch,
        partitions,
        lag: partitions.reduce((n, p) => n + (p.lag ?? 0), 0),
        inFlight: partitions.filter((p) => p.inFlight !== null).length,
        counters: { ...s.counters },
        lastError: s.lastError,
        unreachableSince: s.unreachableSince,
      };
    },
  };
}
