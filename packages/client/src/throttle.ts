// Honouring broker quotas the way Kafka clients do (KIP-219): every answer to a metered request
// carries the throttle time (rill-throttle-time-ms) the client owes, and the next request of the
// same kind waits it out before it is sent. A request the broker refused as too early (429
// THROTTLING_QUOTA_EXCEEDED) was not served at all, so it is sent again after its wait; it never
// counts as a failure, and it cannot write a record twice.

import { RillError } from "@rill/core";
import { THROTTLE_TIME_HEADER } from "@rill/protocol";
import { sleep } from "./retry.ts";

export type QuotaKind = "produce" | "fetch";

/** Refused-as-early answers in a row before the error is passed on (the broker is not letting up). */
const MAX_REFUSALS = 20;

export interface Throttle {
  /** Runs `send` after this kind's throttle time, records the next one, and resends refused requests. */
  run<T extends { headers: Headers }>(kind: QuotaKind, signal: AbortSignal | undefined, send: () => Promise<T>): Promise<T>;
  /** When this kind may send again (ms since the epoch); for tests and metrics. */
  until(kind: QuotaKind): number;
}

function throttleOf(value: unknown): number {
  const ms = Number(value);
  return Number.isFinite(ms) && ms > 0 ? Math.min(ms, 300_000) : 0;
}

export function createThrottle(now: () => number = Date.now): Throttle {
  const until: Record<QuotaKind, number> = { produce: 0, fetch: 0 };
  const owe = (kind: QuotaKind, ms: number) => {
    until[kind] = Math.max(until[kind], now() + ms);
  };
  return {
    async run(kind, signal, send) {
      for (let refusals = 0; ; refusals++) {
        const wait = until[kind] - now();
        if (wait > 0) await sleep(wait, signal);
        try {
          const result = await send();
          owe(kind, throttleOf(result.headers.get(THROTTLE_TIME_HEADER)));
          return result;
        } catch (error) {
          if (!(error instanceof RillError) || error.code !== "THROTTLING_QUOTA_EXCEEDED") throw error;
          const ms = throttleOf(error.details?.throttleTimeMs);
          if (ms === 0 || refusals >= MAX_REFUSALS) throw error;
          owe(kind, ms);
        }
      }
    },
    until: (kind) => until[kind],
  };
}
