// @rill/client: producer, consumer and admin over Rill's HTTP protocol. fetch only, no host APIs
// beyond it, so the same package runs in browsers, Workers and Node.

// the error type the client throws, re-exported so callers need no second import
export {
  type AclBinding,
  type AclFilter,
  type ErrorCode,
  isRillError,
  type QuotaEntity,
  type QuotaEntry,
  RillError,
} from "@rill/core";
export type { Admin, PartitionOffsets, PartitionsAdded, TopicSpec } from "./admin.ts";
export type {
  GroupAdmin,
  GroupDescription,
  GroupListing,
  GroupMemberDescription,
  GroupPartitionLag,
  GroupState,
  ResetTarget,
} from "./admin-groups.ts";
export type {
  AclBindingInput,
  CreatedCredential,
  CredentialListing,
  QuotaChangeInput,
  SecurityAdmin,
} from "./admin-security.ts";
export type {
  SubscriptionAdmin,
  SubscriptionChanges,
  SubscriptionCounters,
  SubscriptionDescription,
  SubscriptionPartitionStatus,
  SubscriptionSpec,
  SubscriptionTarget,
} from "./admin-subscriptions.ts";
export {
  type AssignmentListener,
  type AssignmentSource,
  createManualAssignment,
  type ManualAssignment,
  type TopicPartition,
} from "./assignment.ts";
export { type Client, type ClientOptions, createClient, type Logger } from "./client.ts";
export type {
  Batch,
  ConsumedMessage,
  Consumer,
  ConsumerOptions,
  EachBatchPayload,
  EachMessagePayload,
  RunOptions,
  TopicPartitions,
} from "./consumer-api.ts";
export { errorFromBody, isRetriable } from "./errors.ts";
export type { AssignorName, GroupMetadata, GroupOptions, RebalanceListener, Subscription } from "./group-api.ts";
export type { TopicPartitionOffset } from "./group-commits.ts";
export type { CommittedOffset } from "./group-offsets.ts";
export type { PartitionDescription, TopicDescription } from "./metadata.ts";
export type { OffsetResetPolicy, SeekTarget } from "./offsets.ts";
export { defaultPartitioner, type Partitioner, type PartitionerArgs } from "./partitioner.ts";
export type { AcksOption, Producer, ProducerBatchRecord, ProducerOptions, ProducerRecord } from "./producer.ts";
export type { Acks, RecordMetadata } from "./producer-batches.ts";
export type { Message } from "./producer-records.ts";
export {
  createRequestReply,
  REQUEST_HEADERS,
  type RequestHandler,
  type RequestOptions,
  type RequestReply,
  type RequestReplyOptions,
  type Responder,
  type ServeOptions,
} from "./request-reply.ts";
export type { RetryOptions } from "./retry.ts";
export { KEY_REQUIRED_CONFIG, type StandardSchemaLike, type TopicSchema, VALUE_SCHEMA_CONFIG } from "./schema.ts";
export {
  type ConsumedHeaders,
  type Deserializer,
  deserializers,
  type MessageData,
  type MessageHeaders,
  type Serializer,
  serializers,
} from "./serializers.ts";
export { type Auth, createTransport, type FetchLike, type RequestSpec, type Transport, type TransportOptions } from "./transport.ts";
