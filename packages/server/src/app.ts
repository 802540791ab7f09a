// createHttpApp: the HTTP protocol of Rill as one Hono app, the same in every runtime.

import { RillError } from "@rill/core";
import { EXPOSED_HEADERS, ROUTES } from "@rill/protocol";
import { initProducerBody } from "@rill/protocol/operations";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { cors } from "hono/cors";
import type { Broker } from "./broker.ts";
import { type DurableStreamsOptions, durableStreamsRoutes } from "./faces/durable-streams/index.ts";
import { UPSTASH_BODY_PATHS, upstashRoutes } from "./faces/upstash/index.ts";
import { errorResponse } from "./http-errors.ts";
import { openApiDocument } from "./openapi.ts";
import { jsonBody } from "./request.ts";
import { deleteRecordsRoutes } from "./routes/delete-records.ts";
import { fetchRoutes } from "./routes/fetch.ts";
import { groupRoutes } from "./routes/groups.ts";
import { produceRoutes } from "./routes/produce.ts";
import { subscriptionRoutes } from "./routes/subscriptions.ts";
import { topicRoutes } from "./routes/topics.ts";
import { createSecurityLayer, type SecurityOptions } from "./security/index.ts";

/** Security (auth, ACLs, quotas, limits: see security/index.ts) and the app's own settings. */
export interface HttpAppOptions extends SecurityOptions {
  /** Largest request body accepted (default 8 MiB). */
  maxRequestBytes?: number;
  /** Allowed browser origins (default any). */
  corsOrigin?: string | string[];
  /** The Durable Streams face at /v1/stream (long-poll timeout). */
  durableStreams?: DurableStreamsOptions;
}

/** The methods of the app's routes that match `path` (middleware excluded). */
function methodsFor(app: Hono, path: string): string[] {
  const methods = new Set<string>();
  for (const route of app.routes) {
    if (route.method === "ALL" || route.path.includes("*")) continue;
    const pattern = route.path.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/:[^/]+/g, "[^/]+");
    if (new RegExp(`^${pattern}/?$`).test(path)) methods.add(route.method);
  }
  if (methods.has("GET")) methods.add("HEAD");
  return [...methods].sort();
}

export function createHttpApp(broker: Broker, options: HttpAppOptions = {}): Hono {
  const app = new Hono();
  const maxRequestBytes = options.maxRequestBytes ?? 8 * 1024 * 1024;

  app.onError((error, c) => errorResponse(c, error));
  app.notFound((c) => {
    // a known path asked with the wrong method is a 405 that says which methods it takes
    const allowed = methodsFor(app, c.req.path);
    if (allowed.length === 0) return errorResponse(c, new RillError("NOT_FOUND", `no route for ${c.req.method} ${c.req.path}`));
    c.header("Allow", allowed.join(", "));
    return errorResponse(c, new RillError("METHOD_NOT_ALLOWED", `${c.req.path} takes ${allowed.join(", ")}, not ${c.req.method}`));
  });
  const security = createSecurityLayer(options);
  app.use("*", security.headers);
  app.use(
    "*",
    cors({
      origin: options.corsOrigin ?? "*",
      exposeHeaders: EXPOSED_HEADERS,
      // binary produce and the client's headers need a preflight: let browsers keep its answer
      maxAge: 7200,
    }),
  );
  app.use("*", security.authenticate);
  const limitBody = bodyLimit({
    maxSize: maxRequestBytes,
    onError: () => {
      throw new RillError("REQUEST_TOO_LARGE", `request body exceeds ${maxRequestBytes} bytes`);
    },
  });
  app.use("/v1/*", limitBody);
  for (const path of UPSTASH_BODY_PATHS) app.use(path, limitBody);
  security.install(app);

  app.get(ROUTES.health, (c) => c.json({ status: "ok" }));
  app.get(ROUTES.openApi, (c) => c.json(openApiDocument()));
  app.route(ROUTES.topics, topicRoutes(broker));
  app.route(ROUTES.topics, produceRoutes(broker));
  app.route(ROUTES.topics, fetchRoutes(broker));
  app.route(ROUTES.topics, deleteRecordsRoutes(broker));
  app.route(ROUTES.groups, groupRoutes(broker));
  app.route(ROUTES.subscriptions, subscriptionRoutes(broker));
  app.route("/v1/stream", durableStreamsRoutes(broker, options.durableStreams));
  app.route("/", upstashRoutes(broker));
  app.post(ROUTES.producers, async (c) => {
    const body = await jsonBody(c, initProducerBody);
    return c.json(await broker.initProducer(body.transactionalId));
  });
  return app;
}
