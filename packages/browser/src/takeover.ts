// When a follower may take the host lock by force. A frozen tab keeps its locks, so a host that
// stopped beating is replaced: by a follower with a visible page, after `missedBeats` silent beats,
// after a random pause (so two followers rarely steal together), and only if no steal happened in
// the last `stealIntervalMs` anywhere (beats carry the time of the last one), so two half-frozen
// tabs cannot bounce the lock between them.

import type { Election } from "./election.ts";

export interface TakeoverOptions {
  election: Election;
  heartbeatMs: number;
  missedBeats: number;
  stealIntervalMs: number;
  /** Whether this worker may steal now (a visible page, not closed). */
  eligible(): boolean;
  /** Just before the steal, for the status. */
  onSteal(): void;
}

export interface Takeover {
  /** A beat from the host arrived, telling when the last steal happened. */
  heard(lastStealAt: number): void;
  /** The newest steal this worker knows of (sent along with its own beats when it hosts). */
  readonly lastStealAt: number;
  /** Called on every heartbeat while following. */
  check(): void;
}

export function createTakeover(options: TakeoverOptions): Takeover {
  const { election } = options;
  let lastBeatAt = Date.now();
  let lastStealAt = 0;
  let pending = false;
  const silent = () => Date.now() - lastBeatAt >= options.heartbeatMs * options.missedBeats;
  const allowed = () => Date.now() - lastStealAt >= options.stealIntervalMs;
  const may = () => !election.holding && options.eligible() && silent() && allowed();

  return {
    heard(stealAt) {
      lastBeatAt = Date.now();
      lastStealAt = Math.max(lastStealAt, stealAt);
    },
    get lastStealAt() {
      return lastStealAt;
    },
    check() {
      if (pending || !may()) return;
      pending = true;
      setTimeout(() => {
        pending = false;
        if (!may()) return;
        lastStealAt = Date.now();
        options.onSteal();
        election.steal();
      }, Math.random() * options.heartbeatMs);
    },
  };
}
