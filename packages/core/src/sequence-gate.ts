// Requests from one idempotent producer can overtake each other on their way to the partition's
// writer: at the edge, each goes through its own Worker invocation and RPC, so five batches sent in
// order arrive in any order. Refused at once, an early batch costs the producer a round trip and a
// backoff (Kafka's answer, OUT_OF_ORDER_SEQUENCE_NUMBER, assumes one ordered TCP connection). Here
// a batch that is ahead of its producer's next expected sequence waits a little for its
// predecessors; when they do not come in time, it goes on and is refused as before.

export interface SequenceGateOptions {
  /** Longest a batch waits for its predecessors (default 250 ms). */
  maxWaitMs?: number;
  /** Batches allowed to wait at once, over all producers; the rest are not held (default 32). */
  maxWaiting?: number;
}

export interface SequenceGate {
  /** Resolves once `ready()` holds (checked now and after each append of the producer), or after maxWaitMs. */
  wait(producerId: number, ready: () => boolean): Promise<void>;
  /** The producer's batches moved on (appended or refused): its waiters look again. */
  moved(producerId: number): void;
}

export function createSequenceGate(options: SequenceGateOptions = {}): SequenceGate {
  const maxWaitMs = options.maxWaitMs ?? 250;
  const maxWaiting = options.maxWaiting ?? 32;
  const waiting = new Map<number, Set<() => void>>();
  let count = 0;

  return {
    wait(producerId, ready) {
      if (ready() || count >= maxWaiting) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const set = waiting.get(producerId) ?? new Set<() => void>();
        waiting.set(producerId, set);
        count++;
        const done = () => {
          clearTimeout(timer);
          set.delete(look);
          if (set.size === 0 && waiting.get(producerId) === set) waiting.delete(producerId);
          count--;
          resolve();
        };
        const look = () => {
          if (ready()) done();
        };
        const timer = setTimeout(done, maxWaitMs);
        set.add(look);
      });
    },
    moved(producerId) {
      for (const look of [...(waiting.get(producerId) ?? [])]) look();
    },
  };
}
