// Where the edge delivers: a service binding of this Worker (RPC to the target's `rill` method, or
// a POST to its fetch handler) or a webhook over the network. Each answer becomes a verdict for the
// pump; a target that cannot be reached (no such binding, refused, unavailable) charges no record.

import { type DeliveryOutcome, RillError } from "@rill/core";
import { checkTarget, deliverOverHttp, type SubscriptionConfig, type SubscriptionTarget, verdictOf } from "@rill/server";
import type { RillDelivery } from "@rill/worker";
import type { Env } from "./env.ts";

/** Bindings a subscription may never target: the broker's own objects. */
const OWN_BINDINGS = new Set(["CONTROLLER", "PARTITIONS", "GROUPS", "QUOTAS", "SUBSCRIPTIONS", "SUBSCRIPTION_INDEX", "ASSETS"]);

interface RillService {
  fetch(request: Request): Promise<Response>;
  rill?: (delivery: RillDelivery) => Promise<unknown>;
}

function serviceOf(env: Env, binding: string): RillService | null {
  if (OWN_BINDINGS.has(binding)) return null;
  const value = (env as unknown as Record<string, unknown>)[binding];
  if (value === null || (typeof value !== "object" && typeof value !== "function")) return null;
  return typeof (value as RillService).fetch === "function" ? (value as RillService) : null;
}

/** Refuses a target this Worker cannot deliver to (bad URL, or a binding it does not have). */
export function checkEdgeTarget(env: Env, target: SubscriptionTarget): void {
  checkTarget(target, { serviceBindings: true });
  if (target.type === "service" && !serviceOf(env, target.binding)) {
    throw new RillError(
      "INVALID_REQUEST",
      `the broker Worker has no service binding ${target.binding} (add it under [[services]] in wrangler.toml)`,
    );
  }
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<{ value: T } | { timedOut: true }> {
  let timer: ReturnType<typeof setTimeout> | null = null;
  const timeout = new Promise<{ timedOut: true }>((resolve) => {
    timer = setTimeout(() => resolve({ timedOut: true }), ms);
  });
  try {
    return await Promise.race([promise.then((value) => ({ value })), timeout]);
  } finally {
    if (timer !== null) clearTimeout(timer);
  }
}

export async function deliverToTarget(
  env: Env,
  config: SubscriptionConfig,
  delivery: RillDelivery,
  secret: string,
): Promise<DeliveryOutcome> {
  const target = config.target;
  const options = { secret, timeoutMs: config.deliveryTimeoutMs };
  if (target.type === "webhook") return deliverOverHttp((request) => fetch(request), target.url, delivery, options);
  const service = serviceOf(env, target.binding);
  if (!service) return { kind: "unreachable", error: `no service binding ${target.binding}` };
  if (target.protocol === "fetch") {
    return deliverOverHttp(
      (request) => service.fetch(request),
      `https://${target.binding.toLowerCase()}${target.path ?? "/"}`,
      delivery,
      options,
    );
  }
  try {
    const answer = await withTimeout(Promise.resolve(service.rill?.(delivery)), config.deliveryTimeoutMs);
    if ("timedOut" in answer) return { kind: "failed", error: `no answer within ${config.deliveryTimeoutMs} ms` };
    return verdictOf(answer.value);
  } catch (error) {
    const message = (error as Error)?.message ?? String(error);
    // the target Worker has no rill method (wrong binding or entrypoint): nothing ran
    if (/does not (implement|have)|not a function|no such method/i.test(message)) return { kind: "unreachable", error: message };
    return { kind: "failed", error: message };
  }
}
