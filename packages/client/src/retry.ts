// Exponential backoff with jitter, in kafkajs's shape (`retry: { retries, initialRetryTime, ... }`)
// so its users can carry their settings over. Only retriable errors are ever retried.

import { abortReason, isRetriable, throwIfAborted } from "./errors.ts";

export interface RetryOptions {
  /** Attempts after the first (default 5). */
  retries?: number;
  /** Wait before the first retry, in ms (default 100, Kafka's retry.backoff.ms). */
  initialRetryTime?: number;
  /** Longest wait between attempts, in ms (default 30 000). */
  maxRetryTime?: number;
  /** Growth of the wait per attempt (default 2). */
  multiplier?: number;
  /** Random spread of each wait, as a fraction (default 0.2), so clients do not retry in lockstep. */
  factor?: number;
}

export type ResolvedRetry = Required<RetryOptions>;

export const RETRY_OPTIONS = {
  retries: true,
  initialRetryTime: true,
  maxRetryTime: true,
  multiplier: true,
  factor: true,
} as const satisfies Record<keyof RetryOptions, true>;

export function resolveRetry(options: RetryOptions = {}): ResolvedRetry {
  return {
    retries: options.retries ?? 5,
    initialRetryTime: options.initialRetryTime ?? 100,
    maxRetryTime: options.maxRetryTime ?? 30_000,
    multiplier: options.multiplier ?? 2,
    factor: options.factor ?? 0.2,
  };
}

/** Wait before retry number `attempt` (1 = the first retry). */
export function backoff(retry: ResolvedRetry, attempt: number): number {
  const base = Math.min(retry.initialRetryTime * retry.multiplier ** Math.max(0, attempt - 1), retry.maxRetryTime);
  const spread = base * retry.factor;
  return Math.max(0, Math.round(base - spread + Math.random() * 2 * spread));
}

/** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortReason(signal));
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortReason(signal as AbortSignal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** Runs `fn`, retrying retriable failures with backoff; `onRetry` sees each error before its retry. */
export async function withRetry<T>(
  retry: ResolvedRetry,
  fn: (attempt: number) => Promise<T>,
  options: { signal?: AbortSignal; onRetry?: (error: unknown) => void } = {},
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    throwIfAborted(options.signal);
    try {
      return await fn(attempt);
    } catch (error) {
      if (!isRetriable(error) || attempt >= retry.retries) throw error;
      options.onRetry?.(error);
      await sleep(backoff(retry, attempt + 1), options.signal);
    }
  }
}
