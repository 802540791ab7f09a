// The producer's memory bound (Kafka's buffer.memory): bytes of records accepted but not yet
// acknowledged. When it is full, send() waits, first come first served, and gives up after
// maxBlockMs with REQUEST_TIMED_OUT, so a slow or unreachable broker pushes back on the
// application instead of growing memory without limit.

import { RillError } from "@rill/core";
import { abortReason } from "./errors.ts";

export interface BufferPool {
  /** Reserves bytes, waiting up to timeoutMs for others to release theirs; undefined when granted at once. */
  acquire(bytes: number, timeoutMs: number, signal?: AbortSignal): Promise<void> | undefined;
  release(bytes: number): void;
  /** Bytes reserved now. */
  used(): number;
}

interface Waiter {
  bytes: number;
  grant(): void;
}

export function createBufferPool(capacity: number): BufferPool {
  let used = 0;
  const waiters: Waiter[] = [];

  function drain(): void {
    // strictly in order: a large send at the head is not starved by small ones behind it
    while (waiters.length > 0 && used + (waiters[0] as Waiter).bytes <= capacity) {
      const w = waiters.shift() as Waiter;
      used += w.bytes;
      w.grant();
    }
  }

  return {
    acquire(bytes, timeoutMs, signal) {
      if (bytes > capacity) {
        return Promise.reject(
          new RillError(
            "RECORD_LIST_TOO_LARGE",
            `a send of ${bytes} bytes cannot fit bufferMemory (${capacity} bytes); split it or raise bufferMemory`,
          ),
        );
      }
      if (signal?.aborted) return Promise.reject(abortReason(signal));
      if (waiters.length === 0 && used + bytes <= capacity) {
        used += bytes;
        return undefined;
      }
      return new Promise<void>((resolve, reject) => {
        const give = (error: unknown) => {
          const at = waiters.indexOf(waiter);
          if (at >= 0) waiters.splice(at, 1);
          clearTimeout(timer);
          signal?.removeEventListener("abort", onAbort);
          reject(error);
          // the head may have left: whoever is next may fit now
          drain();
        };
        const onAbort = () => give(abortReason(signal as AbortSignal));
        const timer = setTimeout(
          () =>
            give(
              new RillError(
                "REQUEST_TIMED_OUT",
                `send waited ${timeoutMs} ms (maxBlockMs) for buffer memory: ${used} of ${capacity} bytes are still unacknowledged`,
              ),
            ),
          timeoutMs,
        );
        const waiter: Waiter = {
          bytes,
          grant() {
            clearTimeout(timer);
            signal?.removeEventListener("abort", onAbort);
            resolve();
          },
        };
        signal?.addEventListener("abort", onAbort, { once: true });
        waiters.push(waiter);
      });
    },
    release(bytes) {
      used = Math.max(0, used - bytes);
      drain();
    },
    used: () => used,
  };
}
