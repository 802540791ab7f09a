// One host per database, elected with the Web Locks API: the worker granted the lock hosts until it
// releases it or the lock is stolen from it. Locks held by a worker or page are released by the
// browser when it goes away, so a closed tab hands the database on by itself. A frozen tab keeps its
// locks, hence `steal` (used by host-node.ts, bounded there).

export interface ElectionOptions {
  locks: LockManager;
  lockName: string;
  /** This worker now holds the lock. */
  onGranted(): void;
  /** Another worker stole the lock: stop writing at once. */
  onStolen(): void;
}

export interface Election {
  /** Queues for the lock (does nothing while queued or holding). */
  campaign(): void;
  /** Takes the lock from its holder now. */
  steal(): void;
  /** Gives the lock up (if held) and leaves the queue. */
  release(): void;
  readonly holding: boolean;
  /** Asks the lock manager whether this worker still holds the lock (true where it cannot tell). */
  verify(): Promise<boolean>;
}

export function createElection(options: ElectionOptions): Election {
  const { locks, lockName } = options;
  let queued: AbortController | undefined;
  let holding = false;
  let endHold: (() => void) | undefined;
  let clientId: string | undefined;

  function request(steal: boolean): void {
    let granted = false;
    const lockOptions: LockOptions = steal ? { steal: true } : { signal: (queued = new AbortController()).signal };
    locks
      .request(lockName, lockOptions, async () => {
        granted = true;
        queued = undefined;
        holding = true;
        const held = new Promise<void>((resolve) => {
          endHold = resolve;
        });
        clientId = (await locks.query()).held?.find((lock) => lock.name === lockName)?.clientId;
        options.onGranted();
        await held;
      })
      .catch(() => {
        // rejected after the grant: stolen; before it: our own queued request was cancelled
        if (granted && holding) {
          holding = false;
          endHold = undefined;
          options.onStolen();
        }
      });
  }

  return {
    campaign() {
      if (!holding && !queued) request(false);
    },
    steal() {
      queued?.abort();
      queued = undefined;
      request(true);
    },
    release() {
      queued?.abort();
      queued = undefined;
      holding = false;
      endHold?.();
      endHold = undefined;
    },
    get holding() {
      return holding;
    },
    async verify() {
      if (!holding) return false;
      const held = (await locks.query()).held?.find((lock) => lock.name === lockName);
      return held !== undefined && (clientId === undefined || held.clientId === clientId);
    },
  };
}
