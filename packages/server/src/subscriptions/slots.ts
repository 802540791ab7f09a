// A counting semaphore whose limit is read on every acquire, so a changed maxConcurrency applies
// to the next delivery. Waiters are served in arrival order.

export interface Slots {
  acquire(): Promise<() => void>;
  readonly inUse: number;
}

export function createSlots(limit: () => number): Slots {
  let inUse = 0;
  const waiting: Array<() => void> = [];
  const grant = (): (() => void) => {
    inUse++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      inUse--;
      while (waiting.length > 0 && inUse < limit()) waiting.shift()?.();
    };
  };
  return {
    get inUse() {
      return inUse;
    },
    acquire() {
      if (inUse < limit() && waiting.length === 0) return Promise.resolve(grant());
      return new Promise((resolve) => waiting.push(() => resolve(grant())));
    },
  };
}
