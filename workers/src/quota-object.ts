// One quota meter per quota entity (produce or fetch of a user, a client id, or both), so a quota
// holds across every Worker isolate and every partition a client writes or reads. The meter is
// the core's (GCRA) in memory: throttle state is short-lived by nature, and an object that is
// evicted simply starts its entity afresh, as a restarted Kafka broker does.

import { DurableObject } from "cloudflare:workers";
import { createQuotaMeter, type QuotaMeter } from "@rill/core";
import type { Env } from "./env.ts";

export class QuotaObject extends DurableObject<Env> {
  private readonly meter: QuotaMeter = createQuotaMeter();

  /** Counts bytes against the entity; answers the throttle time it now owes, in ms. */
  charge(key: string, bytes: number, bytesPerSecond: number): number {
    return this.meter.charge(key, bytes, bytesPerSecond);
  }

  /** The throttle time the entity still owes, in ms. */
  pending(key: string): number {
    return this.meter.pending(key);
  }
}
