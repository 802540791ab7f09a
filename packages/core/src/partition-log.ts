// The partition log: Kafka's Log/UnifiedLog, above the storage seam. It owns one partition as its
// single writer (appends run one at a time), assigns dense offsets, enforces idempotence and limits,
// tracks the high watermark, and wakes long-polls. Retention and compaction live in log-cleaner.ts.

import { concatBytes } from "./bytes.ts";
import { RillError } from "./errors.ts";
import { createGroupCommit, type Outcome } from "./group-commit.ts";
import { parseMirroredBatches, planMirroredAppend } from "./mirror-batches.ts";
import { createOffsetWaiters } from "./offset-waiters.ts";
import {
  type AppendedBatch,
  type AppendResult,
  DEFAULT_FETCH_MAX_BYTES,
  type PartitionLog,
  type PartitionLogOptions,
  type ReadOptions,
  type ReadResult,
} from "./partition-log-types.ts";
import { checkSequence, isAheadOfSequence, recordSequence } from "./producer-state.ts";
import { createProducerTable } from "./producer-table.ts";
import { type BatchHeader, setBaseOffset, setLogAppendTime, setPartitionLeaderEpoch, splitBatches } from "./record-batch.ts";
import { decodeBatches, verifyBatch } from "./record-batch-decode.ts";
import { encodeRecordsInBatches } from "./record-batch-split.ts";
import { parseClientBatches } from "./record-validation.ts";
import { createSequenceGate } from "./sequence-gate.ts";
import { type EpochStart, emptyPartitionState, type PartitionState, type ProducerEntry, type StoredBatch } from "./storage.ts";
import { MAX_BATCH_BYTES, resolveTopicConfig } from "./topic-config.ts";

export * from "./partition-log-types.ts";

/** One append request's parsed batches, as a group commit carries it. */
interface AppendRequestParts {
  parts: Array<{ header: BatchHeader; bytes: Uint8Array }>;
  replica: boolean;
}

/** The log as a group of appends leaves it, request by request, before the group is stored. */
interface AppendDraft {
  next: number;
  timeIndex: number;
  epochStart: EpochStart | undefined;
  touched: Map<number, ProducerEntry>;
  stored: StoredBatch[];
}

export function createPartitionLog(options: PartitionLogOptions): PartitionLog {
  const { storage, partition } = options;
  const config = options.config ?? (() => resolveTopicConfig());
  const now = options.now ?? Date.now;
  let leaderEpoch = options.leaderEpoch ?? 0;
  let state: PartitionState | undefined;
  const producers = createProducerTable(() => config()["producer.id.expiration.ms"]);
  let highWatermark = 0;
  let opening: Promise<void> | undefined;
  let queue: Promise<unknown> = Promise.resolve();
  const waiters = createOffsetWaiters(() => highWatermark);
  const listeners = new Set<(highWatermark: number) => void>();
  const gate = createSequenceGate(options.sequenceGate);

  async function load(): Promise<void> {
    const loaded = await storage.loadPartition(partition);
    // producer entries live in the table alone (a copy in the state would cost O(producers) per append)
    state = { ...loaded, producers: [] };
    producers.load(loaded.producers, now());
    // Unreplicated, everything written is committed. Replicated, the leader re-learns the high
    // watermark from its followers; until then, it is what was surely committed: the log start.
    highWatermark = options.replicated ? Math.max(Math.min(highWatermark, state.logEndOffset), state.logStartOffset) : state.logEndOffset;
  }

  function open(): Promise<void> {
    opening ??= load().catch((e) => {
      opening = undefined;
      throw e;
    });
    return opening;
  }

  /** Serialises writers: one append, truncation or cleaning at a time. */
  function serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = queue.then(async () => {
      await open();
      return fn();
    });
    queue = run.catch(() => undefined);
    return run;
  }

  function current(): PartitionState {
    if (!state) throw new RillError("KAFKA_STORAGE_ERROR", `partition ${partition} is not open`);
    return state;
  }

  /**
   * Appends parsed batches. As leader, it assigns offsets, stamps the leader epoch (and
   * LogAppendTime) and checks producer sequences. As a replica, the batches arrive stamped by the
   * leader: they must start at this log's end, and producer state is only recorded (so a replica
   * that becomes leader still recognises retries). A group of requests (group commit) is planned
   * one request after another on top of the ones before it and stored in one storage call; a
   * request refused while planning fails alone and leaves nothing in the group.
   */
  async function appendGroup(requests: ReadonlyArray<AppendRequestParts>): Promise<Array<Outcome<AppendResult>>> {
    const s = current();
    const time = now();
    const draft: AppendDraft = { next: s.logEndOffset, timeIndex: s.timeIndex, epochStart: undefined, touched: new Map(), stored: [] };
    const outcomes: Array<Outcome<AppendResult>> = [];
    for (const request of requests) {
      try {
        outcomes.push({ ok: true, value: planAppend(request, draft, s, time) });
      } catch (error) {
        outcomes.push({ ok: false, error });
      }
    }
    if (draft.stored.length > 0) {
      const expiredProducers = producers.expiring(time, draft.touched);
      await storage.append(partition, {
        expectedEndOffset: s.logEndOffset,
        batches: draft.stored,
        producers: [...draft.touched.values()],
        ...(expiredProducers.length > 0 ? { expiredProducers } : {}),
        epochStart: draft.epochStart,
      });
      producers.committed(draft.touched, expiredProducers);
      appended(s, draft.stored, draft.next, draft.timeIndex, draft.epochStart);
    }
    return outcomes;
  }

  /** Plans one request on top of `draft`, which takes its batches only if all of them pass. */
  function planAppend({ parts, replica }: AppendRequestParts, draft: AppendDraft, s: PartitionState, time: number): AppendResult {
    const cfg = config();
    const logAppendTime = !replica && cfg["message.timestamp.type"] === "LogAppendTime" ? time : -1;
    const touched = new Map<number, ProducerEntry>();
    const stored: StoredBatch[] = [];
    const results: AppendedBatch[] = [];
    let next = draft.next;
    let timeIndex = draft.timeIndex;
    let epochStart = draft.epochStart;
    const lastEpoch = s.epochs[s.epochs.length - 1];
    for (const { header, bytes } of parts) {
      const idempotent = header.producerId >= 0 && header.baseSequence >= 0;
      const entry = idempotent
        ? (touched.get(header.producerId) ?? draft.touched.get(header.producerId) ?? producers.get(header.producerId))
        : undefined;
      if (idempotent && !replica) {
        const verdict = checkSequence(entry, header);
        if (verdict.kind === "duplicate") {
          results.push({ baseOffset: verdict.batch.baseOffset, lastOffset: verdict.batch.lastOffset, duplicate: true });
          continue;
        }
      }
      const baseOffset = next;
      const lastOffset = baseOffset + header.lastOffsetDelta;
      const epoch = replica ? header.partitionLeaderEpoch : leaderEpoch;
      if (replica && header.baseOffset !== baseOffset) {
        throw new RillError(
          "CONCURRENT_APPEND",
          `replicated batch starts at ${header.baseOffset}, this replica's log ends at ${baseOffset}`,
          {
            logEndOffset: baseOffset,
          },
        );
      }
      if (!replica) {
        setBaseOffset(bytes, baseOffset);
        setPartitionLeaderEpoch(bytes, leaderEpoch);
        if (logAppendTime >= 0) setLogAppendTime(bytes, logAppendTime);
      }
      if (!epochStart && (!lastEpoch || lastEpoch.epoch < epoch)) epochStart = { epoch, startOffset: baseOffset };
      timeIndex = Math.max(timeIndex, logAppendTime >= 0 ? logAppendTime : header.maxTimestamp);
      stored.push({ baseOffset, lastOffset, timeIndex, bytes });
      if (idempotent) touched.set(header.producerId, recordSequence(entry, header, baseOffset, lastOffset, time));
      results.push({ baseOffset, lastOffset, duplicate: false });
      next = lastOffset + 1;
    }
    draft.next = next;
    draft.timeIndex = timeIndex;
    draft.epochStart = epochStart;
    for (const b of stored) draft.stored.push(b);
    for (const [id, entry] of touched) draft.touched.set(id, entry);
    return { batches: results, logAppendTime, logStartOffset: s.logStartOffset };
  }

  /** One request alone (replicas' appends). */
  async function appendParsed(parts: AppendRequestParts["parts"], replica = false): Promise<AppendResult> {
    const [outcome] = await appendGroup([{ parts, replica }]);
    if (!outcome?.ok) throw outcome?.error;
    return outcome.value;
  }

  // client appends that queue behind a commit in flight are stored together once it is durable
  const groups = createGroupCommit<AppendRequestParts, AppendResult>({
    write: (requests) => serial(() => appendGroup(requests)),
    barrier: options.commitBarrier,
  });

  /** Brings the cached state in step with an append storage has committed, and wakes readers. */
  function appended(s: PartitionState, stored: StoredBatch[], end: number, timeIndex: number, epochStart: EpochStart | undefined): void {
    for (const b of stored) s.sizeInBytes += b.bytes.length;
    if (epochStart) s.epochs = [...s.epochs, epochStart];
    s.logEndOffset = end;
    s.timeIndex = timeIndex;
    if (!options.replicated) advanceHighWatermark(end);
  }

  function advanceHighWatermark(offset: number): void {
    const end = state?.logEndOffset ?? 0;
    const next = Math.min(offset, end);
    if (next <= highWatermark) return;
    highWatermark = next;
    waiters.notify(highWatermark);
    for (const listener of listeners) listener(highWatermark);
  }

  function checkReadOffset(offset: number, s: PartitionState): void {
    if (!Number.isSafeInteger(offset) || offset < s.logStartOffset || offset > s.logEndOffset) {
      throw new RillError("OFFSET_OUT_OF_RANGE", `offset ${offset} is outside the log [${s.logStartOffset}, ${s.logEndOffset}]`, {
        logStartOffset: s.logStartOffset,
        highWatermark,
        logEndOffset: s.logEndOffset,
      });
    }
  }

  async function read(offset: number, readOptions: ReadOptions = {}): Promise<ReadResult> {
    await open();
    const s = current();
    checkReadOffset(offset, s);
    const hw = highWatermark;
    const logStartOffset = s.logStartOffset;
    if (offset >= hw) return { batches: [], nextOffset: offset, highWatermark: hw, logStartOffset };
    const maxBytes = readOptions.maxBytes ?? DEFAULT_FETCH_MAX_BYTES;
    const batches = (await storage.read(partition, offset, maxBytes)).filter((b) => b.baseOffset < hw);
    const last = batches[batches.length - 1];
    // No batch below the high watermark means compaction emptied [offset, hw): skip to hw.
    const nextOffset = last ? Math.max(offset, Math.min(last.lastOffset + 1, hw)) : hw;
    return { batches, nextOffset, highWatermark: hw, logStartOffset };
  }

  return {
    partition,
    config,
    now,
    storage,
    open,

    async appendBatches(bytes, appendOptions = {}) {
      // Parse and verify before queueing: bad input is refused without waiting on other writers.
      const parts = parseClientBatches(bytes, config(), { verified: appendOptions.verified });
      const sequenced = parts.find((p) => p.header.producerId >= 0 && p.header.baseSequence >= 0)?.header;
      if (!sequenced) return groups.submit({ parts, replica: false });
      await open();
      await gate.wait(sequenced.producerId, () => !isAheadOfSequence(producers.get(sequenced.producerId), sequenced));
      return groups.submit({ parts, replica: false }).finally(() => gate.moved(sequenced.producerId));
    },

    async appendReplicated(bytes) {
      const parts = splitBatches(bytes);
      for (const p of parts) verifyBatch(p.bytes, { maxDecompressedBytes: MAX_BATCH_BYTES * 64 });
      return serial(() => appendParsed(parts, true));
    },

    async appendMirrored(bytes, mirrorOptions = {}) {
      const parts = parseMirroredBatches(bytes, mirrorOptions.endOffset);
      return serial(async () => {
        const s = current();
        const plan = planMirroredAppend(parts, s, mirrorOptions.endOffset);
        if (plan.logEndOffset > s.logEndOffset) {
          await storage.append(partition, {
            expectedEndOffset: s.logEndOffset,
            batches: plan.batches,
            producers: [],
            epochStart: plan.epochStart,
            allowGaps: true,
            endOffset: plan.logEndOffset,
          });
          appended(s, plan.batches, plan.logEndOffset, plan.timeIndex, plan.epochStart);
        }
        return { batches: plan.results, logAppendTime: -1, logStartOffset: s.logStartOffset };
      });
    },

    resetTo(offset) {
      if (!Number.isSafeInteger(offset) || offset < 0) {
        return Promise.reject(new RillError("INVALID_REQUEST", `cannot reset a log to offset ${offset}`));
      }
      return serial(async () => {
        await storage.resetTo(partition, offset, { expectedEndOffset: current().logEndOffset });
        state = { ...emptyPartitionState(), logStartOffset: offset, logEndOffset: offset };
        producers.clear();
        // the high watermark moves to the new end whichever way it lies; every waiting reader
        // reads again and learns (OFFSET_OUT_OF_RANGE) that its position is gone
        highWatermark = offset;
        waiters.cancelAll();
        for (const listener of listeners) listener(highWatermark);
      });
    },

    async appendRecords(records, appendOptions = {}) {
      const batches = encodeRecordsInBatches(records, {
        maxBatchBytes: config()["max.message.bytes"],
        compression: appendOptions.compression ?? "none",
        now: now(),
      });
      // the same checks as any client's batches: one path, so no rule can be skipped
      return this.appendBatches(concatBytes(batches.map((b) => b.bytes)));
    },

    read,

    async readRecords(offset, readOptions) {
      const result = await read(offset, readOptions);
      const records = decodeBatches(result.batches.map((b) => b.bytes)).filter(
        (r) => r.offset >= offset && r.offset < result.highWatermark,
      );
      return { records, nextOffset: result.nextOffset, highWatermark: result.highWatermark, logStartOffset: result.logStartOffset };
    },

    async waitFor(offset, timeoutMs, signal) {
      await open();
      return waiters.wait(offset, timeoutMs, signal);
    },

    async listOffset(spec) {
      await open();
      const s = current();
      if (spec === "earliest") return { offset: s.logStartOffset, timestamp: null };
      if (spec === "latest") return { offset: highWatermark, timestamp: null };
      const found = await storage.findByTime(partition, spec.timestamp);
      if (found && found.baseOffset < highWatermark) {
        for (const r of decodeBatches([found.bytes])) {
          if (r.offset >= s.logStartOffset && r.offset < highWatermark && r.timestamp >= spec.timestamp) {
            return { offset: r.offset, timestamp: r.timestamp };
          }
        }
      }
      return { offset: highWatermark, timestamp: null };
    },

    async state() {
      await open();
      const s = current();
      return {
        logStartOffset: s.logStartOffset,
        logEndOffset: s.logEndOffset,
        highWatermark,
        sizeInBytes: s.sizeInBytes,
        leaderEpoch,
        epochs: [...s.epochs],
      };
    },

    onHighWatermark(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },

    setHighWatermark(offset) {
      advanceHighWatermark(offset);
    },

    setLeaderEpoch(epoch) {
      leaderEpoch = epoch;
    },

    exclusive(fn) {
      return serial(() => fn(current()));
    },

    async reload() {
      await load();
      waiters.notify(highWatermark);
    },
  };
}
