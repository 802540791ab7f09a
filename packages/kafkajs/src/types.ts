// kafkajs's public shapes (its index.d.ts, as far as Rill serves them).

import type { BufferLike } from "./buffer.ts";
import type { ConsumerEvents, InstrumentationEvent, ProducerEvents, RemoveInstrumentationEventListener } from "./events.ts";
import type { Logger } from "./logger.ts";

export interface RetryOptions {
  maxRetryTime?: number;
  initialRetryTime?: number;
  factor?: number;
  multiplier?: number;
  retries?: number;
  restartOnFailure?: (e: Error) => Promise<boolean>;
}

export type IHeaders = Record<string, BufferLike | Uint8Array | string | Array<BufferLike | Uint8Array | string> | undefined>;

export interface Message {
  key?: BufferLike | Uint8Array | string | null;
  value: BufferLike | Uint8Array | string | null;
  partition?: number;
  headers?: IHeaders;
  timestamp?: string;
}

export interface ProducerRecord {
  topic: string;
  messages: Message[];
  acks?: number;
  timeout?: number;
  compression?: number;
}

export interface TopicMessages {
  topic: string;
  messages: Message[];
}

export interface ProducerBatch {
  acks?: number;
  timeout?: number;
  compression?: number;
  topicMessages?: TopicMessages[];
}

export interface RecordMetadata {
  topicName: string;
  partition: number;
  errorCode: number;
  offset?: string;
  timestamp?: string;
  baseOffset?: string;
  logAppendTime?: string;
  logStartOffset?: string;
}

export interface PartitionerArgs {
  topic: string;
  partitionMetadata: Array<{ partitionId: number; leader: number; replicas?: number[]; isr?: number[] }>;
  message: Message;
}

export type ICustomPartitioner = () => (args: PartitionerArgs) => number;

export interface ProducerConfig {
  createPartitioner?: ICustomPartitioner;
  retry?: RetryOptions;
  metadataMaxAge?: number;
  allowAutoTopicCreation?: boolean;
  idempotent?: boolean;
  transactionalId?: string;
  transactionTimeout?: number;
  maxInFlightRequests?: number;
}

type On = (eventName: string, listener: (event: InstrumentationEvent) => void) => RemoveInstrumentationEventListener;

export interface Producer {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  isIdempotent(): boolean;
  readonly events: ProducerEvents;
  on: On;
  send(record: ProducerRecord): Promise<RecordMetadata[]>;
  sendBatch(batch: ProducerBatch): Promise<RecordMetadata[]>;
  /** Transactions are not supported yet: throws KafkaJSNotImplemented. */
  transaction(): Promise<never>;
  logger(): Logger;
}

export interface KafkaMessage {
  key: BufferLike | null;
  value: BufferLike | null;
  timestamp: string;
  attributes: number;
  offset: string;
  size?: number;
  headers?: Record<string, BufferLike | BufferLike[] | undefined>;
}

export interface Batch {
  topic: string;
  partition: number;
  highWatermark: string;
  messages: KafkaMessage[];
  isEmpty(): boolean;
  firstOffset(): string | null;
  lastOffset(): string;
  offsetLag(): string;
  offsetLagLow(): string;
}

export interface TopicPartitionOffsetAndMetadata {
  topic: string;
  partition: number;
  offset: string;
  metadata?: string | null;
}

export interface EachMessagePayload {
  topic: string;
  partition: number;
  message: KafkaMessage;
  heartbeat(): Promise<void>;
  pause(): () => void;
}

export interface EachBatchPayload {
  batch: Batch;
  resolveOffset(offset: string): void;
  heartbeat(): Promise<void>;
  pause(): () => void;
  commitOffsetsIfNecessary(offsets?: unknown): Promise<void>;
  uncommittedOffsets(): { topics: Array<{ topic: string; partitions: Array<{ partition: number; offset: string }> }> };
  isRunning(): boolean;
  isStale(): boolean;
}

export interface ConsumerRunConfig {
  autoCommit?: boolean;
  autoCommitInterval?: number | null;
  autoCommitThreshold?: number | null;
  eachBatchAutoResolve?: boolean;
  partitionsConsumedConcurrently?: number;
  eachBatch?: (payload: EachBatchPayload) => Promise<void>;
  eachMessage?: (payload: EachMessagePayload) => Promise<void>;
}

export type ConsumerSubscribeTopics = { topics: Array<string | RegExp>; fromBeginning?: boolean };
export type ConsumerSubscribeTopic = { topic: string | RegExp; fromBeginning?: boolean };

export interface ConsumerConfig {
  groupId: string;
  partitionAssigners?: unknown[];
  metadataMaxAge?: number;
  sessionTimeout?: number;
  rebalanceTimeout?: number;
  heartbeatInterval?: number;
  maxBytesPerPartition?: number;
  minBytes?: number;
  maxBytes?: number;
  maxWaitTimeInMs?: number;
  retry?: RetryOptions;
  allowAutoTopicCreation?: boolean;
  maxInFlightRequests?: number;
  readUncommitted?: boolean;
  rackId?: string;
}

export interface TopicPartitions {
  topic: string;
  partitions?: number[];
}

export interface MemberDescription {
  clientHost: string;
  clientId: string;
  memberId: string;
  memberAssignment: BufferLike;
  memberMetadata: BufferLike;
}

export interface GroupDescription {
  groupId: string;
  members: MemberDescription[];
  protocol: string;
  protocolType: string;
  state: string;
  errorCode: number;
}

export interface Consumer {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  subscribe(subscription: ConsumerSubscribeTopics | ConsumerSubscribeTopic): Promise<void>;
  stop(): Promise<void>;
  run(config?: ConsumerRunConfig): Promise<void>;
  commitOffsets(topicPartitions: TopicPartitionOffsetAndMetadata[]): Promise<void>;
  seek(topicPartitionOffset: { topic: string; partition: number; offset: string }): void;
  describeGroup(): Promise<GroupDescription>;
  pause(topics: TopicPartitions[]): void;
  paused(): Array<{ topic: string; partitions: number[] }>;
  resume(topics: TopicPartitions[]): void;
  readonly events: ConsumerEvents;
  on: On;
  logger(): Logger;
}

export interface AdminConfig {
  retry?: RetryOptions;
}

export interface ITopicConfig {
  topic: string;
  numPartitions?: number;
  replicationFactor?: number;
  replicaAssignment?: object[];
  configEntries?: Array<{ name: string; value: string }>;
}

export interface ConfigResourceEntry {
  type: number;
  name: string;
  configNames?: string[];
}

export interface AclEntry {
  resourceType: number;
  resourceName: string;
  resourcePatternType: number;
  principal: string;
  host: string;
  operation: number;
  permissionType: number;
}

export type AclFilterEntry = Partial<AclEntry>;

// The admin's methods are typed where they are made (admin.ts); this is its shape.
export type Admin = ReturnType<typeof import("./admin.ts").createAdmin>;
