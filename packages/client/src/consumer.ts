// The consumer (kafkajs's shape): assign partitions (or subscribe as a group member), seek, then
// run() hands records to eachMessage or eachBatch, one partition's chunk at a time, in offset
// order. Positions advance only after the handler returns, so a handler that throws leaves its
// message to be delivered again by the next run(). A group member is a member while it runs:
// run() joins, and when it ends the member commits what was processed and leaves.

import { type LogRecord, RillError } from "@rill/core";
import type { AssignmentListener, TopicPartition } from "./assignment.ts";
import type { ConsumedMessage, Consumer, ConsumerOptions, RunOptions, TopicPartitions } from "./consumer-api.ts";
import { createConsumerGroup } from "./consumer-group.ts";
import { createFetcher, type FetchedChunk, type PartitionState } from "./fetcher.ts";
import type { Subscription } from "./group-api.ts";
import type { MetadataCache } from "./metadata.ts";
import type { OffsetResetPolicy, SeekTarget } from "./offsets.ts";
import { checkOptions, type KnownKeys } from "./options.ts";
import { RETRY_OPTIONS, type ResolvedRetry, type RetryOptions, resolveRetry } from "./retry.ts";
import { type Deserializer, decodeHeaders, deserializers } from "./serializers.ts";
import type { Transport } from "./transport.ts";

export interface ConsumerDeps {
  transport: Transport;
  metadata: MetadataCache;
  retry: RetryOptions | undefined;
  requestTimeoutMs: number | undefined;
  clientId?: string;
  warn(message: string): void;
}

function seekTargetOf(offset: SeekTarget | "beginning" | "end" | string): SeekTarget {
  if (offset === "beginning" || offset === "earliest") return "earliest";
  if (offset === "end" || offset === "latest") return "latest";
  if (typeof offset === "string" && /^\d+$/.test(offset)) return Number(offset);
  if (typeof offset === "number" && Number.isSafeInteger(offset) && offset >= 0) return offset;
  if (typeof offset === "object" && offset !== null && Number.isSafeInteger(offset.timestamp)) return offset;
  throw new RillError(
    "INVALID_REQUEST",
    `seek offset must be an offset, "earliest", "latest" or { timestamp }, got ${JSON.stringify(offset)}`,
  );
}

const CONSUMER_OPTIONS: KnownKeys<ConsumerOptions> = {
  groupId: true,
  groupInstanceId: true,
  sessionTimeoutMs: true,
  rebalanceTimeoutMs: true,
  assignor: true,
  autoCommit: true,
  autoCommitIntervalMs: true,
  fetchMinBytes: true,
  fetchMaxWaitMs: true,
  maxPartitionFetchBytes: true,
  maxPrefetchBytes: true,
  requestTimeoutMs: true,
  autoOffsetReset: true,
  retry: true,
  deserializers: true,
  assignment: true,
};
const SUBSCRIPTION_OPTIONS: KnownKeys<Subscription> = {
  topics: true,
  pattern: true,
  fromBeginning: true,
  onPartitionsAssigned: true,
  onPartitionsRevoked: true,
  onPartitionsLost: true,
};
const RUN_OPTIONS: KnownKeys<RunOptions<unknown, unknown>> = {
  eachMessage: true,
  eachBatch: true,
  eachBatchAutoResolve: true,
  signal: true,
};

export function createConsumer<K = Uint8Array | null, V = Uint8Array | null>(
  deps: ConsumerDeps,
  options: ConsumerOptions<K, V> = {},
): Consumer<K, V> {
  checkOptions("consumer", options, CONSUMER_OPTIONS as KnownKeys<ConsumerOptions<K, V>>);
  checkOptions("consumer retry", options.retry, RETRY_OPTIONS);
  const retry: ResolvedRetry = resolveRetry(options.retry ?? deps.retry);
  const group = createConsumerGroup({ transport: deps.transport, retry, clientId: deps.clientId, warn: deps.warn }, options);
  const keyDeserializer = (options.deserializers?.key ?? deserializers.bytes) as Deserializer<K>;
  const valueDeserializer = (options.deserializers?.value ?? deserializers.bytes) as Deserializer<V>;
  const maxPartitionBytes = options.maxPartitionFetchBytes ?? 1024 * 1024;
  // subscribe({ fromBeginning }) changes where partitions without a committed offset start
  const fetcherOptions = {
    transport: deps.transport,
    retry,
    minBytes: options.fetchMinBytes ?? 1,
    maxWaitMs: options.fetchMaxWaitMs ?? 500,
    maxPartitionBytes,
    maxPrefetchBytes: options.maxPrefetchBytes ?? Math.max(4 * 1024 * 1024, maxPartitionBytes),
    requestTimeoutMs: options.requestTimeoutMs ?? deps.requestTimeoutMs,
    autoOffsetReset: (options.autoOffsetReset ?? "latest") as OffsetResetPolicy,
    startingOffset: (tp: TopicPartition, signal?: AbortSignal) => group.source().startingOffset?.(tp, signal) ?? Promise.resolve(undefined),
    warn: deps.warn,
  };
  const fetcher = createFetcher(fetcherOptions);
  let started: Promise<void> | undefined;
  let running: Promise<void> | undefined;
  let stopRequested = false;
  let handling: { state: PartitionState; done: Promise<void> } | undefined;
  let sourceFailure: unknown;

  const listener: AssignmentListener = {
    assigned: (tps) => {
      for (const tp of tps) fetcher.add(tp);
    },
    async revoked(tps) {
      const states = tps.flatMap((tp) => fetcher.get(tp) ?? []);
      for (const state of states) state.revoked = true;
      // a group must not commit for a partition while its handler is still at work on it; the
      // handler finishes the record at hand, whose position then still counts
      const busy = handling;
      if (busy && states.includes(busy.state)) await busy.done;
      for (const state of states) if (state.revoked && fetcher.get(state.tp) === state) fetcher.remove(state.tp);
    },
    failed(error) {
      sourceFailure = error;
      fetcher.fail(error);
    },
  };

  const connect = () => {
    started ??= group
      .source()
      .start(listener)
      .catch((error: unknown) => {
        started = undefined;
        throw error;
      });
    return started;
  };

  function stateOf(tp: TopicPartition): PartitionState {
    const state = fetcher.get(tp);
    if (!state)
      throw new RillError("UNKNOWN_TOPIC_OR_PARTITION", `${tp.topic}/${tp.partition} is not assigned to this consumer`, { ...tp });
    return state;
  }

  function expand(topics: TopicPartitions[]): TopicPartition[] {
    return topics.flatMap(({ topic, partitions }) =>
      (
        partitions ??
        fetcher
          .all()
          .filter((s) => s.tp.topic === topic)
          .map((s) => s.tp.partition)
      ).map((partition) => ({ topic, partition })),
    );
  }

  const pauseOne = (state: PartitionState) => () => {
    fetcher.setPaused(state, true);
    return () => fetcher.setPaused(state, false);
  };

  function toMessage(state: PartitionState, r: LogRecord): ConsumedMessage<K, V> {
    const ctx = { topic: state.tp.topic };
    return {
      offset: r.offset,
      timestamp: r.timestamp,
      key: keyDeserializer(r.key, ctx),
      value: valueDeserializer(r.value, ctx),
      headers: decodeHeaders(r.headers),
    };
  }

  async function handle(chunk: FetchedChunk, run: RunOptions<K, V>): Promise<void> {
    const { state, epoch } = chunk;
    // a seek or revocation during the handler: its records no longer decide the position
    const stale = () => epoch !== state.epoch;
    if (state.revoked) return;
    const records = chunk.records.filter((r) => r.offset >= (state.position ?? 0));
    const { topic, partition } = state.tp;
    const heartbeat = async () => undefined;
    const source = group.source();
    const advance = (position: number) => {
      state.position = position;
      source.processed?.(state.tp, position);
    };
    if (run.eachBatch) {
      const messages = records.map((r) => toMessage(state, r));
      const last = records[records.length - 1]?.offset ?? (state.position ?? 0) - 1;
      await run.eachBatch({
        batch: {
          topic,
          partition,
          highWatermark: chunk.highWatermark,
          messages,
          isEmpty: () => messages.length === 0,
          firstOffset: () => messages[0]?.offset ?? null,
          lastOffset: () => last,
          offsetLag: () => Math.max(0, chunk.highWatermark - 1 - last),
        },
        resolveOffset: (offset) => {
          if (!stale()) advance(Math.max(state.position ?? 0, offset + 1));
        },
        isRunning: () => !stopRequested,
        isStale: () => stale() || state.revoked,
        pause: pauseOne(state),
        heartbeat,
      });
      // revoked under the handler: only what it resolved counts, since it may have stopped early
      if (!stale() && !state.revoked && run.eachBatchAutoResolve !== false) advance(Math.max(state.position ?? 0, chunk.nextOffset));
    } else if (run.eachMessage) {
      for (const r of records) {
        // a pause (even from inside the handler) holds back the rest; the position stays put
        if (stale() || state.paused || stopRequested || state.revoked) return;
        await run.eachMessage({ topic, partition, message: toMessage(state, r), pause: pauseOne(state), heartbeat });
        if (!stale()) advance(r.offset + 1);
      }
      // compaction can leave gaps after the last record: move past them too
      if (!stale() && chunk.nextOffset > (state.position ?? 0)) advance(chunk.nextOffset);
    }
  }

  async function consume(run: RunOptions<K, V>): Promise<void> {
    sourceFailure = undefined;
    try {
      await connect();
    } catch (error) {
      await group.runEnded();
      throw error;
    }
    group.runStarted();
    fetcher.start();
    if (sourceFailure !== undefined) fetcher.fail(sourceFailure);
    const onAbort = () => void stop();
    run.signal?.addEventListener("abort", onAbort, { once: true });
    if (run.signal?.aborted) onAbort();
    try {
      while (!stopRequested) {
        const chunk = await fetcher.next();
        if (!chunk || stopRequested) break;
        // set before the handler starts: one that calls stop() before its first await must find
        // itself handling, or stop() would wait for the run, which waits for that handler
        let finished!: () => void;
        handling = { state: chunk.state, done: new Promise<void>((resolve) => (finished = resolve)) };
        try {
          await handle(chunk, run);
        } finally {
          finished();
          handling = undefined;
        }
      }
    } finally {
      run.signal?.removeEventListener("abort", onAbort);
      fetcher.stop();
      // a member leaves when its run ends (committing what was processed); the next run joins again
      if (await group.runEnded()) started = undefined;
    }
  }

  async function stop(): Promise<void> {
    stopRequested = true;
    fetcher.stop();
    // called from inside a handler, waiting for the run would wait for that very handler
    if (handling) return;
    await running?.catch(() => undefined);
  }

  return {
    connect,
    async subscribe(subscription) {
      checkOptions("subscribe", subscription, SUBSCRIPTION_OPTIONS);
      group.subscribe(subscription);
      if (subscription.fromBeginning !== undefined) fetcherOptions.autoOffsetReset = subscription.fromBeginning ? "earliest" : "latest";
    },
    async assign(topics) {
      const manual = group.manual();
      if (!manual)
        throw new RillError(
          "INVALID_REQUEST",
          "assign() is for manual assignment; this consumer's partitions come from subscribe() or its assignment source",
        );
      const list: TopicPartition[] = [];
      for (const { topic, partitions } of topics) {
        const all = partitions ?? (await deps.metadata.topic(topic)).partitions.map((p) => p.partition);
        for (const partition of all) list.push({ topic, partition });
      }
      await connect();
      await manual.set(list);
    },
    assignment: () => fetcher.all().map((s) => ({ ...s.tp })),
    seek(args) {
      fetcher.seek(stateOf(args), seekTargetOf(args.offset));
    },
    pause(topics) {
      for (const tp of expand(topics)) fetcher.setPaused(stateOf(tp), true);
    },
    resume(topics) {
      for (const tp of expand(topics)) fetcher.setPaused(stateOf(tp), false);
    },
    paused: () =>
      fetcher
        .all()
        .filter((s) => s.paused)
        .map((s) => ({ ...s.tp })),
    position: (tp) => fetcher.get(tp)?.position,
    run(options) {
      try {
        checkOptions("run", options, RUN_OPTIONS as KnownKeys<RunOptions<K, V>>);
      } catch (error) {
        return Promise.reject(error);
      }
      if (running) return Promise.reject(new RillError("INVALID_REQUEST", "this consumer is already running"));
      if (!options.eachMessage && !options.eachBatch)
        return Promise.reject(new RillError("INVALID_REQUEST", "run() needs eachMessage or eachBatch"));
      stopRequested = false;
      running = consume(options).finally(() => {
        running = undefined;
      });
      return running;
    },
    stop,
    async disconnect() {
      await stop();
      await group.source().stop();
      await group.runEnded();
      started = undefined;
    },
    commitSync: (offsets) => group.commit(offsets),
    commitAsync(offsets) {
      const committing = group.commit(offsets);
      // nobody has to wait for it; a failure nobody awaits is still heard of
      committing.catch((error: unknown) => deps.warn(`commitAsync failed: ${(error as Error)?.message ?? String(error)}`));
      return committing;
    },
    commitOffsets: (offsets) => group.commit(offsets),
    committed: (partitions) => group.committed(partitions),
    groupMetadata: () => group.metadata(),
  };
}
