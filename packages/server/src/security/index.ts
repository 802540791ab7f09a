// The security layer of the HTTP app, put together: security headers, authentication, authorization
// from the operation list, quotas, live-tail limits and the admin routes of credentials, ACLs and
// quotas. app.ts mounts the pieces in order around its body limit.

import type { SecurityMetadata } from "@rill/core";
import { ROUTES } from "@rill/protocol";
import { operations, PRODUCE_LIMITS } from "@rill/protocol/operations";
import type { Context, Hono, MiddlewareHandler } from "hono";
import { type AuthOptions, authenticate } from "../auth.ts";
import { addSecurityRoutes } from "./admin-routes.ts";
import { answerFilters } from "./answer-filters.ts";
import { authorizeRequests } from "./authorize.ts";
import { limitBatchRecords, limitLiveTails, securityHeaders } from "./limits.ts";
import { enforceQuota, localQuotaService, type QuotaService } from "./quotas.ts";
import { createSecurityCache } from "./security-cache.ts";

export interface SecurityOptions {
  auth?: AuthOptions;
  /**
   * Where credentials, ACLs and quotas are kept (beside the cluster metadata). Without it their
   * routes answer SECURITY_DISABLED and, with auth on, only super users pass ACL checks.
   */
  security?: SecurityMetadata;
  /** How long ACLs, quotas and API keys read from `security` are trusted, in ms (default 1000). */
  securityCacheMs?: number;
  /** Where quota meters live (default: in this process). */
  quotaService?: QuotaService;
  /** Longest the broker holds a throttled client's early request before refusing it (default 5000 ms). */
  maxThrottleHoldMs?: number;
  /** The client's address, for host-restricted ACL bindings (e.g. CF-Connecting-IP at the edge). */
  clientAddress?: (c: Context) => string | undefined;
  /** Records one binary produce request may carry (default 100 000; JSON requests: 10 000). */
  maxRecordsPerRequest?: number;
  /** Live tails (SSE) one principal may hold open at once (default 16). */
  maxLiveTailsPerPrincipal?: number;
}

export interface SecurityLayer {
  headers: MiddlewareHandler;
  /** Mount on every path: only the operation list's public routes (liveness) go without credentials. */
  authenticate: MiddlewareHandler;
  /** Authorization, quotas, tail limits and the admin routes; mount after the body limit. */
  install(app: Hono): void;
}

export function createSecurityLayer(options: SecurityOptions): SecurityLayer {
  const cache = createSecurityCache(options.security, options.securityCacheMs ?? 1000);
  const authorize = authorizeRequests(operations, cache, answerFilters(cache));
  const quotas = options.quotaService ?? localQuotaService();
  const hold = { maxHoldMs: options.maxThrottleHoldMs };
  // every path but the public operations is authenticated and authorized, so a route or a whole
  // protocol face added later is closed to all but super users until the operation list says more
  const publicPaths = new Set(operations.filter((op) => "public" in op.access).map((op) => op.route));
  const authenticated = authenticate(options.auth, { cache, clientAddress: options.clientAddress });
  return {
    headers: securityHeaders(),
    authenticate: (c, next) => (publicPaths.has(c.req.path) ? next() : authenticated(c, next)),
    install(app) {
      app.use("*", async (c, next) => (publicPaths.has(c.req.path) ? next() : authorize(c, next)));
      app.use(ROUTES.records, enforceQuota("produce", cache, quotas, hold));
      app.use(ROUTES.batches, enforceQuota("produce", cache, quotas, hold));
      app.use(ROUTES.batches, limitBatchRecords(options.maxRecordsPerRequest ?? PRODUCE_LIMITS.recordsPerRequest * 10));
      const liveTails = limitLiveTails(options.maxLiveTailsPerPrincipal ?? 16);
      app.use(ROUTES.partitionRecords, liveTails);
      app.use(ROUTES.partitionRecords, enforceQuota("fetch", cache, quotas, hold));
      // the protocol faces write and read through the same meters: Durable Streams appends (POST)
      // and reads (GET, SSE tails included), Upstash's produce and fetch/consume routes. Durable
      // Streams SSE answers end by themselves within a minute (clients reconnect, by the protocol),
      // so they are metered but not counted against the open-tail limit.
      const produceQuota = enforceQuota("produce", cache, quotas, hold);
      const fetchQuota = enforceQuota("fetch", cache, quotas, hold);
      app.use(ROUTES.stream, (c, next) =>
        c.req.method === "POST" ? produceQuota(c, next) : c.req.method === "GET" ? fetchQuota(c, next) : next(),
      );
      for (const path of [ROUTES.upstashProduce, ROUTES.upstashProduceTopic, ROUTES.upstashProduceMessage, ROUTES.upstashWebhook]) {
        app.use(path, produceQuota);
      }
      for (const path of [ROUTES.upstashFetch, ROUTES.upstashConsume]) app.use(path, fetchQuota);
      addSecurityRoutes(app, options.security, cache);
    },
  };
}

export { newApiKey, parseApiKey, verifyApiKey } from "./api-keys.ts";
export { ANONYMOUS, identityOf, type RequestIdentity } from "./identity.ts";
export type { JwtOptions } from "./jwt.ts";
export { localQuotaService, type QuotaService } from "./quotas.ts";
export { type SecuritySettings, securitySettingsFrom } from "./settings.ts";
