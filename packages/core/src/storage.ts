// The one storage seam. Every backend (memory, IndexedDB, Durable Object SQLite) implements this
// interface and passes the same conformance suite. Each method is one atomic unit that owns its
// transaction; all logic (idempotence, retention planning, waiting, fencing) lives above it.
//
// A partition is named by an opaque string (e.g. "orders/0") so one backend instance can hold many
// partitions (the browser and Node) or exactly one (a partition Durable Object).

import { RillError } from "./errors.ts";

/** One stored record batch: one row, kept byte for byte as appended. */
export interface StoredBatch {
  baseOffset: number;
  lastOffset: number;
  /** Running maximum of batch max timestamps up to and including this batch (monotonic, for time lookup). */
  timeIndex: number;
  /** The batch bytes, header included. */
  bytes: Uint8Array;
}

/** A batch without its bytes, for planning retention and compaction. */
export interface BatchMeta {
  baseOffset: number;
  lastOffset: number;
  timeIndex: number;
  sizeInBytes: number;
}

/** Idempotent producer state for one producer id on one partition. */
export interface ProducerEntry {
  producerId: number;
  epoch: number;
  /** The last few appended batches, newest last, to answer retries with their original offsets. */
  batches: ProducerBatch[];
  /** Wall-clock ms of the last append, for expiring idle producers. */
  lastTimestamp: number;
}

export interface ProducerBatch {
  firstSequence: number;
  lastSequence: number;
  baseOffset: number;
  lastOffset: number;
}

/** Leader epoch boundary: the first offset written in `epoch` (Kafka's leader-epoch checkpoint). */
export interface EpochStart {
  epoch: number;
  startOffset: number;
}

export interface PartitionState {
  logStartOffset: number;
  /** Offset the next appended record gets (log end offset). */
  logEndOffset: number;
  sizeInBytes: number;
  /** Highest timeIndex in the log; -1 when empty. */
  timeIndex: number;
  producers: ProducerEntry[];
  epochs: EpochStart[];
}

export interface AppendRequest {
  /** Append only if the log end offset is still this (single-writer guard). */
  expectedEndOffset: number;
  batches: StoredBatch[];
  /** Producer entries to upsert in the same transaction. */
  producers: ProducerEntry[];
  /** Producer ids to forget in the same transaction (idle past producer.id.expiration.ms). */
  expiredProducers?: number[];
  /** A new leader epoch boundary to record in the same transaction. */
  epochStart?: EpochStart;
  /**
   * A mirrored append (a copy of another log, e.g. a browser's replica of an edge topic): batches
   * keep the offsets they have upstream, where compaction may have left holes. Each batch must then
   * start at or after the end of the one before it (the first at or after expectedEndOffset)
   * instead of exactly there; the holes stay holes.
   */
  allowGaps?: boolean;
  /**
   * With allowGaps: the log end after the append, when it lies past the last batch's lastOffset + 1
   * (upstream compaction emptied its tail). Smaller values change nothing; ignored without allowGaps.
   */
  endOffset?: number;
}

export interface ResetOptions {
  /** Reset only if the log end offset is still this (single-writer guard, as for append). */
  expectedEndOffset?: number;
}

export interface CommittedOffset {
  topic: string;
  partition: number;
  /** The next offset to read. */
  offset: number;
  metadata: string | null;
  leaderEpoch: number;
  commitTimestamp: number;
}

/** A versioned JSON document, written by compare-and-set (group state, topic metadata). */
export interface StoredDocument<T = unknown> {
  version: number;
  value: T;
}

export interface Storage {
  // ---- partitions ----
  /** The state of a partition; an unknown partition is empty at offset 0. */
  loadPartition(partition: string): Promise<PartitionState>;
  /**
   * Appends batches (consecutive, starting at expectedEndOffset; with `allowGaps`, increasing from
   * there) and upserts producer entries atomically. The new log end is the last batch's
   * lastOffset + 1 (or `endOffset`, see AppendRequest). Throws RillError CONCURRENT_APPEND,
   * changing nothing, if the end offset moved or a batch starts before the end of what precedes it.
   */
  append(partition: string, request: AppendRequest): Promise<void>;
  /**
   * Batches with lastOffset >= fromOffset in offset order, stopping once their total size reaches
   * maxBytes (at least one batch when any exists).
   */
  read(partition: string, fromOffset: number, maxBytes: number): Promise<StoredBatch[]>;
  /** Metadata of up to `limit` batches with lastOffset >= fromOffset, in offset order. */
  scan(partition: string, fromOffset: number, limit: number): Promise<BatchMeta[]>;
  /** The first batch whose timeIndex >= timestamp, or null. */
  findByTime(partition: string, timestamp: number): Promise<StoredBatch | null>;
  /**
   * Deletes batches whose lastOffset < newStartOffset and raises the log start offset to it
   * (never lowers it; never beyond the log end offset).
   */
  truncateHead(partition: string, newStartOffset: number): Promise<void>;
  /**
   * Deletes batches whose baseOffset >= fromOffset, sets the log end offset to fromOffset, drops
   * epoch entries starting at or after it, and replaces the partition's producer entries with
   * `producers` (rebuilt by the caller from what remains), all atomically (replica divergence,
   * KIP-101). fromOffset must fall on a batch boundary.
   */
  truncateTail(partition: string, fromOffset: number, producers: ProducerEntry[]): Promise<void>;
  /**
   * Atomically replaces every batch lying inside [fromOffset, toOffset] with `batches` (which must
   * lie inside the same range). Compaction rewrites the log this way; offsets stay as they were.
   */
  replace(partition: string, fromOffset: number, toOffset: number, batches: StoredBatch[]): Promise<void>;
  /**
   * Atomically deletes every batch, producer entry and epoch of the partition and sets its log
   * start and log end offsets to `offset`, which may lie below or above the current end (a replica
   * that jumps past upstream retention, or follows a re-created topic). With expectedEndOffset,
   * throws RillError CONCURRENT_APPEND, changing nothing, if the end offset moved.
   */
  resetTo(partition: string, offset: number, options?: ResetOptions): Promise<void>;
  /** Removes a partition and its producer state entirely. */
  dropPartition(partition: string): Promise<void>;

  // ---- committed offsets (consumer groups) ----
  commitOffsets(group: string, offsets: CommittedOffset[]): Promise<void>;
  fetchOffsets(group: string): Promise<CommittedOffset[]>;
  deleteOffsets(group: string, topic?: string): Promise<void>;

  // ---- versioned documents (group state, cluster metadata) ----
  getDocument<T>(namespace: string, id: string): Promise<StoredDocument<T> | null>;
  /**
   * Writes `value` as version expectedVersion + 1 if the stored version is expectedVersion
   * (0 = must not exist). Returns false, changing nothing, otherwise.
   */
  putDocument<T>(namespace: string, id: string, expectedVersion: number, value: T): Promise<boolean>;
  deleteDocument(namespace: string, id: string): Promise<void>;
  listDocuments<T>(namespace: string): Promise<Array<{ id: string } & StoredDocument<T>>>;

  /** Releases connections; the data stays. */
  close(): Promise<void>;
}

/** A new, empty partition state. */
export function emptyPartitionState(): PartitionState {
  return { logStartOffset: 0, logEndOffset: 0, sizeInBytes: 0, timeIndex: -1, producers: [], epochs: [] };
}

/**
 * The append guard every backend runs inside its transaction, against its stored log end: checks
 * expectedEndOffset and the batches' offsets (see Storage.append) and returns the new log end.
 * Throws RillError CONCURRENT_APPEND; the backend then writes nothing.
 */
export function checkAppend(logEndOffset: number, request: AppendRequest): number {
  if (logEndOffset !== request.expectedEndOffset) {
    throw new RillError("CONCURRENT_APPEND", `log end offset is ${logEndOffset}, not ${request.expectedEndOffset}`, { logEndOffset });
  }
  let end = logEndOffset;
  for (const b of request.batches) {
    const fits = request.allowGaps ? b.baseOffset >= end : b.baseOffset === end;
    if (!fits || b.lastOffset < b.baseOffset) {
      throw new RillError("CONCURRENT_APPEND", `batch [${b.baseOffset}, ${b.lastOffset}] cannot follow log end ${end}`, {
        logEndOffset,
      });
    }
    end = b.lastOffset + 1;
  }
  return request.allowGaps && request.endOffset !== undefined ? Math.max(end, request.endOffset) : end;
}

/** The reset guard: checks ResetOptions.expectedEndOffset against the stored log end. */
export function checkReset(logEndOffset: number, offset: number, options: ResetOptions = {}): void {
  if (!Number.isSafeInteger(offset) || offset < 0) throw new RillError("INVALID_REQUEST", `cannot reset a log to offset ${offset}`);
  if (options.expectedEndOffset !== undefined && options.expectedEndOffset !== logEndOffset) {
    throw new RillError("CONCURRENT_APPEND", `log end offset is ${logEndOffset}, not ${options.expectedEndOffset}`, { logEndOffset });
  }
}
