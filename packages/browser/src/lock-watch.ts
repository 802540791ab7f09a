// Learning that a page or worker died: it holds a Web Lock for its life, and whoever must clean up
// after it queues for that lock, which the browser grants once the holder is gone.

export interface LockWatches {
  /** Calls `onGone` once the holder of `lockName` has released it (at most once per name). */
  watch(lockName: string, onGone: () => void): void;
  /** Leaves every queue (this worker is closing). */
  close(): void;
}

export function createLockWatches(locks: LockManager | undefined): LockWatches {
  const watches = new Map<string, AbortController>();
  return {
    watch(lockName, onGone) {
      if (!locks || watches.has(lockName)) return;
      const controller = new AbortController();
      watches.set(lockName, controller);
      locks
        .request(lockName, { signal: controller.signal }, () => {
          watches.delete(lockName);
          onGone();
        })
        .catch(() => undefined);
    },
    close() {
      for (const controller of watches.values()) controller.abort();
      watches.clear();
    },
  };
}
