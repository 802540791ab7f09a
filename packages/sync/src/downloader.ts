// Download of one edge partition into its local read-only replica. The replica stores the edge's
// batches byte for byte at the edge's offsets (the mirrored append), so the replica's log end IS
// the checkpoint, committed in the same storage call as the data: a crash anywhere resumes from
// the end, with no cursor to drift, no duplicate and no gap. Only batches wholly below the edge
// high watermark are stored, so nothing stored is ever truncated later.

import { isRillError, lastOffsetOf, RillError, splitBatches } from "@rill/core";
import type { EdgeFetchAnswer } from "./edge.ts";
import type { LoopContext } from "./loop-context.ts";
import { backoffMs, pause } from "./sleep.ts";
import type { ReplicaGap } from "./types.ts";

const FETCH_BYTES = 1024 * 1024;

export interface DownloaderOptions extends LoopContext {
  edgeTopic: string;
  local: string;
  partition: number;
  /** Checks the edge topic's id; resolves true when it changed (the engine then resets every partition). */
  topicChanged: () => Promise<boolean>;
}

export interface Downloader {
  run(): Promise<void>;
  replicaEnd(): number;
  /** The edge high watermark of the newest answer, and when its request left. */
  seen(): { highWatermark: number | null; requestedAt: number };
  /** Ends a held long-poll so the next fetch sees the edge's high watermark now. */
  poke(): void;
  /**
   * Jumps the replica to `offset` between two fetches (an answer already under way is dropped):
   * the edge topic was re-created. Resolves once done.
   */
  requestReset(offset: number, reason: ReplicaGap["reason"]): Promise<void>;
}

export function createDownloader(o: DownloaderOptions): Downloader {
  const where = { topic: o.local, partition: o.partition };
  let replicaEnd = 0;
  let highWatermark: number | null = null;
  let requestedAt = 0;
  let lastFetchAt: number | null = null;
  let failures = 0;
  let held: AbortController | undefined;
  let pending: { offset: number; reason: ReplicaGap["reason"]; done: () => void; failed: (e: unknown) => void } | undefined;

  function publish(): void {
    o.hub.setDownload(`${o.local}/${o.partition}`, {
      topic: o.local,
      edgeTopic: o.edgeTopic,
      partition: o.partition,
      replicaEnd,
      edgeHighWatermark: highWatermark,
      lag: highWatermark === null ? null : Math.max(0, highWatermark - replicaEnd),
      lastFetchAt,
    });
  }

  async function readEnd(): Promise<number> {
    const topic = await o.broker.topic(o.local);
    return (await o.broker.partitionState({ topic, partition: o.partition })).logEndOffset;
  }

  async function reset(offset: number, reason: ReplicaGap["reason"]): Promise<void> {
    const from = await readEnd();
    await o.broker.resetMirror(o.local, o.partition, offset);
    replicaEnd = offset;
    o.hub.counters.replicaResets++;
    o.hub.gap({ topic: o.local, partition: o.partition, from, to: offset, reason, at: o.now() });
    o.warn(`rill sync: replica ${o.local}/${o.partition} jumped from ${from} to ${offset} (${reason})`);
    publish();
  }

  /** Stores what one answer brought: whole batches below the high watermark, at their offsets. */
  async function store(answer: EdgeFetchAnswer, offset: number): Promise<void> {
    const parts = answer.bytes.length ? splitBatches(answer.bytes) : [];
    const below = parts.filter((p) => lastOffsetOf(p.header) < answer.highWatermark);
    const first = below[0];
    if (first && first.header.baseOffset < offset) {
      // the edge's log start lies inside a batch: an empty replica starts at that batch instead
      if (replicaEnd === (await logStartOf())) {
        await o.broker.resetMirror(o.local, o.partition, first.header.baseOffset);
        replicaEnd = first.header.baseOffset;
      } else {
        below.shift();
      }
    }
    const kept = below.filter((p) => p.header.baseOffset >= replicaEnd);
    const lastKept = kept[kept.length - 1];
    // every batch kept: the edge's next offset (past compaction holes) is the new end
    const endOffset =
      kept.length === parts.length
        ? Math.min(answer.nextOffset, answer.highWatermark)
        : lastKept
          ? lastOffsetOf(lastKept.header) + 1
          : replicaEnd;
    if (kept.length === 0 && endOffset <= replicaEnd) return;
    let total = 0;
    for (const p of kept) total += p.bytes.length;
    const bytes = new Uint8Array(total);
    let at = 0;
    for (const p of kept) {
      bytes.set(p.bytes, at);
      at += p.bytes.length;
    }
    await o.broker.appendMirrored(o.local, o.partition, bytes, { endOffset: Math.max(endOffset, replicaEnd) });
    replicaEnd = Math.max(endOffset, lastKept ? lastOffsetOf(lastKept.header) + 1 : replicaEnd);
    o.hub.counters.batchesDownloaded += kept.length;
  }

  async function logStartOf(): Promise<number> {
    const topic = await o.broker.topic(o.local);
    return (await o.broker.partitionState({ topic, partition: o.partition })).logStartOffset;
  }

  async function outOfRange(error: RillError): Promise<void> {
    if (await o.topicChanged()) return; // the engine resets every partition of the replica
    const logStart = Number(error.details?.logStartOffset);
    const edgeEnd = Number(error.details?.logEndOffset ?? error.details?.highWatermark);
    if (Number.isSafeInteger(logStart) && replicaEnd < logStart) return reset(logStart, "retention");
    if (Number.isSafeInteger(edgeEnd) && replicaEnd > edgeEnd) {
      // the edge has less than we copied (it lost its tail): start over from its log start
      return reset(Number.isSafeInteger(logStart) ? logStart : 0, "edge-truncated");
    }
    throw error;
  }

  /** Handles what a download can recover from by itself: null when it did, else the error to report. */
  async function recover(error: unknown): Promise<unknown> {
    try {
      if (isRillError(error, "OFFSET_OUT_OF_RANGE")) {
        await outOfRange(error);
        return null;
      }
      if (isRillError(error, "CONCURRENT_APPEND")) {
        replicaEnd = await readEnd(); // the replica moved under this loop (a reset): follow it
        return null;
      }
      return error;
    } catch (inner) {
      return inner;
    }
  }

  async function step(): Promise<void> {
    const offset = replicaEnd;
    held = new AbortController();
    const onStop = () => held?.abort();
    o.signal.addEventListener("abort", onStop, { once: true });
    const asked = o.now();
    try {
      const answer = await o.edge.fetchBatches(o.edgeTopic, o.partition, offset, {
        maxBytes: FETCH_BYTES,
        maxWaitMs: o.pollWaitMs,
        signal: held.signal,
      });
      o.hub.contact();
      failures = 0;
      if (pending) return; // a reset was asked for while this answer was on its way
      await store(answer, offset);
      highWatermark = answer.highWatermark;
      requestedAt = asked;
      lastFetchAt = o.now();
      publish();
    } finally {
      o.signal.removeEventListener("abort", onStop);
    }
  }

  return {
    async run() {
      for (;;) {
        try {
          replicaEnd = await readEnd();
          publish();
          break;
        } catch (error) {
          if (o.signal.aborted) return;
          o.hub.error(isRillError(error) ? error : new RillError("UNKNOWN_SERVER_ERROR", String(error)), where);
          await pause(backoffMs(failures++, o.maxBackoffMs), o.signal, o.nudge);
        }
      }
      while (!o.signal.aborted) {
        try {
          const asked = pending;
          if (asked) {
            await reset(asked.offset, asked.reason).then(asked.done, asked.failed);
            pending = undefined;
            continue;
          }
          await step();
        } catch (error) {
          if (o.signal.aborted) break;
          if (held?.signal.aborted) continue; // poked: ask again at once
          const failure = await recover(error);
          if (failure === null) continue;
          o.hub.failure(failure, where);
          if (isRillError(failure, "UNKNOWN_TOPIC_OR_PARTITION")) await o.topicChanged().catch(() => false);
          await pause(backoffMs(failures++, o.maxBackoffMs), o.signal, o.nudge);
        }
      }
    },
    replicaEnd: () => replicaEnd,
    seen: () => ({ highWatermark, requestedAt }),
    poke() {
      held?.abort();
    },
    requestReset(offset, reason) {
      return new Promise<void>((done, failed) => {
        pending = { offset, reason, done, failed };
        held?.abort();
      });
    },
  };
}
