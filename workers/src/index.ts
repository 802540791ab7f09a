// The Worker entry: the protocol app over the Durable Object broker.
import { createHttpApp, tokensFrom } from "@rill/server";
import type { Hono } from "hono";
import { createEdgeBroker } from "./edge-broker.ts";
import type { Env } from "./env.ts";
import { faultRoutes } from "./fault-routes.ts";
import { faultsEnabled } from "./faults.ts";

export { ControllerObject } from "./controller-object.ts";
export { GroupObject } from "./group-object.ts";
export { PartitionObject } from "./partition-object.ts";

let app: Hono | undefined;

export default {
  fetch(request, env, ctx) {
    // one app per isolate: env is fixed for its life, and the router is built once
    if (!app) {
      const tokens = tokensFrom(env.RILL_TOKENS);
      app = createHttpApp(createEdgeBroker(env), { auth: tokens.length > 0 ? { tokens } : undefined });
      if (faultsEnabled(env)) app.route("/v1/_faults", faultRoutes(env));
    }
    return app.fetch(request, env, ctx);
  },
} satisfies ExportedHandler<Env>;
