// Types of the partition log's API.

import type { CompressionType } from "./compression.ts";
import type { OffsetWaiters } from "./offset-waiters.ts";
import type { LogRecord, RecordInput } from "./record.ts";
import type { SequenceGateOptions } from "./sequence-gate.ts";
import type { EpochStart, PartitionState, Storage, StoredBatch } from "./storage.ts";
import type { TopicConfig } from "./topic-config.ts";

export interface PartitionLogOptions {
  storage: Storage;
  /** The partition's name in storage, e.g. "orders/0". */
  partition: string;
  /** Current topic configuration (read at every append, so config changes apply at once). */
  config?: () => TopicConfig;
  /** Clock, ms since the epoch. */
  now?: () => number;
  /** Leader epoch stamped on appended batches. */
  leaderEpoch?: number;
  /** When true, the high watermark only moves by setHighWatermark (replication decides it). */
  replicated?: boolean;
  /** How long an idempotent batch that overtook its predecessors waits for them (sequence-gate.ts). */
  sequenceGate?: SequenceGateOptions;
  /**
   * Resolves once every write made so far is durable (a Durable Object's `ctx.storage.sync()`).
   * With it, client appends that arrive while a commit is in flight are stored together, in one
   * storage call, once it is done (group commit; see group-commit.ts).
   */
  commitBarrier?: () => Promise<void>;
}

export interface AppendBatchesOptions {
  /**
   * The caller already checked CRC-32C and framing of these bytes (the edge Worker, before its
   * RPC), or encoded them itself: the log skips that walk. Checks that depend on the topic's config
   * (size, keys, value schema) still run here, on the config the log has.
   */
  verified?: boolean;
}

export interface AppendedBatch {
  baseOffset: number;
  lastOffset: number;
  /** True when the batch was a producer retry answered from producer state. */
  duplicate: boolean;
}

export interface AppendResult {
  batches: AppendedBatch[];
  /** LogAppendTime given to the batches, or -1 under CreateTime. */
  logAppendTime: number;
  logStartOffset: number;
}

export interface MirrorAppendOptions {
  /** The log end after the append, when upstream's end lies past the last batch given. */
  endOffset?: number;
}

export interface ReadOptions {
  maxBytes?: number;
}

export interface ReadResult {
  /** Whole stored batches; the first may start before the requested offset. */
  batches: StoredBatch[];
  /** Offset to fetch next (past gaps that compaction left). */
  nextOffset: number;
  highWatermark: number;
  logStartOffset: number;
}

export interface RecordsResult {
  records: LogRecord[];
  /** Offset to fetch next. */
  nextOffset: number;
  highWatermark: number;
  logStartOffset: number;
}

export interface ListedOffset {
  offset: number;
  /** Timestamp of the record found; null when no record is at or after the time asked (offset is the end). */
  timestamp: number | null;
}

export type OffsetSpec = "earliest" | "latest" | { timestamp: number };

export const DEFAULT_FETCH_MAX_BYTES = 1024 * 1024;

export interface PartitionLog {
  readonly partition: string;
  /** Loads state from storage; appends and reads call it on first use. */
  open(): Promise<void>;
  /** Appends one or more concatenated client batches (stamped in place with offsets). */
  appendBatches(bytes: Uint8Array, options?: AppendBatchesOptions): Promise<AppendResult>;
  /** A replica's append: batches already stamped by the leader, starting exactly at this log's end. */
  appendReplicated(bytes: Uint8Array): Promise<AppendResult>;
  /**
   * A mirror's append (e.g. a browser's replica of an edge topic): one or more concatenated batches
   * as upstream stores them, kept byte for byte at their own offsets (increasing from this log's
   * end; holes allowed) with their leader epochs and producer fields. CRC and framing are checked;
   * producer sequences are not. `endOffset` moves the log end past the last batch (upstream
   * compaction emptied its tail); with it, `bytes` may be empty. A first batch before the log end
   * is CONCURRENT_APPEND with `details.logEndOffset`. Wakes readers like any append.
   */
  appendMirrored(bytes: Uint8Array, options?: MirrorAppendOptions): Promise<AppendResult>;
  /**
   * Drops every batch, producer state and epoch and restarts the log empty at `offset` (below or
   * above the current end): a mirror that fell behind upstream retention, or follows a re-created
   * topic. The high watermark moves to `offset`; waiting readers wake and read again.
   */
  resetTo(offset: number): Promise<void>;
  /** Encodes records into batches (split to fit the size limit) and appends them atomically. */
  appendRecords(records: readonly RecordInput[], options?: { compression?: CompressionType }): Promise<AppendResult>;
  read(offset: number, options?: ReadOptions): Promise<ReadResult>;
  readRecords(offset: number, options?: ReadOptions): Promise<RecordsResult>;
  /** Waits until `offset` is readable (below the high watermark); false on timeout/abort. */
  waitFor(offset: number, timeoutMs: number, signal?: Parameters<OffsetWaiters["wait"]>[2]): Promise<boolean>;
  listOffset(spec: OffsetSpec): Promise<ListedOffset>;
  state(): Promise<LogState>;
  /** Calls `listener` whenever the high watermark moves (live tails); returns an unsubscribe. */
  onHighWatermark(listener: (highWatermark: number) => void): () => void;
  /** Moves the high watermark (replicated logs); never backwards, never past the log end. */
  setHighWatermark(offset: number): void;
  setLeaderEpoch(epoch: number): void;
  /** Runs `fn` with appends excluded (retention, compaction, truncation use it). */
  exclusive<T>(fn: (state: PartitionState) => Promise<T>): Promise<T>;
  /** Re-reads state from storage after an outside change made under exclusive(). */
  reload(): Promise<void>;
  readonly config: () => TopicConfig;
  readonly now: () => number;
  readonly storage: Storage;
}

export interface LogState {
  logStartOffset: number;
  logEndOffset: number;
  highWatermark: number;
  sizeInBytes: number;
  leaderEpoch: number;
  epochs: EpochStart[];
}
