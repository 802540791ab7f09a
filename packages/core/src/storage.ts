// The one storage seam. Every backend (memory, IndexedDB, Durable Object SQLite) implements this
// interface and passes the same conformance suite. Each method is one atomic unit that owns its
// transaction; all logic (idempotence, retention planning, waiting, fencing) lives above it.
//
// A partition is named by an opaque string (e.g. "orders/0") so one backend instance can hold many
// partitions (the browser and Node) or exactly one (a partition Durable Object).

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
  /** A new leader epoch boundary to record in the same transaction. */
  epochStart?: EpochStart;
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
   * Appends batches (consecutive, starting at expectedEndOffset) and upserts producer entries
   * atomically. Throws RillError CONCURRENT_APPEND, changing nothing, if the end offset moved.
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
