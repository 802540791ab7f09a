// In-memory wake-ups for long-polls and live tails: a reader waiting for offset N is resolved by
// the append (or high-watermark move) that makes N readable. Nothing polls storage. A waiter is
// gone once it is woken, times out or is aborted, and leaves nothing behind on the signal, so
// what is held is bounded by the readers waiting now, whatever was written or read before.

/** The part of an AbortSignal a wait uses. */
export interface WaitSignal {
  aborted: boolean;
  addEventListener(type: "abort", fn: () => void): void;
  removeEventListener?(type: "abort", fn: () => void): void;
}

export interface OffsetWaiters {
  /** Resolves true once `offset` is below the high watermark, false on timeout or abort. */
  wait(offset: number, timeoutMs: number, signal?: WaitSignal): Promise<boolean>;
  /** Wakes every waiter whose offset is now below `highWatermark`. */
  notify(highWatermark: number): void;
  /** Wakes everyone (e.g. on truncation or shutdown) with false. */
  cancelAll(): void;
  readonly size: number;
}

interface Waiter {
  offset: number;
  done: (ready: boolean) => void;
}

export function createOffsetWaiters(currentHighWatermark: () => number): OffsetWaiters {
  const waiters = new Set<Waiter>();

  return {
    wait(offset, timeoutMs, signal) {
      if (offset < currentHighWatermark()) return Promise.resolve(true);
      if (timeoutMs <= 0 || signal?.aborted) return Promise.resolve(false);
      return new Promise<boolean>((resolve) => {
        const abort = () => waiter.done(false);
        const waiter: Waiter = {
          offset,
          done: (ready) => {
            if (!waiters.delete(waiter)) return;
            clearTimeout(timer);
            // a long-lived signal (an SSE stream's, reused by every poll) must not keep each old waiter
            signal?.removeEventListener?.("abort", abort);
            resolve(ready);
          },
        };
        waiters.add(waiter);
        const timer = setTimeout(() => waiter.done(false), timeoutMs);
        signal?.addEventListener("abort", abort);
      });
    },
    notify(highWatermark) {
      if (waiters.size === 0) return;
      for (const w of [...waiters]) if (w.offset < highWatermark) w.done(true);
    },
    cancelAll() {
      for (const w of [...waiters]) w.done(false);
    },
    get size() {
      return waiters.size;
    },
  };
}
