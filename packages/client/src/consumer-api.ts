// The consumer's public shapes (kafkajs's where they fit): options, messages, handler payloads.

import type { AssignmentSource, TopicPartition } from "./assignment.ts";
import type { GroupMetadata, GroupOptions, Subscription } from "./group-api.ts";
import type { TopicPartitionOffset } from "./group-commits.ts";
import type { CommittedOffset } from "./group-offsets.ts";
import type { OffsetResetPolicy, SeekTarget } from "./offsets.ts";
import type { RetryOptions } from "./retry.ts";
import type { ConsumedHeaders, Deserializer } from "./serializers.ts";

export interface ConsumerOptions<K = Uint8Array | null, V = Uint8Array | null> extends GroupOptions {
  /** Bytes the broker waits to gather before answering a fetch (default 1, Kafka's fetch.min.bytes). */
  fetchMinBytes?: number;
  /** Longest the broker holds a fetch waiting for fetchMinBytes (default 500 ms, Kafka's fetch.max.wait.ms). */
  fetchMaxWaitMs?: number;
  /** Most bytes one fetch returns per partition (default 1 MiB; one larger batch still comes whole). */
  maxPartitionFetchBytes?: number;
  /** Bound of the prefetch buffer, in bytes (default 4 MiB): fetching pauses while it is full. */
  maxPrefetchBytes?: number;
  /** Deadline of a fetch beyond fetchMaxWaitMs (default: the client's requestTimeoutMs). */
  requestTimeoutMs?: number;
  /** Where to start without a position (nor a committed offset of the group), or when it fell out of the log (default "latest"). */
  autoOffsetReset?: OffsetResetPolicy;
  retry?: RetryOptions;
  deserializers?: { key?: Deserializer<K>; value?: Deserializer<V> };
  /** Where partitions come from (default: manual assignment through assign()). */
  assignment?: AssignmentSource;
}

export interface ConsumedMessage<K, V> {
  offset: number;
  timestamp: number;
  key: K;
  value: V;
  headers: ConsumedHeaders;
}

export interface EachMessagePayload<K, V> {
  topic: string;
  partition: number;
  message: ConsumedMessage<K, V>;
  /** Pauses this partition; returns a function that resumes it. */
  pause(): () => void;
  heartbeat(): Promise<void>;
}

export interface Batch<K, V> {
  topic: string;
  partition: number;
  highWatermark: number;
  messages: Array<ConsumedMessage<K, V>>;
  isEmpty(): boolean;
  firstOffset(): number | null;
  lastOffset(): number;
  /** Records after this batch that are already in the log. */
  offsetLag(): number;
}

export interface EachBatchPayload<K, V> {
  batch: Batch<K, V>;
  /** Marks everything up to `offset` as handled (the position moves past it). */
  resolveOffset(offset: number): void;
  /** False once the consumer is stopping. */
  isRunning(): boolean;
  /** True once this batch was superseded by a seek, pause or revocation. */
  isStale(): boolean;
  pause(): () => void;
  heartbeat(): Promise<void>;
}

export interface RunOptions<K, V> {
  eachMessage?: (payload: EachMessagePayload<K, V>) => Promise<void> | void;
  eachBatch?: (payload: EachBatchPayload<K, V>) => Promise<void> | void;
  /** Move the position past each batch when eachBatch returns (default true). */
  eachBatchAutoResolve?: boolean;
  /** Stops the run, as stop() does. */
  signal?: AbortSignal;
}

export interface TopicPartitions {
  topic: string;
  /** Default: every partition of the topic. */
  partitions?: number[];
}

export interface Consumer<K = Uint8Array | null, V = Uint8Array | null> {
  /** Starts the assignment source (run() does it too); a group member joins here. */
  connect(): Promise<void>;
  /**
   * Consumes as a member of the consumer's group (options.groupId): the group's coordinator
   * assigns the partitions of these topics, or of the topics matching the pattern, and moves them
   * as members come and go. A running member hears of a changed subscription at once.
   */
  subscribe(subscription: Subscription): Promise<void>;
  /** Replaces the manual assignment. */
  assign(topics: TopicPartitions[]): Promise<void>;
  assignment(): TopicPartition[];
  /** Moves a partition's position: an offset, "earliest"/"beginning", "latest"/"end", or { timestamp }. */
  seek(args: TopicPartition & { offset: SeekTarget | "beginning" | "end" | string }): void;
  pause(topics: TopicPartitions[]): void;
  resume(topics: TopicPartitions[]): void;
  paused(): TopicPartition[];
  /** The next offset run() will hand over for the partition, once known. */
  position(tp: TopicPartition): number | undefined;
  /**
   * Consumes until stop(), the signal, or an error. Unlike kafkajs, the promise settles when the
   * consumer stops: it resolves on stop and rejects with the error that stopped it.
   */
  run(options: RunOptions<K, V>): Promise<void>;
  /**
   * Stops run(): no handler starts after this. Resolves once the run has ended, or at once when a
   * handler is in progress (so a handler may await it); run()'s own promise settles after that handler.
   */
  stop(): Promise<void>;
  /** Stops and leaves the assignment source (a group member commits what was processed and leaves). */
  disconnect(): Promise<void>;
  /**
   * Commits to the group, waiting for the answer: what the handlers have processed (the default;
   * within eachMessage that is up to the message before the current one), or exactly `offsets`,
   * each the NEXT offset to read. Commits are sent in call order and a newer commit of a
   * partition always wins over an older one, even across retries.
   */
  commitSync(offsets?: TopicPartitionOffset[]): Promise<void>;
  /**
   * commitSync without waiting: the promise may be ignored (a failure is logged as a warning),
   * and a later commit of the same partition is never overwritten by this one.
   */
  commitAsync(offsets?: TopicPartitionOffset[]): Promise<void>;
  /** kafkajs's name for committing specific offsets (commitSync(offsets)). */
  commitOffsets(offsets: TopicPartitionOffset[]): Promise<void>;
  /** The group's committed offsets (of `partitions`, default all). */
  committed(partitions?: TopicPartition[]): Promise<CommittedOffset[]>;
  /** This consumer's group, member id and epoch; undefined without a groupId. */
  groupMetadata(): GroupMetadata | undefined;
}
