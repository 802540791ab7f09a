// Group commit: writes that arrive while the previous commit is still on its way to disk are
// written together, in one storage call, once it is there, as Kafka's log and every database
// journal batch their fsyncs. An idle log writes at once (no added latency); a busy one turns N
// small commits into one. `barrier` resolves once everything written so far is durable (a Durable
// Object's storage.sync()); without it, groups form only from what queued during the write itself.

/** One item's outcome in a group: its own answer or its own error (one bad request fails alone). */
export type Outcome<R> = { ok: true; value: R } | { ok: false; error: unknown };

export interface GroupCommitOptions<I, R> {
  /** Writes a group as one unit; answers one outcome per item, in order. A throw fails the whole group. */
  write(items: I[]): Promise<Array<Outcome<R>>>;
  barrier?: () => Promise<void>;
  /** Most items in one group (default 64): bounds one transaction's work. */
  maxItems?: number;
}

export interface GroupCommit<I, R> {
  submit(item: I): Promise<R>;
}

export function createGroupCommit<I, R>(options: GroupCommitOptions<I, R>): GroupCommit<I, R> {
  const maxItems = options.maxItems ?? 64;
  let pending: Array<{ item: I; resolve: (value: R) => void; reject: (error: unknown) => void }> = [];
  let draining = false;

  async function drain(): Promise<void> {
    draining = true;
    try {
      while (pending.length > 0) {
        const group = pending.slice(0, maxItems);
        pending = pending.slice(group.length);
        try {
          const outcomes = await options.write(group.map((g) => g.item));
          group.forEach((g, i) => {
            const outcome = outcomes[i];
            if (outcome?.ok) g.resolve(outcome.value);
            else g.reject(outcome ? outcome.error : new Error("group commit: no outcome for an item"));
          });
        } catch (error) {
          for (const g of group) g.reject(error);
        }
        // what arrives meanwhile waits for this commit, then goes in the next group; answers are
        // not held for it (a Durable Object's output gate holds them until their write is durable)
        if (options.barrier && pending.length < maxItems) await options.barrier().catch(() => undefined);
      }
    } finally {
      draining = false;
    }
  }

  return {
    submit(item) {
      return new Promise<R>((resolve, reject) => {
        pending.push({ item, resolve, reject });
        if (!draining) void drain();
      });
    },
  };
}
