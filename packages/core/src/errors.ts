// One error type for the whole system. Codes borrow Kafka's error names so Kafka users recognise
// them; `retriable` tells clients whether trying again can succeed. HTTP statuses live here as data
// (not logic) so the server edge and the client agree on one table.

export interface ErrorSpec {
  /** HTTP status the server edge answers with. */
  readonly status: number;
  /** Whether the same request may succeed if retried later. */
  readonly retriable: boolean;
}

export const errorCodes = {
  // bad input
  INVALID_REQUEST: { status: 400, retriable: false },
  INVALID_RECORD: { status: 400, retriable: false },
  CORRUPT_MESSAGE: { status: 400, retriable: false },
  INVALID_TOPIC_EXCEPTION: { status: 400, retriable: false },
  INVALID_PARTITIONS: { status: 400, retriable: false },
  INVALID_REPLICATION_FACTOR: { status: 400, retriable: false },
  INVALID_CONFIG: { status: 400, retriable: false },
  INVALID_TIMESTAMP: { status: 400, retriable: false },
  INVALID_REQUIRED_ACKS: { status: 400, retriable: false },
  UNSUPPORTED_COMPRESSION_TYPE: { status: 400, retriable: false },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, retriable: false },
  // credentials, ACLs and quotas asked of a broker that keeps none (the browser's local broker)
  SECURITY_DISABLED: { status: 400, retriable: false },
  // size limits
  MESSAGE_TOO_LARGE: { status: 413, retriable: false },
  RECORD_LIST_TOO_LARGE: { status: 413, retriable: false },
  REQUEST_TOO_LARGE: { status: 413, retriable: false },
  // auth
  SASL_AUTHENTICATION_FAILED: { status: 401, retriable: false },
  TOPIC_AUTHORIZATION_FAILED: { status: 403, retriable: false },
  GROUP_AUTHORIZATION_FAILED: { status: 403, retriable: false },
  CLUSTER_AUTHORIZATION_FAILED: { status: 403, retriable: false },
  TRANSACTIONAL_ID_AUTHORIZATION_FAILED: { status: 403, retriable: false },
  // unknown things
  UNKNOWN_TOPIC_OR_PARTITION: { status: 404, retriable: false },
  GROUP_ID_NOT_FOUND: { status: 404, retriable: false },
  UNKNOWN_MEMBER_ID: { status: 404, retriable: false },
  NOT_FOUND: { status: 404, retriable: false },
  SUBSCRIPTION_NOT_FOUND: { status: 404, retriable: false },
  METHOD_NOT_ALLOWED: { status: 405, retriable: false },
  OFFSET_OUT_OF_RANGE: { status: 416, retriable: false },
  // conflicts and fencing
  TOPIC_ALREADY_EXISTS: { status: 409, retriable: false },
  SUBSCRIPTION_ALREADY_EXISTS: { status: 409, retriable: false },
  NON_EMPTY_GROUP: { status: 409, retriable: false },
  GROUP_MAX_SIZE_REACHED: { status: 409, retriable: false },
  PRODUCER_FENCED: { status: 409, retriable: false },
  INVALID_PRODUCER_EPOCH: { status: 409, retriable: false },
  UNKNOWN_PRODUCER_ID: { status: 409, retriable: false },
  OUT_OF_ORDER_SEQUENCE_NUMBER: { status: 409, retriable: false },
  DUPLICATE_SEQUENCE_NUMBER: { status: 409, retriable: false },
  FENCED_MEMBER_EPOCH: { status: 409, retriable: false },
  STALE_MEMBER_EPOCH: { status: 409, retriable: false },
  FENCED_LEADER_EPOCH: { status: 409, retriable: false },
  UNKNOWN_LEADER_EPOCH: { status: 409, retriable: true },
  CONCURRENT_APPEND: { status: 409, retriable: true },
  POLICY_VIOLATION: { status: 409, retriable: false },
  // quotas
  THROTTLING_QUOTA_EXCEEDED: { status: 429, retriable: true },
  // unavailability
  NOT_LEADER_OR_FOLLOWER: { status: 503, retriable: true },
  LEADER_NOT_AVAILABLE: { status: 503, retriable: true },
  NOT_ENOUGH_REPLICAS: { status: 503, retriable: true },
  NOT_ENOUGH_REPLICAS_AFTER_APPEND: { status: 503, retriable: true },
  COORDINATOR_NOT_AVAILABLE: { status: 503, retriable: true },
  REQUEST_TIMED_OUT: { status: 503, retriable: true },
  NETWORK_EXCEPTION: { status: 503, retriable: true },
  KAFKA_STORAGE_ERROR: { status: 503, retriable: true },
  // local storage (the browser's IndexedDB): a newer schema waits for old connections to close...
  STORAGE_UPGRADE_BLOCKED: { status: 503, retriable: true },
  // ...and an open connection gave way to one (or the browser closed it): reopen, usually by reloading
  STORAGE_CLOSED: { status: 503, retriable: false },
  UNKNOWN_SERVER_ERROR: { status: 500, retriable: false },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof errorCodes;

export function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(errorCodes, code);
}

/** The one error class of Rill. `details` carries machine-readable context (e.g. log offsets). */
export class RillError extends Error {
  override readonly name = "RillError";
  readonly code: ErrorCode;
  readonly retriable: boolean;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.code = code;
    this.retriable = errorCodes[code].retriable;
    this.details = details;
  }

  get status(): number {
    return errorCodes[this.code].status;
  }
}

export function isRillError(error: unknown, code?: ErrorCode): error is RillError {
  return error instanceof RillError && (code === undefined || error.code === code);
}

/** Wraps anything thrown into a RillError, keeping RillErrors as they are. */
export function toRillError(error: unknown): RillError {
  if (error instanceof RillError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new RillError("UNKNOWN_SERVER_ERROR", message);
}
