// Bearer-token authentication of the protocol routes. Hono's bearerAuth reads only the
// Authorization header, but EventSource and WebSocket in a browser cannot set headers, so a live
// tail must be able to carry its token as `?access_token=` (RFC 6750's query form) instead.

import { RillError } from "@rill/core";
import type { MiddlewareHandler } from "hono";
import { timingSafeEqual } from "hono/utils/buffer";

export interface AuthOptions {
  /** Tokens that are let in; any one of them will do (several allow rotation without downtime). */
  tokens: readonly string[];
}

const BEARER = /^Bearer\s+(\S+)\s*$/i;

function presentedToken(header: string | undefined, query: string | undefined): string | undefined {
  if (header !== undefined) return BEARER.exec(header)?.[1];
  return query || undefined;
}

/** Refuses requests without one of the tokens with 401 SASL_AUTHENTICATION_FAILED. */
export function bearerTokens(options: AuthOptions): MiddlewareHandler {
  const tokens = options.tokens.filter((t) => t.length > 0);
  if (tokens.length === 0) throw new RillError("INVALID_CONFIG", "auth needs at least one non-empty token");
  return async (c, next) => {
    // a CORS preflight carries no credentials by design; the cors middleware answers it
    if (c.req.method === "OPTIONS") return next();
    const token = presentedToken(c.req.header("authorization"), c.req.query("access_token"));
    let ok = false;
    // compare with every token, whatever matched, so the time taken does not tell which one
    if (token !== undefined) for (const t of tokens) ok = (await timingSafeEqual(t, token)) || ok;
    if (!ok) {
      c.header("WWW-Authenticate", 'Bearer realm="rill"');
      const why = token === undefined ? "no bearer token (Authorization: Bearer <token>, or ?access_token=)" : "the token is not valid";
      throw new RillError("SASL_AUTHENTICATION_FAILED", `authentication failed: ${why}`);
    }
    await next();
  };
}

/** Tokens from a comma-separated setting (a Worker secret, an environment variable); none when unset. */
export function tokensFrom(setting: string | undefined): string[] {
  return (setting ?? "")
    .split(",")
    .map((t) => t.trim())
    .filter((t) => t.length > 0);
}
