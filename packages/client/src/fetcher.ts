// The consumer's fetch loop: one long-poll per assigned partition (GET .../records in the binary
// batch format), running ahead of the application into a bounded prefetch buffer, so the next
// records are usually there when the handler finishes. Seeking, pausing and revoking bump a
// partition's generation: whatever was fetched or is in flight under the old one is dropped.
// Seeking and revoking also bump its epoch, which tells a handler in progress that its records
// no longer decide the position.

import { decodeBatches, type LogRecord, RillError, splitBatches } from "@rill/core";
import { BATCHES_MEDIA_TYPE, HIGH_WATERMARK_HEADER, LOG_START_OFFSET_HEADER, NEXT_OFFSET_HEADER, paths } from "@rill/protocol";
import { type TopicPartition, tpKey } from "./assignment.ts";
import { isRetriable } from "./errors.ts";
import { type OffsetResetPolicy, resolveOffset, type SeekTarget } from "./offsets.ts";
import { backoff, type ResolvedRetry, sleep } from "./retry.ts";
import { createNotifier } from "./signals.ts";
import type { Transport } from "./transport.ts";

export interface FetcherOptions {
  transport: Transport;
  retry: ResolvedRetry;
  minBytes: number;
  maxWaitMs: number;
  maxPartitionBytes: number;
  maxPrefetchBytes: number;
  requestTimeoutMs: number | undefined;
  autoOffsetReset: OffsetResetPolicy;
  startingOffset?(tp: TopicPartition, signal?: AbortSignal): Promise<number | undefined>;
  warn(message: string): void;
}

export interface PartitionState {
  readonly tp: TopicPartition;
  /** Next offset to hand to the application. */
  position: number | undefined;
  /** Next offset to fetch (ahead of position by what is prefetched). */
  fetchOffset: number | undefined;
  seekTo: SeekTarget | undefined;
  paused: boolean;
  /** Bumped whenever fetched data must be dropped (seek, pause, revoke, a new run). */
  generation: number;
  /** Bumped when the position moves under the handler (seek, revoke, offset reset). */
  epoch: number;
  /**
   * Being revoked: no new records go to a handler, but the one at work finishes and its position
   * still counts (so it can be committed before the partition moves on).
   */
  revoked: boolean;
  highWatermark: number;
  logStartOffset: number;
  inflight: AbortController | undefined;
  /** The run whose fetch loop serves this partition. */
  loop: AbortSignal | undefined;
}

export interface FetchedChunk {
  state: PartitionState;
  generation: number;
  epoch: number;
  records: LogRecord[];
  highWatermark: number;
  nextOffset: number;
  bytes: number;
}

export interface Fetcher {
  add(tp: TopicPartition): void;
  remove(tp: TopicPartition): void;
  get(tp: TopicPartition): PartitionState | undefined;
  all(): PartitionState[];
  seek(state: PartitionState, target: SeekTarget): void;
  setPaused(state: PartitionState, paused: boolean): void;
  start(): void;
  stop(): void;
  /** Stops fetching; next() rejects with the error. */
  fail(error: unknown): void;
  /** The next prefetched chunk; undefined once stopped; rejects with the error that stopped fetching. */
  next(): Promise<FetchedChunk | undefined>;
}

export function createFetcher(options: FetcherOptions): Fetcher {
  const { transport } = options;
  const states = new Map<string, PartitionState>();
  let chunks: FetchedChunk[] = [];
  let bufferedBytes = 0;
  let running = false;
  let failure: unknown;
  let stopper = new AbortController();
  /**
   * Every partition's in-flight fetch (or retry wait), aborted by stopAll(). Kept here rather than
   * as one abort listener per partition on `stopper`: a consumer of 64 partitions would otherwise
   * hang 64 listeners on one signal (and Node warns past 10).
   */
  const active = new Set<AbortController>();
  const wake = createNotifier(); // fetch loops: paused, buffer full, nothing to do
  const ready = createNotifier(); // the reader: a chunk arrived, or fetching stopped

  function drop(state: PartitionState): void {
    chunks = chunks.filter((c) => {
      if (c.state !== state) return true;
      bufferedBytes -= c.bytes;
      return false;
    });
  }

  /** Starts the partition over from `position`: nothing fetched or in flight under the old generation survives. */
  function restart(state: PartitionState, position: number | undefined, moved: boolean): void {
    state.generation++;
    if (moved) state.epoch++;
    state.inflight?.abort();
    state.inflight = undefined;
    drop(state);
    state.position = position;
    state.fetchOffset = position;
    wake.notify();
  }

  function fail(error: unknown): void {
    failure ??= error;
    stopAll();
  }

  async function start(state: PartitionState, generation: number, signal: AbortSignal): Promise<void> {
    let target = state.seekTo ?? (await options.startingOffset?.(state.tp, signal));
    if (target === undefined) {
      if (options.autoOffsetReset === "none") {
        throw new RillError(
          "OFFSET_OUT_OF_RANGE",
          `no position for ${state.tp.topic}/${state.tp.partition}: seek first, or set autoOffsetReset`,
          {
            ...state.tp,
          },
        );
      }
      target = options.autoOffsetReset;
    }
    const offset = await resolveOffset(transport, state.tp, target, signal);
    if (generation !== state.generation) return;
    state.seekTo = undefined;
    state.position = offset;
    state.fetchOffset = offset;
  }

  async function fetchOnce(state: PartitionState, offset: number, signal: AbortSignal): Promise<void> {
    const generation = state.generation;
    const result = await transport.request({
      method: "GET",
      path: paths.partitionRecords(state.tp.topic, state.tp.partition),
      query: { offset, maxBytes: options.maxPartitionBytes, maxWaitMs: options.maxWaitMs, minBytes: options.minBytes },
      accept: BATCHES_MEDIA_TYPE,
      waitMs: options.maxWaitMs,
      timeoutMs: options.requestTimeoutMs,
      signal,
      quota: "fetch",
    });
    if (generation !== state.generation || signal.aborted) return;
    const header = (name: string, fallback: number) => Number(result.headers.get(name) ?? fallback);
    const highWatermark = header(HIGH_WATERMARK_HEADER, -1);
    const nextOffset = header(NEXT_OFFSET_HEADER, offset);
    state.highWatermark = highWatermark;
    state.logStartOffset = header(LOG_START_OFFSET_HEADER, state.logStartOffset);
    const batches = result.body.length > 0 ? splitBatches(result.body).map((b) => b.bytes) : [];
    // a stored batch may begin before the offset asked for: skip its earlier records
    const records = decodeBatches(batches).filter((r) => r.offset >= offset && (highWatermark < 0 || r.offset < highWatermark));
    state.fetchOffset = Math.max(nextOffset, offset);
    if (records.length === 0) {
      // without a broker-side wait, an empty answer would turn this loop into a busy poll
      if (options.maxWaitMs === 0) await sleep(100, signal);
      return;
    }
    chunks.push({
      state,
      generation,
      epoch: state.epoch,
      records,
      highWatermark,
      nextOffset: state.fetchOffset,
      bytes: result.body.length,
    });
    bufferedBytes += result.body.length;
    ready.notify();
  }

  function outOfRange(state: PartitionState, error: RillError): void {
    if (options.autoOffsetReset === "none") throw error;
    const details = error.details ?? {};
    const to = Number(options.autoOffsetReset === "earliest" ? details.logStartOffset : details.highWatermark);
    if (!Number.isSafeInteger(to)) throw error;
    options.warn(
      `${state.tp.topic}/${state.tp.partition}: offset ${state.fetchOffset} is out of range; resetting to ${options.autoOffsetReset} (${to})`,
    );
    restart(state, to, true);
  }

  async function loop(state: PartitionState, signal: AbortSignal): Promise<void> {
    let failures = 0;
    try {
      // a loop of an earlier run may still be finishing an aborted fetch: its signal retires it
      while (running && !signal.aborted && states.get(tpKey(state.tp)) === state) {
        if (state.paused || bufferedBytes >= options.maxPrefetchBytes) {
          await wake.wait();
          continue;
        }
        const generation = state.generation;
        const inflight = new AbortController();
        active.add(inflight);
        state.inflight = inflight;
        try {
          if (state.fetchOffset === undefined) await start(state, generation, inflight.signal);
          else await fetchOnce(state, state.fetchOffset, inflight.signal);
          failures = 0;
        } catch (error) {
          if (inflight.signal.aborted || generation !== state.generation) continue;
          if (error instanceof RillError && error.code === "OFFSET_OUT_OF_RANGE" && error.details?.highWatermark !== undefined) {
            outOfRange(state, error);
            continue;
          }
          if (!isRetriable(error) || ++failures > options.retry.retries) throw error;
          await sleep(backoff(options.retry, failures), inflight.signal).catch(() => undefined);
        } finally {
          active.delete(inflight);
          if (state.inflight === inflight) state.inflight = undefined;
        }
      }
    } catch (error) {
      if (!signal.aborted) fail(error);
    }
  }

  function launch(state: PartitionState): void {
    if (!running || state.loop === stopper.signal) return;
    state.loop = stopper.signal;
    void loop(state, stopper.signal);
  }

  function stopAll(): void {
    if (!running) return;
    running = false;
    stopper.abort();
    for (const controller of active) controller.abort();
    active.clear();
    // prefetched records are dropped; positions stay as they are (a handler may still be at work,
    // and its position update must count), and the next run fetches again from them
    chunks = [];
    bufferedBytes = 0;
    wake.notify();
    ready.notify();
  }

  return {
    add(tp) {
      const key = tpKey(tp);
      const known = states.get(key);
      if (known) {
        // given back while its removal waited for a handler: it stays, and the removal is off
        known.revoked = false;
        return;
      }
      const state: PartitionState = {
        tp: { topic: tp.topic, partition: tp.partition },
        position: undefined,
        fetchOffset: undefined,
        seekTo: undefined,
        paused: false,
        generation: 0,
        epoch: 0,
        revoked: false,
        highWatermark: -1,
        logStartOffset: -1,
        inflight: undefined,
        loop: undefined,
      };
      states.set(key, state);
      launch(state);
    },
    remove(tp) {
      const state = states.get(tpKey(tp));
      if (!state) return;
      states.delete(tpKey(tp));
      restart(state, undefined, true);
    },
    get: (tp) => states.get(tpKey(tp)),
    all: () => [...states.values()],
    seek(state, target) {
      restart(state, typeof target === "number" ? target : undefined, true);
      state.seekTo = typeof target === "number" ? undefined : target;
    },
    setPaused(state, paused) {
      if (state.paused === paused) return;
      state.paused = paused;
      // pausing drops what was prefetched; resuming fetches again from the position
      restart(state, state.position, false);
    },
    start() {
      if (running) return;
      running = true;
      failure = undefined;
      stopper = new AbortController();
      for (const s of states.values()) {
        // whatever an earlier run left in flight is void; fetching resumes at the position
        s.generation++;
        s.fetchOffset = s.position;
        launch(s);
      }
    },
    stop: stopAll,
    fail,
    async next() {
      for (;;) {
        if (failure !== undefined) throw failure;
        if (!running) return undefined;
        const chunk = chunks.shift();
        if (chunk) {
          bufferedBytes -= chunk.bytes;
          wake.notify();
          if (chunk.generation === chunk.state.generation && !chunk.state.paused) return chunk;
          continue;
        }
        await ready.wait();
      }
    },
  };
}
