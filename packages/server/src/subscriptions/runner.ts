// Drives a pump with timers where a process stays up (the in-process broker): run a round, sleep
// until the pump wants to run again, and start at once when kicked (a setting changed).

import type { SubscriptionPump } from "./pump.ts";

/** Length of one round of a pump before it is run again (state is saved at least this often). */
const ROUND_MS = 10_000;

export interface PumpRunner {
  kick(): void;
  /** Stops after the round in progress (its in-flight deliveries finish). */
  stop(): Promise<void>;
}

export function runPump(pump: SubscriptionPump, options: { now?: () => number; onError?: (error: unknown) => void } = {}): PumpRunner {
  const now = options.now ?? Date.now;
  let stopped = false;
  let kick: () => void = () => undefined;
  const idle = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = ms === Number.POSITIVE_INFINITY ? undefined : setTimeout(done, Math.max(0, ms));
      (timer as { unref?: () => void } | undefined)?.unref?.();
      function done() {
        if (timer !== undefined) clearTimeout(timer);
        kick = () => undefined;
        resolve();
      }
      kick = done;
    });
  const loop = (async () => {
    while (!stopped) {
      let next: number | null = null;
      try {
        next = await pump.run(now() + ROUND_MS);
      } catch (error) {
        options.onError?.(error);
        next = now() + 1000;
      }
      if (stopped) break;
      await idle(next === null ? Number.POSITIVE_INFINITY : next - now());
    }
  })();
  return {
    kick: () => kick(),
    async stop() {
      stopped = true;
      pump.stop();
      kick();
      await loop;
    },
  };
}
