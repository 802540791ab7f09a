// Errors on the client side: the broker's {"error": {code, message, retriable, ...details}} rebuilt
// into the one RillError of @rill/core, so callers branch on `code` and `retriable` exactly as the
// server-side code does. Failures that never reached a broker get codes from the same table.

import { type ErrorCode, isErrorCode, RillError } from "@rill/core";

/** Statuses a response without a Rill error body maps to (proxies, gateways, load balancers). */
const statusCodes: Record<number, ErrorCode> = {
  400: "INVALID_REQUEST",
  401: "SASL_AUTHENTICATION_FAILED",
  403: "CLUSTER_AUTHORIZATION_FAILED",
  404: "NOT_FOUND",
  405: "METHOD_NOT_ALLOWED",
  413: "REQUEST_TOO_LARGE",
  415: "UNSUPPORTED_MEDIA_TYPE",
  429: "THROTTLING_QUOTA_EXCEEDED",
  502: "NETWORK_EXCEPTION",
  503: "NETWORK_EXCEPTION",
  504: "REQUEST_TIMED_OUT",
};

/**
 * Rebuilds a RillError from an error response. Unknown codes (a newer broker) become
 * UNKNOWN_SERVER_ERROR with the broker's code and retriable flag kept in `details`.
 */
export function errorFromBody(status: number, text: string, url: string): RillError {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const error = (body as { error?: unknown } | undefined)?.error;
  if (error && typeof error === "object" && typeof (error as { code?: unknown }).code === "string") {
    const { code, message, retriable, ...details } = error as { code: string; message?: unknown; retriable?: unknown };
    const text = typeof message === "string" ? message : `${code} from ${url}`;
    if (isErrorCode(code)) return new RillError(code, text, { ...details, status });
    return new RillError("UNKNOWN_SERVER_ERROR", text, { ...details, status, serverCode: code, serverRetriable: retriable === true });
  }
  const code = statusCodes[status] ?? "UNKNOWN_SERVER_ERROR";
  const snippet = text.length > 200 ? `${text.slice(0, 200)}...` : text;
  return new RillError(code, `HTTP ${status} from ${url}${snippet ? `: ${snippet}` : ""}`, { status });
}

/** Whether trying again may succeed: the code table's flag, or the broker's for a code we do not know. */
export function isRetriable(error: unknown): boolean {
  if (!(error instanceof RillError)) return false;
  return error.retriable || error.details?.serverRetriable === true;
}

/** The reason an AbortSignal carries, as fetch rejects with it. */
export function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException("This operation was aborted", "AbortError");
}

/** Rejects at once when the signal is already aborted. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortReason(signal);
}
