// Waiting that can be cut short: by stopping (an AbortSignal) or by a nudge (syncNow, an online event).

export interface Nudge {
  /** Resolves on the next nudge(). */
  next(): Promise<void>;
  nudge(): void;
}

export function createNudge(): Nudge {
  let wake: (() => void) | undefined;
  let waiting: Promise<void> | undefined;
  return {
    next() {
      waiting ??= new Promise<void>((resolve) => {
        wake = resolve;
      });
      return waiting;
    },
    nudge() {
      const w = wake;
      wake = undefined;
      waiting = undefined;
      w?.();
    },
  };
}

/** Resolves after `ms`, on abort, or on a nudge, whichever comes first; never rejects. */
export function pause(ms: number, signal: AbortSignal, nudge?: Nudge): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
    nudge?.next().then(done);
  });
}

/** Exponential backoff with jitter: attempt 0 waits ~100 ms, doubling up to `maxMs`. */
export function backoffMs(attempt: number, maxMs: number): number {
  const ceiling = Math.min(maxMs, 100 * 2 ** Math.min(attempt, 20));
  return ceiling / 2 + Math.random() * (ceiling / 2);
}
