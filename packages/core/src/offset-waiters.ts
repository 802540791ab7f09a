// In-memory wake-ups for long-polls and live tails: a reader waiting for offset N is resolved by
// the append (or high-watermark move) that makes N readable. Nothing polls storage.

export interface OffsetWaiters {
  /** Resolves true once `offset` is below the high watermark, false on timeout or abort. */
  wait(
    offset: number,
    timeoutMs: number,
    signal?: { aborted: boolean; addEventListener(type: "abort", fn: () => void): void },
  ): Promise<boolean>;
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
  let waiters: Waiter[] = [];

  return {
    wait(offset, timeoutMs, signal) {
      if (offset < currentHighWatermark()) return Promise.resolve(true);
      if (timeoutMs <= 0 || signal?.aborted) return Promise.resolve(false);
      return new Promise<boolean>((resolve) => {
        let timer: ReturnType<typeof setTimeout> | undefined;
        const waiter: Waiter = {
          offset,
          done: (ready) => {
            if (timer !== undefined) clearTimeout(timer);
            waiters = waiters.filter((w) => w !== waiter);
            resolve(ready);
          },
        };
        timer = setTimeout(() => waiter.done(false), timeoutMs);
        signal?.addEventListener("abort", () => waiter.done(false));
        waiters.push(waiter);
      });
    },
    notify(highWatermark) {
      if (waiters.length === 0) return;
      const ready = waiters.filter((w) => w.offset < highWatermark);
      for (const w of ready) w.done(true);
    },
    cancelAll() {
      for (const w of [...waiters]) w.done(false);
    },
    get size() {
      return waiters.length;
    },
  };
}
