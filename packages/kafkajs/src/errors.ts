// kafkajs's error classes, so `catch (e) { if (e instanceof KafkaJSProtocolError) ... }` and
// `e.retriable` / `e.type` keep working. A RillError from the client becomes a
// KafkaJSProtocolError whose `type` is the Kafka error name Rill already uses (e.g.
// UNKNOWN_TOPIC_OR_PARTITION), with the RillError as `cause`.

import { isRillError, type RillError } from "@rill/core";

export class KafkaJSError extends Error {
  readonly retriable: boolean;
  readonly helpUrl?: string;
  override readonly cause?: unknown;

  constructor(e: string | Error, { retriable = false, cause }: { retriable?: boolean; cause?: unknown } = {}) {
    super(typeof e === "string" ? e : e.message);
    this.name = "KafkaJSError";
    this.retriable = retriable;
    this.cause = cause ?? (typeof e === "string" ? undefined : e);
  }
}

export class KafkaJSNonRetriableError extends KafkaJSError {
  constructor(e: string | Error, options: { cause?: unknown } = {}) {
    super(e, { retriable: false, ...options });
    this.name = "KafkaJSNonRetriableError";
  }
}

export class KafkaJSProtocolError extends KafkaJSError {
  /** Kafka's error name, e.g. UNKNOWN_TOPIC_OR_PARTITION. */
  readonly type: string;
  /** Rill's HTTP status for it (Kafka's numeric codes do not travel over HTTP). */
  readonly code: number;

  constructor(e: string | Error, { type, code, retriable, cause }: { type: string; code: number; retriable: boolean; cause?: unknown }) {
    super(e, { retriable, cause });
    this.name = "KafkaJSProtocolError";
    this.type = type;
    this.code = code;
  }
}

export class KafkaJSNumberOfRetriesExceeded extends KafkaJSNonRetriableError {
  constructor(e: string | Error) {
    super(e);
    this.name = "KafkaJSNumberOfRetriesExceeded";
  }
}

export class KafkaJSConnectionError extends KafkaJSError {
  readonly broker?: string;

  constructor(e: string | Error, { broker }: { broker?: string } = {}) {
    super(e, { retriable: true });
    this.name = "KafkaJSConnectionError";
    this.broker = broker;
  }
}

export class KafkaJSRequestTimeoutError extends KafkaJSError {
  constructor(e: string | Error) {
    super(e, { retriable: true });
    this.name = "KafkaJSRequestTimeoutError";
  }
}

/** A kafkajs call Rill does not do (yet): refused by name, never a silent no-op. */
export class KafkaJSNotImplemented extends KafkaJSNonRetriableError {
  constructor(e: string) {
    super(e);
    this.name = "KafkaJSNotImplemented";
  }
}

/** A config or argument kafkajs would refuse (or Rill cannot honour). */
export class KafkaJSInvalidArgument extends KafkaJSNonRetriableError {
  constructor(e: string) {
    super(e);
    this.name = "KafkaJSInvalidArgument";
  }
}

export class KafkaJSDeleteGroupsError extends KafkaJSError {
  readonly groups: Array<{ groupId: string; errorCode: number; error?: KafkaJSError }>;

  constructor(e: string, groups: KafkaJSDeleteGroupsError["groups"]) {
    super(e);
    this.name = "KafkaJSDeleteGroupsError";
    this.groups = groups;
  }
}

/** Rebuilds anything the Rill client threw as kafkajs would have thrown it. */
export function toKafkaJSError(error: unknown): Error {
  if (error instanceof KafkaJSError) return error;
  if (isRillError(error)) {
    const rill = error as RillError;
    if (rill.code === "REQUEST_TIMED_OUT") return new KafkaJSRequestTimeoutError(rill);
    if (rill.code === "NETWORK_EXCEPTION") return new KafkaJSConnectionError(rill);
    return new KafkaJSProtocolError(rill, { type: rill.code, code: rill.status, retriable: rill.retriable, cause: rill });
  }
  if (error instanceof Error) return new KafkaJSError(error, { cause: error });
  return new KafkaJSError(String(error));
}

/** Runs `fn`, throwing what it throws as a kafkajs error. */
export async function kafkaErrors<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw toKafkaJSError(error);
  }
}

export const errors = {
  KafkaJSError,
  KafkaJSNonRetriableError,
  KafkaJSProtocolError,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSConnectionError,
  KafkaJSRequestTimeoutError,
  KafkaJSNotImplemented,
  KafkaJSInvalidArgument,
  KafkaJSDeleteGroupsError,
};
