// @rill/kafkajs: kafkajs's API over Rill's HTTP protocol, for Node, Workers and browsers (which
// kafkajs itself cannot reach: it needs TCP). Change the import, point `brokers` at Rill, keep the code.

export { type BufferLike, bufferFrom, toBuffer } from "./buffer.ts";
export {
  AclOperationTypes,
  AclPermissionTypes,
  AclResourceTypes,
  CompressionCodecs,
  CompressionTypes,
  ConfigResourceTypes,
  ConfigSource,
  logLevel,
  ResourcePatternTypes,
  ResourceTypes,
} from "./constants.ts";
export {
  errors,
  KafkaJSConnectionError,
  KafkaJSDeleteGroupsError,
  KafkaJSError,
  KafkaJSInvalidArgument,
  KafkaJSNonRetriableError,
  KafkaJSNotImplemented,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSProtocolError,
  KafkaJSRequestTimeoutError,
} from "./errors.ts";
export type { InstrumentationEvent, RemoveInstrumentationEventListener } from "./events.ts";
export { Kafka, type KafkaConfig, type SASLOptions } from "./kafka.ts";
export type { LogCreator, LogEntry, Logger } from "./logger.ts";
export { PartitionAssigners, Partitioners } from "./partitioners.ts";
export type * from "./types.ts";
