// Small waiting helpers: "wake me when something changed" and "run this at most every N ms".

/** Waiters resolved by the next notify(), or after their timeout. */
export function createChanges() {
  let waiters: Array<() => void> = [];
  return {
    /** Resolves on the next notify() or after timeoutMs, whichever comes first. */
    wait(timeoutMs: number): Promise<void> {
      return new Promise((resolve) => {
        const done = () => {
          clearTimeout(timer);
          waiters = waiters.filter((w) => w !== done);
          resolve();
        };
        const timer = setTimeout(done, timeoutMs);
        waiters.push(done);
      });
    },
    notify(): void {
      for (const waiter of [...waiters]) waiter();
    },
  };
}

/** Calls `fn` soon after `schedule()`, at most once per `intervalMs`. */
export function throttled(intervalMs: number, fn: () => void) {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let lastAt = Number.NEGATIVE_INFINITY;
  return {
    schedule(): void {
      if (timer !== undefined) return;
      const wait = Math.max(0, lastAt + intervalMs - Date.now());
      timer = setTimeout(() => {
        timer = undefined;
        lastAt = Date.now();
        fn();
      }, wait);
    },
    cancel(): void {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
    },
  };
}

/** A random id (Web Crypto where present). */
export function randomId(): string {
  return globalThis.crypto?.randomUUID?.() ?? `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}
