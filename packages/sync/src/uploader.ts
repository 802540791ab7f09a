// Upload of one outbox partition to its edge partition, exactly once.
//
// Each stored local batch becomes exactly one edge batch: the same bytes under this partition's
// producer identity, with sequence (localBaseOffset - epochBase) mod 2^31. Boundaries and sequences
// depend only on the local log and the persisted identity, so whoever sends after whatever crash
// sends byte-identical requests, and the edge's idempotence check absorbs the repeats. Up to 5
// batches are in flight (what the edge remembers per producer); answers are taken in local offset
// order, and anything unexpected at the head drains the window and resends from the head.

import { isRillError, RillError, restampProducer, type Storage, type StoredBatch, type TopicMetadata } from "@rill/core";
import type { LocalBroker, PartitionRef } from "@rill/server";
import type { Edge, EdgeProduceAnswer } from "./edge.ts";
import { backoffMs, type Nudge, pause } from "./sleep.ts";
import type { StatusHub } from "./status-hub.ts";
import type { UploadState } from "./types.ts";
import { createUploadIdentity, type UploadIdentity } from "./upload-identity.ts";
import type { UploadStore } from "./upload-store.ts";

const MAX_IN_FLIGHT = 5;
const READ_BYTES = 1024 * 1024;
const SEQUENCE_SPACE = 2 ** 31;
const CURSOR_WRITE_MS = 250;
const REMEMBERED_BATCHES = 10_000;

type Outcome = { answer: EdgeProduceAnswer } | { error: unknown };

interface InFlight {
  batch: StoredBatch;
  bytes: Uint8Array;
  /** An earlier batch was still unanswered when this one left: its refusal may be a reordering. */
  earlierPending: boolean;
  outcome: Promise<Outcome>;
}

export interface UploaderOptions {
  broker: LocalBroker;
  /** The broker's storage, scanned for the outbox's size and age. */
  storage: Storage;
  edge: Edge;
  store: UploadStore;
  hub: StatusHub;
  local: string;
  edgeTopic: string;
  partition: number;
  transactionalId: string;
  signal: AbortSignal;
  nudge: Nudge;
  now: () => number;
  pollWaitMs: number;
  maxBackoffMs: number;
  warn: (message: string) => void;
  /** Resolves true once the edge topic was checked against the outbox (false: stopped first). */
  edgeChecked: Promise<boolean>;
}

export interface Uploader {
  run(): Promise<void>;
  /** Next local offset to upload (everything below is on the edge). */
  acked(): number;
  /** The local log end as last seen. */
  localEnd(): number;
  fenced(): boolean;
  /** The edge offset of an uploaded local offset, -1 when not known (answered as an old duplicate, or before this start). */
  edgeOffsetOf(localOffset: number): number;
  /** Resolves once `localOffset` is uploaded; rejects when fenced or stopped. */
  waitUploaded(localOffset: number, signal?: AbortSignal): Promise<void>;
  /** Writes the cursor now. */
  flush(): Promise<void>;
  /** The retention floor: nothing at or above it may be deleted locally. */
  floor(): number;
}

export function createUploader(o: UploaderOptions): Uploader {
  const where = { topic: o.local, partition: o.partition };
  const identity: UploadIdentity = createUploadIdentity(o);
  let ref: PartitionRef | undefined;
  let acked = 0;
  let lastEdgeOffset = -1;
  let nextToSend = 0;
  let localEnd = 0;
  let lastAckAt: number | null = null;
  let state: UploadState = "idle";
  let isFenced = false;
  let started = false;
  let buffer: StoredBatch[] = [];
  let inFlight: InFlight[] = [];
  let failures = 0;
  let dirty = false;
  let flushTimer: ReturnType<typeof setTimeout> | undefined;
  let flushing: Promise<void> = Promise.resolve();
  const edgeOffsets: Array<{ base: number; last: number; edgeBase: number }> = [];
  const waiters = new Set<{ offset: number; resolve: () => void; reject: (e: unknown) => void }>();
  let viewAt = 0;
  let view = { outboxBytes: 0, oldestUnsyncedAt: null as number | null };

  function publish(): void {
    o.hub.setUpload(`${o.local}/${o.partition}`, {
      topic: o.local,
      edgeTopic: o.edgeTopic,
      partition: o.partition,
      localEnd,
      acked,
      inFlight: inFlight.length,
      state,
      lastEdgeOffset,
      producerId: identity.doc()?.producerId ?? null,
      producerEpoch: identity.doc()?.producerEpoch ?? null,
      outboxBytes: acked >= localEnd ? 0 : view.outboxBytes,
      oldestUnsyncedAt: acked >= localEnd ? null : view.oldestUnsyncedAt,
      lastAckAt,
    });
  }

  /** Outbox bytes and age, from batch metadata (a storage scan, so at most once a second). */
  async function refreshView(topic: TopicMetadata): Promise<void> {
    if (o.now() - viewAt < 1000) return;
    viewAt = o.now();
    const leader = topic.partitions[o.partition]?.leader ?? 0;
    const name = leader === 0 ? `${topic.topicId}/${o.partition}` : `${topic.topicId}/${o.partition}#${leader}`;
    const metas = await o.storage.scan(name, acked, 10_000);
    view = {
      outboxBytes: metas.reduce((n, m) => n + (m.lastOffset >= acked ? m.sizeInBytes : 0), 0),
      oldestUnsyncedAt: metas[0]?.timeIndex ?? null,
    };
  }

  function setState(next: UploadState): void {
    if (state !== next) {
      state = next;
      publish();
    }
  }

  function scheduleFlush(): void {
    dirty = true;
    flushTimer ??= setTimeout(() => {
      flushTimer = undefined;
      flush().catch((e) => o.hub.error(toError(e), where));
    }, CURSOR_WRITE_MS);
  }

  function flush(): Promise<void> {
    flushing = flushing.then(async () => {
      if (!dirty || !identity.doc()) return;
      dirty = false;
      await identity.advance(acked, lastEdgeOffset);
    });
    return flushing;
  }

  function settleWaiters(): void {
    for (const w of waiters) {
      if (acked > w.offset) {
        waiters.delete(w);
        w.resolve();
      } else if (isFenced || o.signal.aborted) {
        waiters.delete(w);
        w.reject(isFenced ? fencedError() : new RillError("REQUEST_TIMED_OUT", "the sync engine stopped"));
      }
    }
  }

  function fencedError(): RillError {
    return new RillError("PRODUCER_FENCED", `uploads of ${o.local}/${o.partition} are fenced: another device holds ${o.transactionalId}`);
  }

  function acknowledge(head: InFlight, edgeBase: number, edgeLast: number): void {
    acked = head.batch.lastOffset + 1;
    if (edgeLast >= 0) lastEdgeOffset = edgeLast;
    lastAckAt = o.now();
    edgeOffsets.push({ base: head.batch.baseOffset, last: head.batch.lastOffset, edgeBase });
    if (edgeOffsets.length > REMEMBERED_BATCHES) edgeOffsets.splice(0, edgeOffsets.length - REMEMBERED_BATCHES);
    o.hub.counters.batchesAcked++;
    failures = 0;
    scheduleFlush();
    settleWaiters();
    publish();
  }

  function partitionRef(): PartitionRef {
    if (!ref) throw new RillError("INVALID_REQUEST", "uploader used before start");
    return ref;
  }

  function readLocal(offset: number, maxWaitMs: number) {
    return o.broker.fetch(partitionRef(), { offset, maxBytes: READ_BYTES, minBytes: 1, maxWaitMs });
  }

  /** The next local batch to send, if the local log has one. */
  async function nextLocalBatch(): Promise<StoredBatch | undefined> {
    if (buffer.length === 0) {
      const read = await readLocal(nextToSend, 0);
      localEnd = Math.max(localEnd, read.highWatermark);
      buffer = read.batches.filter((b) => b.lastOffset >= nextToSend);
    }
    const batch = buffer[0];
    if (batch && batch.baseOffset !== nextToSend) {
      // the cursor is always at a batch boundary of the local log; if not, the log was rewritten
      throw new RillError("CORRUPT_MESSAGE", `outbox ${o.local}/${o.partition} has no batch starting at ${nextToSend}`);
    }
    if (batch) buffer.shift();
    return batch;
  }

  /** Nothing to send: long-polls the local log until it grows, a nudge, or a stop. */
  async function waitForLocal(): Promise<void> {
    const from = nextToSend;
    const polling = readLocal(from, o.pollWaitMs);
    polling.catch(() => undefined);
    let onStop = () => {};
    const stopped = new Promise<null>((resolve) => {
      onStop = () => resolve(null);
      if (o.signal.aborted) resolve(null);
      o.signal.addEventListener("abort", onStop, { once: true });
    });
    const read = await Promise.race([polling, o.nudge.next().then(() => null), stopped]).finally(() =>
      o.signal.removeEventListener("abort", onStop),
    );
    // an abandoned poll changes nothing: the loop may have moved on meanwhile
    if (!read) return;
    localEnd = Math.max(localEnd, read.highWatermark);
    if (nextToSend === from && buffer.length === 0) buffer = read.batches.filter((b) => b.lastOffset >= from);
  }

  function send(batch: StoredBatch): void {
    const doc = identity.doc();
    if (!doc) throw new RillError("INVALID_REQUEST", "no producer identity");
    const sequence = (((batch.baseOffset - doc.epochBase) % SEQUENCE_SPACE) + SEQUENCE_SPACE) % SEQUENCE_SPACE;
    const bytes = restampProducer(batch.bytes, { producerId: doc.producerId, producerEpoch: doc.producerEpoch, baseSequence: sequence });
    const outcome = o.edge.produceBatch(o.edgeTopic, o.partition, bytes, o.signal).then(
      (answer): Outcome => ({ answer }),
      (error): Outcome => ({ error }),
    );
    inFlight.push({ batch, bytes, earlierPending: inFlight.length > 0, outcome });
    nextToSend = batch.lastOffset + 1;
    o.hub.counters.batchesSent++;
  }

  /** Lets every request in flight finish, then restarts sending at `from`. */
  async function drainAndRestart(from: number): Promise<void> {
    await Promise.all(inFlight.map((f) => f.outcome));
    inFlight = [];
    buffer = [];
    nextToSend = from;
    publish();
  }

  async function backoff(blocked = false): Promise<void> {
    setState(blocked ? "blocked" : "backoff");
    await pause(backoffMs(failures++, blocked ? o.maxBackoffMs * 3 : o.maxBackoffMs), o.signal, o.nudge);
  }

  async function handle(head: InFlight, outcome: Outcome): Promise<void> {
    if ("answer" in outcome) {
      o.hub.contact();
      const result = outcome.answer.batches[0];
      if (!result) throw new RillError("UNKNOWN_SERVER_ERROR", "the edge answered a produce without a batch");
      inFlight.shift();
      if (result.duplicate) {
        o.hub.counters.duplicatesAbsorbed++;
        if ((await identity.checkClone(head.bytes, result.baseOffset)) === "different") return fence("cloned");
      }
      acknowledge(head, result.baseOffset, result.lastOffset);
      return;
    }
    const error = outcome.error;
    if (o.signal.aborted) return;
    if (isRillError(error, "DUPLICATE_SEQUENCE_NUMBER")) {
      // older than the edge's memory of this producer, which refuses gaps: it is stored
      o.hub.contact();
      o.hub.counters.duplicateSequences++;
      inFlight.shift();
      acknowledge(head, -1, -1);
      return;
    }
    const reordered =
      head.earlierPending && (isRillError(error, "OUT_OF_ORDER_SEQUENCE_NUMBER") || isRillError(error, "UNKNOWN_PRODUCER_ID"));
    if (reordered || (isRillError(error) && error.retriable) || !isRillError(error)) {
      o.hub.failure(error, where);
      o.hub.counters.retries++;
      await drainAndRestart(head.batch.baseOffset);
      await backoff();
      return;
    }
    o.hub.contact();
    if (isRillError(error, "OUT_OF_ORDER_SEQUENCE_NUMBER")) {
      const doc = identity.doc();
      const expected = error.details?.expectedSequence;
      if (doc && typeof expected === "number" && doc.epochBase + expected < head.batch.baseOffset) {
        const to = doc.epochBase + expected;
        o.warn(`rill sync: the edge lost acknowledged records of ${o.edgeTopic}/${o.partition}; re-sending from local offset ${to}`);
        o.hub.error(error, where);
        o.hub.counters.rewinds++;
        await drainAndRestart(to);
        acked = Math.min(acked, to);
        await identity.rewind(to);
        publish();
        return;
      }
    }
    if (isRillError(error, "UNKNOWN_PRODUCER_ID")) {
      o.hub.error(error, where);
      await drainAndRestart(head.batch.baseOffset);
      const result = await identity.recover({ cursor: acked, lastEdgeOffset, scan: true });
      adopt(result.acked, result.lastEdgeOffset);
      return;
    }
    if (isRillError(error, "PRODUCER_FENCED") || isRillError(error, "INVALID_PRODUCER_EPOCH")) {
      await drainAndRestart(head.batch.baseOffset);
      const newer = await identity.reloadNewer();
      if (newer) {
        adopt(Math.max(acked, newer.acked), Math.max(lastEdgeOffset, newer.lastEdgeOffset));
        return;
      }
      return fence("fenced", error);
    }
    // not retriable as such (too large, unknown topic, refused auth): the partition waits, and
    // tries again later in case the edge or the app changes
    o.hub.error(error, where);
    await drainAndRestart(head.batch.baseOffset);
    await backoff(true);
  }

  function adopt(cursor: number, edgeOffset: number): void {
    acked = cursor;
    lastEdgeOffset = edgeOffset;
    nextToSend = cursor;
    buffer = [];
    settleWaiters();
    publish();
  }

  async function fence(why: "fenced" | "cloned", error?: unknown): Promise<void> {
    isFenced = true;
    const message =
      why === "cloned"
        ? `the edge holds other records under this device's producer identity for ${o.edgeTopic}/${o.partition} (cloned storage?)`
        : `another producer took ${o.transactionalId}`;
    o.hub.error(
      new RillError("PRODUCER_FENCED", message, { cause: why, detail: String((error as Error | undefined)?.message ?? "") }),
      where,
    );
    o.warn(`rill sync: ${message}; uploads of ${o.local}/${o.partition} stopped`);
    await drainAndRestart(acked);
    setState("fenced");
    settleWaiters();
  }

  /** What can be known without the edge, so an offline start still shows its outbox. */
  async function showLocal(): Promise<void> {
    try {
      const topic = await o.broker.topic(o.local);
      ref = { topic, partition: o.partition };
      localEnd = (await o.broker.partitionState(ref)).highWatermark;
      const doc = await o.store.load();
      acked = doc && doc.localTopicId === topic.topicId ? doc.acked : (await o.broker.partitionState(ref)).logStartOffset;
      await refreshView(topic);
      publish();
    } catch {
      // shown once the loop starts
    }
  }

  /** Until the edge is checked (offline, perhaps for long), keeps the outbox view current. */
  async function watchLocalUntilChecked(): Promise<boolean> {
    let checked: boolean | undefined;
    o.edgeChecked.then((ok) => {
      checked = ok;
    });
    while (checked === undefined && !o.signal.aborted) {
      const growing = ref
        ? readLocal(localEnd, o.pollWaitMs).then((read) => {
            localEnd = Math.max(localEnd, read.highWatermark);
          })
        : showLocal().then(() => pause(1000, o.signal));
      growing.catch(() => undefined);
      await Promise.race([o.edgeChecked, growing.catch(() => pause(1000, o.signal))]);
      if (ref) await refreshView(ref.topic).catch(() => undefined);
      publish();
    }
    return o.edgeChecked;
  }

  async function start(): Promise<void> {
    for (;;) {
      try {
        const topic = await o.broker.topic(o.local);
        ref = { topic, partition: o.partition };
        const localState = await o.broker.partitionState(ref);
        const doc = await identity.ensure(topic.topicId, localState.logStartOffset);
        adopt(doc.acked, doc.lastEdgeOffset);
        localEnd = localState.highWatermark;
        return;
      } catch (error) {
        if (o.signal.aborted) return;
        o.hub.failure(error, where);
        await backoff(isRillError(error) && !error.retriable);
      }
    }
  }

  async function step(): Promise<void> {
    while (inFlight.length < MAX_IN_FLIGHT) {
      const batch = await nextLocalBatch();
      if (!batch) break;
      send(batch);
    }
    const head = inFlight[0];
    if (!head) {
      setState("idle");
      publish();
      await waitForLocal();
      if (ref) await refreshView(ref.topic).catch(() => undefined);
      return;
    }
    setState("sending");
    await handle(head, await head.outcome);
    if (ref && inFlight.length === 0) await refreshView(ref.topic).catch(() => undefined);
  }

  return {
    async run() {
      await showLocal();
      if (!(await watchLocalUntilChecked())) return;
      started = true;
      await start();
      while (!o.signal.aborted && !isFenced) {
        try {
          await step();
        } catch (error) {
          if (o.signal.aborted) break;
          if (isRillError(error, "OFFSET_OUT_OF_RANGE")) {
            // the outbox lost records before they were uploaded (no retention floor was set): say
            // so, and go on from what is left under a new epoch, whose sequences start at 0 there
            o.hub.error(
              new RillError("OFFSET_OUT_OF_RANGE", `outbox ${o.local}/${o.partition} deleted records before they were uploaded`),
              where,
            );
            await drainAndRestart(acked);
            const start = (await o.broker.partitionState(partitionRef())).logStartOffset;
            const result = await identity.reinitAt(Math.max(start, acked), lastEdgeOffset);
            adopt(result.acked, result.lastEdgeOffset);
            continue;
          }
          o.hub.error(toError(error), where);
          await drainAndRestart(acked).catch(() => undefined);
          await backoff(true);
        }
      }
      if (flushTimer !== undefined) clearTimeout(flushTimer);
      flushTimer = undefined;
      await flush().catch(() => undefined);
      settleWaiters();
      if (!isFenced) setState("idle");
    },
    acked: () => acked,
    localEnd: () => localEnd,
    fenced: () => isFenced,
    edgeOffsetOf(localOffset) {
      for (let i = edgeOffsets.length - 1; i >= 0; i--) {
        const e = edgeOffsets[i] as (typeof edgeOffsets)[number];
        if (localOffset >= e.base && localOffset <= e.last) return e.edgeBase < 0 ? -1 : e.edgeBase + (localOffset - e.base);
        if (e.last < localOffset) break;
      }
      return -1;
    },
    waitUploaded(localOffset, signal) {
      if (acked > localOffset) return Promise.resolve();
      if (isFenced) return Promise.reject(fencedError());
      return new Promise<void>((resolve, reject) => {
        const waiter = { offset: localOffset, resolve, reject };
        waiters.add(waiter);
        signal?.addEventListener(
          "abort",
          () => {
            waiters.delete(waiter);
            reject(signal.reason);
          },
          { once: true },
        );
      });
    },
    flush,
    floor: () => (started ? acked : (identity.doc()?.acked ?? 0)),
  };
}

function toError(error: unknown): RillError {
  return isRillError(error) ? error : new RillError("UNKNOWN_SERVER_ERROR", error instanceof Error ? error.message : String(error));
}
