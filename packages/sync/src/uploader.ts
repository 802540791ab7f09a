// Upload of one outbox partition to its edge partition, exactly once.
//
// Each stored local batch becomes exactly one edge batch: the same bytes under this partition's
// producer identity, with sequence (localBaseOffset - epochBase) mod 2^31. Boundaries and sequences
// depend only on the local log and the persisted identity, so whoever sends after whatever crash
// sends byte-identical requests, and the edge's idempotence check absorbs the repeats. Up to 5
// batches are in flight (what the edge remembers per producer); answers are taken in local offset
// order, and anything unexpected at the head drains the window and resends from the head.

import { isRillError, RillError, restampProducer, type Storage, type StoredBatch } from "@rill/core";
import type { PartitionRef } from "@rill/server";
import type { LoopContext } from "./loop-context.ts";
import { createOutboxReader } from "./outbox-reader.ts";
import { createOutboxView } from "./outbox-view.ts";
import { backoffMs, pause } from "./sleep.ts";
import type { UploadState } from "./types.ts";
import { judgeAnswer, type Outcome } from "./upload-answers.ts";
import { createUploadIdentity, type UploadIdentity, type UploadIdentityOptions } from "./upload-identity.ts";
import { createUploadedOffsets } from "./uploaded-offsets.ts";

const MAX_IN_FLIGHT = 5;
const SEQUENCE_SPACE = 2 ** 31;
const CURSOR_WRITE_MS = 250;

interface InFlight {
  batch: StoredBatch;
  bytes: Uint8Array;
  /** An earlier batch was still unanswered when this one left: its refusal may be a reordering. */
  earlierPending: boolean;
  outcome: Promise<Outcome>;
}

export interface UploaderOptions extends LoopContext, UploadIdentityOptions {
  /** The broker's storage, scanned for the outbox's size and age. */
  storage: Storage;
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
  let lastAckAt: number | null = null;
  let state: UploadState = "idle";
  let isFenced = false;
  let started = false;
  let inFlight: InFlight[] = [];
  let failures = 0;
  let dirty = false;
  // set while the storage refuses the cursor (a full disk): retention may then go up to the
  // in-memory cursor, since freeing space is the only way the cursor gets written again
  let cursorRefused = false;
  let flushTimer: ReturnType<typeof setTimeout> | undefined;
  let flushing: Promise<void> = Promise.resolve();
  const uploaded = createUploadedOffsets();
  const view = createOutboxView({ storage: o.storage, now: o.now, partition: o.partition, acked: () => acked });
  const reader = createOutboxReader({ ...o, partitionRef });

  function publish(): void {
    o.hub.setUpload(`${o.local}/${o.partition}`, {
      topic: o.local,
      edgeTopic: o.edgeTopic,
      partition: o.partition,
      localEnd: reader.end(),
      acked,
      inFlight: inFlight.length,
      state,
      lastEdgeOffset,
      producerId: identity.doc()?.producerId ?? null,
      producerEpoch: identity.doc()?.producerEpoch ?? null,
      outboxBytes: acked >= reader.end() ? 0 : view.current().outboxBytes,
      oldestUnsyncedAt: acked >= reader.end() ? null : view.current().oldestUnsyncedAt,
      lastAckAt,
    });
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
      flush().catch(() => undefined); // reported, and retried, by flush
    }, CURSOR_WRITE_MS);
  }

  function flush(): Promise<void> {
    // each write is chained after the one before, whether that one was written or refused
    flushing = flushing
      .catch(() => undefined)
      .then(async () => {
        if (!dirty || !identity.doc()) return;
        dirty = false;
        try {
          await identity.advance(acked, lastEdgeOffset);
          cursorRefused = false;
        } catch (error) {
          cursorRefused = true;
          // a cursor the storage refused (full, say) waits in memory and is written again later,
          // even if nothing more is uploaded meanwhile
          o.hub.error(toError(error), where);
          if (!o.signal.aborted) scheduleFlush();
          throw error;
        }
      });
    return flushing;
  }

  function settleWaiters(): void {
    const stopped = () => new RillError("REQUEST_TIMED_OUT", "the sync engine stopped");
    uploaded.settle(acked, isFenced ? fencedError : o.signal.aborted ? stopped : null);
  }

  function fencedError(): RillError {
    return new RillError("PRODUCER_FENCED", `uploads of ${o.local}/${o.partition} are fenced: another device holds ${o.transactionalId}`);
  }

  function acknowledge(head: InFlight, edgeBase: number, edgeLast: number): void {
    acked = head.batch.lastOffset + 1;
    if (edgeLast >= 0) lastEdgeOffset = edgeLast;
    lastAckAt = o.now();
    uploaded.remember(head.batch.baseOffset, head.batch.lastOffset, edgeBase);
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
    o.hub.counters.batchesSent++;
  }

  /** Lets every request in flight finish, then restarts sending at `from`. */
  async function drainAndRestart(from: number): Promise<void> {
    await Promise.all(inFlight.map((f) => f.outcome));
    inFlight = [];
    reader.restartAt(from);
    publish();
  }

  async function backoff(blocked = false): Promise<void> {
    setState(blocked ? "blocked" : "backoff");
    await pause(backoffMs(failures++, blocked ? o.maxBackoffMs * 3 : o.maxBackoffMs), o.signal, o.nudge);
  }

  /** Acts on the answer to the oldest batch in flight (judged by upload-answers.ts). */
  async function handle(head: InFlight, outcome: Outcome): Promise<void> {
    if ("answer" in outcome) o.hub.contact();
    else if (o.signal.aborted) return;
    const verdict = judgeAnswer(outcome, {
      baseOffset: head.batch.baseOffset,
      earlierPending: head.earlierPending,
      epochBase: identity.doc()?.epochBase,
    });
    switch (verdict.kind) {
      case "stored":
        inFlight.shift();
        if (verdict.duplicate) {
          o.hub.counters.duplicatesAbsorbed++;
          if ((await identity.checkClone(head.bytes, verdict.edgeBase)) === "different") return fence("cloned");
        }
        return acknowledge(head, verdict.edgeBase, verdict.edgeLast);
      case "stored-before":
        o.hub.contact();
        o.hub.counters.duplicateSequences++;
        inFlight.shift();
        return acknowledge(head, -1, -1);
      case "retry":
        o.hub.failure(verdict.error, where);
        o.hub.counters.retries++;
        await drainAndRestart(head.batch.baseOffset);
        return backoff();
      case "rewind":
        o.hub.contact();
        o.warn(
          `rill sync: the edge lost acknowledged records of ${o.edgeTopic}/${o.partition}; re-sending from local offset ${verdict.to}`,
        );
        o.hub.error(verdict.error, where);
        o.hub.counters.rewinds++;
        await drainAndRestart(verdict.to);
        acked = Math.min(acked, verdict.to);
        await identity.rewind(verdict.to);
        return publish();
      case "unknown-producer": {
        o.hub.contact();
        o.hub.error(verdict.error, where);
        await drainAndRestart(head.batch.baseOffset);
        const result = await identity.recover({ cursor: acked, lastEdgeOffset, scan: true });
        return adopt(result.acked, result.lastEdgeOffset);
      }
      case "fenced": {
        o.hub.contact();
        await drainAndRestart(head.batch.baseOffset);
        const newer = await identity.reloadNewer();
        if (newer) return adopt(Math.max(acked, newer.acked), Math.max(lastEdgeOffset, newer.lastEdgeOffset));
        return fence("fenced", verdict.error);
      }
      case "refused":
        o.hub.contact();
        o.hub.error(verdict.error, where);
        await drainAndRestart(head.batch.baseOffset);
        return backoff(true);
    }
  }

  function adopt(cursor: number, edgeOffset: number): void {
    acked = cursor;
    lastEdgeOffset = edgeOffset;
    reader.restartAt(cursor);
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
      reader.setEnd((await o.broker.partitionState(ref)).highWatermark);
      const doc = await o.store.load();
      acked = doc && doc.localTopicId === topic.topicId ? doc.acked : (await o.broker.partitionState(ref)).logStartOffset;
      await view.refresh(topic);
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
      const growing = ref ? reader.watchEnd() : showLocal().then(() => pause(1000, o.signal));
      growing.catch(() => undefined);
      await Promise.race([o.edgeChecked, growing.catch(() => pause(1000, o.signal))]);
      if (ref) await view.refresh(ref.topic).catch(() => undefined);
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
        reader.setEnd(localState.highWatermark);
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
      const batch = await reader.next();
      if (!batch) break;
      send(batch);
    }
    const head = inFlight[0];
    if (!head) {
      setState("idle");
      publish();
      await reader.waitForMore();
      if (ref) await view.refresh(ref.topic).catch(() => undefined);
      return;
    }
    setState("sending");
    await handle(head, await head.outcome);
    if (ref && inFlight.length === 0) await view.refresh(ref.topic).catch(() => undefined);
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
    localEnd: () => reader.end(),
    fenced: () => isFenced,
    edgeOffsetOf: (localOffset) => uploaded.edgeOffsetOf(localOffset),
    waitUploaded(localOffset, signal) {
      if (acked > localOffset) return Promise.resolve();
      if (isFenced) return Promise.reject(fencedError());
      return uploaded.wait(localOffset, signal);
    },
    flush,
    // The persisted cursor, not the one in memory: a host that crashes after retention deleted
    // uploaded records but before their cursor was written would restart below the log start and
    // upload the rest again under a new epoch. Only a refused cursor write lets retention go further.
    floor: () => {
      const persisted = identity.doc()?.acked ?? 0;
      if (!started) return persisted;
      return cursorRefused ? acked : Math.min(acked, persisted);
    },
  };
}

function toError(error: unknown): RillError {
  return isRillError(error) ? error : new RillError("UNKNOWN_SERVER_ERROR", error instanceof Error ? error.message : String(error));
}
