// The object form of a consumer Worker: `export default withRill({ async rill(batch, env, ctx) {...} })`.
// The result answers a service binding's `rill` RPC (the broker's default) and, through `fetch`,
// deliveries sent to the Worker's fetch handler; any other request goes to the Worker's own fetch.

import { consume, type RillHandler } from "./batch.ts";
import type { RillDelivery, RillDeliveryResult } from "./delivery.ts";
import { handleRillRequest, isRillDelivery, type RillRequestOptions } from "./http.ts";

interface ConsumerWorker<Env, Ctx> {
  rill: RillHandler<Env, Ctx>;
  fetch?: (request: Request, env: Env, ctx: Ctx) => Response | Promise<Response>;
}

export interface WithRillOptions<Env> extends Omit<RillRequestOptions, "secret"> {
  /** The subscription's secret for deliveries over fetch, read from the Worker's env (e.g. a secret binding). */
  secret?: (env: Env) => string | undefined;
}

/** A Worker's default export with its `rill` handler served over RPC and over fetch. */
export function withRill<Env = unknown, Ctx = unknown, W extends ConsumerWorker<Env, Ctx> = ConsumerWorker<Env, Ctx>>(
  worker: W,
  options: WithRillOptions<Env> = {},
): Omit<W, "rill" | "fetch"> & {
  rill(delivery: RillDelivery, env: Env, ctx: Ctx): Promise<RillDeliveryResult>;
  fetch(request: Request, env: Env, ctx: Ctx): Promise<Response>;
} {
  const handler = worker.rill.bind(worker);
  return {
    ...worker,
    rill: (delivery: RillDelivery, env: Env, ctx: Ctx) => consume(delivery, handler, env, ctx),
    async fetch(request: Request, env: Env, ctx: Ctx) {
      if (isRillDelivery(request)) return handleRillRequest(request, handler, { ...options, secret: options.secret?.(env) }, env, ctx);
      if (worker.fetch) return worker.fetch(request, env, ctx);
      return new Response("not found", { status: 404 });
    },
  };
}
