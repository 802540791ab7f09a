// @rill/server: the HTTP protocol (Hono), runtime-agnostic, and the in-process broker.
export { createHttpApp, type HttpAppOptions } from "./app.ts";
export { type AuthOptions, authEnabled, bearerTokens, superUsersFrom, TOKEN_PRINCIPAL, tokensFrom } from "./auth.ts";
export type { Acks, Broker, BrokerAppendOptions, FetchedBatches, PartitionRef } from "./broker.ts";
export { errorBody, errorResponse } from "./http-errors.ts";
export { createLocalBroker, type LocalBroker, type LocalBrokerOptions } from "./local-broker.ts";
export type { MirrorMark } from "./local-mirrors.ts";
export { openApiDocument } from "./openapi.ts";
export { type JsonRecord, toJsonRecord, toRecordInput } from "./records-json.ts";
export { jsonFetchAnswer, SSE_MAX_WRITES } from "./routes/fetch.ts";
export { parseAcks, partitionRef } from "./routes/produce.ts";
export {
  ANONYMOUS,
  createSecurityLayer,
  identityOf,
  type JwtOptions,
  localQuotaService,
  newApiKey,
  parseApiKey,
  type QuotaService,
  type RequestIdentity,
  type SecurityOptions,
  type SecuritySettings,
  securitySettingsFrom,
  verifyApiKey,
} from "./security/index.ts";
export { applySubscriptionChanges, checkTarget, newSubscriptionConfig, newSubscriptionSecret } from "./subscriptions/config.ts";
export { DEAD_LETTER_HEADERS } from "./subscriptions/dead-letter.ts";
export {
  createSubscriptionDocuments,
  type StoredSubscription,
  type SubscriptionDocuments,
  subscriptionId,
} from "./subscriptions/document-store.ts";
export { deliverOverHttp, type FetchLike, verdictOf } from "./subscriptions/http-target.ts";
export { createLocalSubscriptions, type LocalSubscriptions, type LocalSubscriptionsOptions } from "./subscriptions/local-service.ts";
export { createSubscriptionPump, type PumpPorts, type SubscriptionPump } from "./subscriptions/pump.ts";
export type { PumpState, PumpStore } from "./subscriptions/pump-state.ts";
export type {
  CreatedSubscription,
  PartitionStatus,
  StartAt,
  SubscriptionChanges,
  SubscriptionConfig,
  SubscriptionCounters,
  SubscriptionDescription,
  SubscriptionService,
  SubscriptionStatus,
  SubscriptionTarget,
} from "./subscriptions/types.ts";
