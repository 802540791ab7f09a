// @rill/worker: consumers that are Workers. A Rill push subscription delivers batches of one
// partition's records to a Worker (service binding: RPC or fetch) or a webhook; this package is the
// receiving side: the batch with per-record ack/retry, the Worker wrapper, and signature checks.
export { consume, createBatch, type RetryOptions, type RillBatch, type RillHandler, type RillMessage } from "./batch.ts";
export {
  DELIVERY_HEADERS,
  DELIVERY_VERSION,
  type RillDelivery,
  type RillDeliveryRecord,
  type RillDeliveryResult,
} from "./delivery.ts";
export { handleRillRequest, isRillDelivery, type RillRequestOptions } from "./http.ts";
export {
  DEFAULT_SIGNATURE_TOLERANCE_MS,
  signDelivery,
  type VerifyOptions,
  type VerifyResult,
  verifySignature,
} from "./signature.ts";
export { type WithRillOptions, withRill } from "./with-rill.ts";
