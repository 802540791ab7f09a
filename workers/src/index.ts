// The Worker entry: the protocol app over the Durable Object broker.
import { createHttpApp, securitySettingsFrom } from "@rill/server";
import type { Hono } from "hono";
import { createEdgeBroker } from "./edge-broker.ts";
import { edgeQuotaService, edgeSecurityMetadata, SECURITY_CACHE_MS } from "./edge-security.ts";
import type { Env } from "./env.ts";
import { faultRoutes } from "./fault-routes.ts";
import { faultsEnabled } from "./faults.ts";

export { ControllerObject } from "./controller-object.ts";
export type { Env as RillEnv } from "./env.ts";
export { GroupObject } from "./group-object.ts";
export { PartitionObject } from "./partition-object.ts";
export { type FetchHandler, withPathPrefix } from "./path-prefix.ts";
export { QuotaObject } from "./quota-object.ts";
export { SubscriptionIndexObject } from "./subscription-index-object.ts";
export { SubscriptionObject } from "./subscription-object.ts";

let app: Hono | undefined;

export default {
  fetch(request, env, ctx) {
    // one app per isolate: env is fixed for its life, and the router is built once
    if (!app) {
      const vars = env as unknown as Record<string, string | undefined>;
      const settings = securitySettingsFrom(vars);
      app = createHttpApp(createEdgeBroker(env), {
        auth: settings.auth,
        corsOrigin: settings.corsOrigin,
        security: edgeSecurityMetadata(env),
        securityCacheMs: SECURITY_CACHE_MS,
        quotaService: edgeQuotaService(env),
        // set by Cloudflare's edge for every request (a client cannot choose it there)
        clientAddress: (c) => c.req.header("cf-connecting-ip"),
        // the Durable Streams long-poll wait (tests shorten it)
        durableStreams: { longPollTimeoutMs: Number(vars.RILL_DS_LONG_POLL_MS) || undefined },
      });
      if (faultsEnabled(env)) app.route("/v1/_faults", faultRoutes(env));
    }
    return app.fetch(request, env, ctx);
  },
} satisfies ExportedHandler<Env>;
