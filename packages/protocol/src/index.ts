// @rill/protocol: Rill's HTTP contract, defined once for the server and every client: paths, media
// types and header names here (no dependencies), body schemas and the list of operations in
// "@rill/protocol/operations" (zod), which the server validates with and documents from.
export type { Access, AccessCheck, AccessOperation, AccessResource, NameSource } from "./access.ts";
export * from "./headers.ts";
export { INTERNAL_GROUP_PREFIX, isInternalGroup } from "./internal-groups.ts";
export * from "./media-types.ts";
export * from "./paths.ts";
export type { JsonRecord, RecordEncoding } from "./records.ts";
export type {
  AddPartitionsBody,
  AlterConfigBody,
  CommitBody,
  CreateTopicBody,
  HeartbeatBody,
  InitProducerBody,
  ProduceBody,
  ResetOffsetsBody,
} from "./schemas.ts";
export type {
  AclBindingBody,
  AclFilterBody,
  AlterQuotaBody,
  CreateAclsBody,
  CreateCredentialBody,
  DeleteAclsBody,
} from "./security-schemas.ts";
export type {
  CreatedSubscription,
  SubscriptionCounters,
  SubscriptionDescription,
  SubscriptionPartitionStatus,
  SubscriptionSettings,
  SubscriptionStatus,
} from "./subscription-answers.ts";
export type { CreateSubscriptionBody, SubscriptionTargetBody, UpdateSubscriptionBody } from "./subscription-schemas.ts";
export { RILL_VERSION } from "./version.ts";
