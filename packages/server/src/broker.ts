// The seam between the HTTP protocol and a runtime. The Hono app speaks only to a Broker; the
// in-process broker (Node, browser) and the Durable Object broker (workerd) implement it.

import type {
  AppendResult,
  CommittedOffset,
  CreateTopicInput,
  FetchRequest,
  GroupState,
  HeartbeatRequest,
  HeartbeatResponse,
  ListedOffset,
  LogState,
  OffsetCommitRequest,
  OffsetSpec,
  ProducerIdentity,
  ReadResult,
  TopicMetadata,
} from "@rill/core";
import type { SubscriptionService } from "./subscriptions/types.ts";

/** Kafka's acks: 0 (fire and forget), 1 (leader wrote it), -1 ("all": every in-sync replica has it). */
export type Acks = 0 | 1 | -1;

export interface PartitionRef {
  topic: TopicMetadata;
  partition: number;
  /** For reads: a specific in-sync replica to read from (Kafka's KIP-392); default the leader. */
  replica?: number;
}

/** How a broker may treat the bytes of an append. */
export interface BrokerAppendOptions {
  /**
   * The server encoded these batches itself (JSON produce), so their CRC and framing need no check;
   * a broker that hands batches to another process (the edge's partition objects) says so.
   */
  encoded?: boolean;
}

/**
 * A binary fetch's answer: the stored batches' bytes back to back, whole batches as `fetch` reads
 * them (the first may start before the requested offset), with the offsets that go in its headers.
 */
export interface FetchedBatches {
  /** The bytes, or a stream of them. */
  body: Uint8Array | ReadableStream<Uint8Array>;
  /** Bytes in `body` (the answer's Content-Length). */
  size: number;
  nextOffset: number;
  highWatermark: number;
  logStartOffset: number;
}

export interface Broker {
  /** Topic metadata, possibly from a short-lived cache unless `fresh`; throws UNKNOWN_TOPIC_OR_PARTITION. */
  topic(name: string, options?: { fresh?: boolean }): Promise<TopicMetadata>;
  createTopic(input: CreateTopicInput): Promise<TopicMetadata>;
  listTopics(): Promise<TopicMetadata[]>;
  alterConfig(name: string, changes: Record<string, string | number | boolean | null>): Promise<TopicMetadata>;
  addPartitions(name: string, total: number): Promise<TopicMetadata>;
  deleteTopic(name: string): Promise<void>;
  initProducer(transactionalId?: string): Promise<ProducerIdentity>;

  /** Appends one or more concatenated record batches to a partition. */
  append(ref: PartitionRef, batches: Uint8Array, acks: Acks, options?: BrokerAppendOptions): Promise<AppendResult>;
  /**
   * Reads whole batches from an offset, long-polling as the request asks. `options.signal` is the
   * HTTP request's: a broker that can end a held long-poll when the caller goes away uses it.
   */
  fetch(ref: PartitionRef, request: FetchRequest, options?: { signal?: AbortSignal }): Promise<ReadResult>;
  /**
   * `fetch`, answered as the bytes a binary fetch sends (the consumers' path). A broker whose
   * batches live elsewhere implements it to hand them on without gathering them: the edge's
   * partition object streams them to the Worker's HTTP answer. Without it the route joins `fetch`'s batches.
   */
  fetchBatches?(ref: PartitionRef, request: FetchRequest, options?: { signal?: AbortSignal }): Promise<FetchedBatches>;
  listOffset(ref: PartitionRef, spec: OffsetSpec): Promise<ListedOffset>;
  /** A WebSocket live tail from `offset` (answers the 101 upgrade); only runtimes with WebSockets have it. */
  tail?(ref: PartitionRef, request: Request, options: { offset: number; encoding: "utf8" | "base64" }): Promise<Response>;
  partitionState(ref: PartitionRef): Promise<LogState>;
  /** Kafka's DeleteRecords: moves the leader's log start up to `offset` (at most the high watermark); answers the new start. */
  deleteRecords?(ref: PartitionRef, offset: number): Promise<number>;

  /** Consumer groups: each group has one coordinator (KIP-848 server-side assignment). */
  groupHeartbeat(group: string, request: HeartbeatRequest & { waitMs?: number }): Promise<HeartbeatResponse>;
  commitOffsets(group: string, request: OffsetCommitRequest): Promise<void>;
  fetchOffsets(group: string): Promise<CommittedOffset[]>;
  describeGroup(group: string): Promise<(GroupState & { state: string }) | null>;
  listGroups(): Promise<string[]>;
  /** Admin commit for a group without members (offset reset). */
  resetGroupOffsets(group: string, offsets: CommittedOffset[]): Promise<void>;
  deleteGroup(group: string): Promise<void>;

  /** Push subscriptions, in runtimes that run them (the edge, @rill/node); absent elsewhere. */
  subscriptions?: SubscriptionService;
}
