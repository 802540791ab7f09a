// Authentication of the protocol routes: every request names its principal with a bearer token,
// which is one of three kinds, told apart by shape:
// - a deployment token (RILL_TOKENS): a super user, as before ACLs existed;
// - an API key `rill_<id>_<secret>` made by POST /v1/credentials (see security/api-keys.ts);
// - a JWT (HS256 with a secret, RS256/ES256 with a JWKS): the principal is `User:<sub>`.
// HTTP Basic credentials carry the same tokens as their password (REST clients such as Upstash's).
// EventSource and WebSocket in a browser cannot set headers, so a live tail may carry its token as
// `?access_token=` (RFC 6750's query form) instead. With no tokens and no JWT keys, auth is off:
// every request is anonymous and allowed (fine on 127.0.0.1, not deployed).

import { RillError } from "@rill/core";
import type { Context, MiddlewareHandler } from "hono";
import { timingSafeEqual } from "hono/utils/buffer";
import { parseApiKey, verifyApiKey } from "./security/api-keys.ts";
import { setIdentity } from "./security/identity.ts";
import { createJwtVerifier, type JwtOptions, type JwtVerifier } from "./security/jwt.ts";
import { createSecurityCache, type SecurityCache } from "./security/security-cache.ts";

export interface AuthOptions {
  /** Deployment tokens, super users all; any one will do (several allow rotation without downtime). */
  tokens?: readonly string[];
  /** More principals that pass every ACL check (`User:<name>`; Kafka's super.users). */
  superUsers?: readonly string[];
  /** JWT bearer tokens. */
  jwt?: JwtOptions;
}

/** The principal a deployment token authenticates as. */
export const TOKEN_PRINCIPAL = "User:token";

const BEARER = /^Bearer\s+(\S+)\s*$/i;
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

const BASIC = /^Basic\s+([A-Za-z0-9+/]+={0,2})\s*$/i;

function presentedToken(header: string | undefined, query: string | undefined): string | undefined {
  if (header !== undefined) {
    // HTTP Basic (what Upstash's REST clients send): the password is the token, the user name a label
    const basic = BASIC.exec(header);
    if (basic) {
      let decoded: string;
      try {
        decoded = atob(basic[1] as string);
      } catch {
        return undefined;
      }
      const colon = decoded.indexOf(":");
      return colon < 0 ? undefined : decoded.slice(colon + 1) || undefined;
    }
    return BEARER.exec(header)?.[1];
  }
  return query || undefined;
}

/** Whether these options turn auth on (a token or a JWT key is configured). */
export function authEnabled(options: AuthOptions | undefined): boolean {
  return (options?.tokens ?? []).some((t) => t.length > 0) || Boolean(options?.jwt?.secret || options?.jwt?.jwks);
}

export interface AuthenticateDeps {
  /** Where API keys are looked up. */
  cache: SecurityCache;
  /** The client's address (for host-restricted ACLs), when the runtime knows it. */
  clientAddress?: (c: Context) => string | undefined;
}

/**
 * Finds every /v1 request's principal, refusing unknown or invalid credentials with 401
 * SASL_AUTHENTICATION_FAILED and a Bearer challenge. With auth off, marks requests anonymous.
 */
export function authenticate(options: AuthOptions | undefined, deps: AuthenticateDeps): MiddlewareHandler {
  const on = options !== undefined;
  const tokens = (options?.tokens ?? []).filter((t) => t.length > 0);
  if (on && !authEnabled(options)) throw new RillError("INVALID_CONFIG", "auth needs at least one non-empty token or a JWT key");
  const superUsers = new Set(options?.superUsers ?? []);
  const verifyJwt: JwtVerifier | undefined = options?.jwt && authEnabled({ jwt: options.jwt }) ? createJwtVerifier(options.jwt) : undefined;

  async function principalOf(token: string): Promise<string | undefined> {
    let deployment = false;
    // compare with every token, whatever matched, so the time taken does not tell which one
    for (const t of tokens) deployment = (await timingSafeEqual(t, token)) || deployment;
    if (deployment) return TOKEN_PRINCIPAL;
    const apiKey = parseApiKey(token);
    if (apiKey) {
      const record = await deps.cache.credential(apiKey.keyId);
      return record && (await verifyApiKey(record, apiKey.secret)) ? record.principal : undefined;
    }
    if (verifyJwt && JWT_SHAPE.test(token)) return verifyJwt(token);
    return undefined;
  }

  return async (c, next) => {
    const host = deps.clientAddress?.(c);
    if (!on) {
      setIdentity(c, { principal: "User:ANONYMOUS", superUser: true, authOn: false, host });
      return next();
    }
    // a CORS preflight carries no credentials by design; the cors middleware answers it
    if (c.req.method === "OPTIONS") return next();
    const token = presentedToken(c.req.header("authorization"), c.req.query("access_token"));
    let principal: string | undefined;
    try {
      if (token === undefined) throw refusal("no bearer token (Authorization: Bearer <token>, or ?access_token=)");
      principal = await principalOf(token);
      if (principal === undefined) throw refusal("the token is not valid");
    } catch (error) {
      c.header("WWW-Authenticate", 'Bearer realm="rill"');
      throw error;
    }
    setIdentity(c, { principal, superUser: principal === TOKEN_PRINCIPAL || superUsers.has(principal), authOn: true, host });
    await next();
  };
}

function refusal(why: string): RillError {
  return new RillError("SASL_AUTHENTICATION_FAILED", `authentication failed: ${why}`);
}

/** Deployment tokens only, as before principals existed (kept for embedders that call it). */
export function bearerTokens(options: AuthOptions): MiddlewareHandler {
  return authenticate(options, { cache: createSecurityCache(undefined, 0) });
}

/** Tokens from a comma-separated setting (a Worker secret, an environment variable); none when unset. */
export function tokensFrom(setting: string | undefined): string[] {
  return (setting ?? "")
    .split(",")
    .map((t) => t.trim())
    .filter((t) => t.length > 0);
}

/** Principals from RILL_SUPER_USERS: `User:a;User:b` (Kafka's separator) or comma-separated. */
export function superUsersFrom(setting: string | undefined): string[] {
  return (setting ?? "")
    .split(/[;,]/)
    .map((p) => p.trim())
    .filter((p) => p.length > 0)
    .map((p) => (p.startsWith("User:") ? p : `User:${p}`));
}
