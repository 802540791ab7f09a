// Errors across Durable Object RPC. Workers RPC keeps only an error's message, so objects answer
// with an envelope that carries the RillError code and details, and callers rebuild the RillError.

import { type ErrorCode, isErrorCode, RillError } from "@rill/core";

export type RpcResult<T> =
  | { ok: true; value: T }
  | { ok: false; error: { code: ErrorCode; message: string; details?: Record<string, unknown> } };

/** Runs a Durable Object method, turning a thrown RillError into an envelope. */
export async function serve<T>(fn: () => Promise<T> | T): Promise<RpcResult<T>> {
  try {
    return { ok: true, value: await fn() };
  } catch (error) {
    if (error instanceof RillError) {
      return { ok: false, error: { code: error.code, message: error.message, details: error.details ? { ...error.details } : undefined } };
    }
    throw error;
  }
}

/** Awaits an RPC call, rebuilding its RillError; transport failures become retriable errors. */
export async function call<T>(promise: Promise<RpcResult<T>>): Promise<T> {
  let result: RpcResult<T>;
  try {
    result = await promise;
  } catch (error) {
    // the object crashed, was reset or was unreachable: the caller may try again
    throw new RillError("NETWORK_EXCEPTION", `durable object call failed: ${(error as Error).message ?? String(error)}`);
  }
  if (result.ok) return result.value;
  const code = isErrorCode(result.error.code) ? result.error.code : "UNKNOWN_SERVER_ERROR";
  throw new RillError(code, result.error.message, result.error.details);
}
