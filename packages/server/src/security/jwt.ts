// JWT bearer tokens, verified with jose: HS256 with a shared secret, RS256/ES256 against a JWKS
// given inline or fetched from a URL (cached and refreshed by jose). The signature, `exp` and
// `nbf` (and issuer/audience when configured) are checked; the principal is `User:<sub>`.

import { RillError } from "@rill/core";
import { createLocalJWKSet, createRemoteJWKSet, decodeProtectedHeader, type JSONWebKeySet, jwtVerify } from "jose";

export interface JwtOptions {
  /** HS256 shared secret (RILL_JWT_SECRET). */
  secret?: string;
  /** A JWKS for RS256/ES256: the JSON text or object (RILL_JWKS), or an https URL to fetch it from (RILL_JWKS_URL). */
  jwks?: string | JSONWebKeySet;
  /** Required `iss`, when set. */
  issuer?: string;
  /** Required `aud`, when set. */
  audience?: string;
  /** Seconds of clock skew forgiven on exp/nbf (default 30). */
  clockToleranceSec?: number;
}

export type JwtVerifier = (token: string) => Promise<string>;

/**
 * Verified tokens are remembered for at most this long (and never past their exp), so a client
 * sending the same token with every request pays for one signature check a minute, not one per
 * request. A key taken out of the JWKS stops its tokens within this time.
 */
const VERIFIED_TTL_MS = 60_000;
const MAX_VERIFIED = 10_000;

function jwksKeys(jwks: string | JSONWebKeySet) {
  if (typeof jwks === "string" && /^https?:\/\//.test(jwks.trim())) return createRemoteJWKSet(new URL(jwks.trim()));
  let set: JSONWebKeySet;
  try {
    set = typeof jwks === "string" ? (JSON.parse(jwks) as JSONWebKeySet) : jwks;
  } catch (error) {
    throw new RillError("INVALID_CONFIG", `the JWKS is neither a URL nor JSON: ${(error as Error).message}`);
  }
  if (!set || !Array.isArray(set.keys)) throw new RillError("INVALID_CONFIG", "the JWKS needs a keys array");
  return createLocalJWKSet(set);
}

/** A verifier answering the token's principal, or throwing SASL_AUTHENTICATION_FAILED. */
export function createJwtVerifier(options: JwtOptions): JwtVerifier {
  const secret = options.secret ? new TextEncoder().encode(options.secret) : undefined;
  const keySet = options.jwks ? jwksKeys(options.jwks) : undefined;
  if (!secret && !keySet) throw new RillError("INVALID_CONFIG", "JWT auth needs a secret (HS256) or a JWKS (RS256/ES256)");
  const checks = {
    issuer: options.issuer,
    audience: options.audience,
    clockTolerance: options.clockToleranceSec ?? 30,
    requiredClaims: ["sub", "exp"],
  };
  const verified = new Map<string, { principal: string; until: number }>();
  const verify = async (token: string): Promise<{ principal: string; exp: number }> => {
    let alg: string | undefined;
    try {
      alg = decodeProtectedHeader(token).alg;
    } catch {
      throw new RillError("SASL_AUTHENTICATION_FAILED", "authentication failed: the token is not a well-formed JWT");
    }
    try {
      const { payload } =
        alg === "HS256" && secret
          ? await jwtVerify(token, secret, { ...checks, algorithms: ["HS256"] })
          : keySet && (alg === "RS256" || alg === "ES256")
            ? await jwtVerify(token, keySet, { ...checks, algorithms: ["RS256", "ES256"] })
            : fail(`algorithm ${JSON.stringify(alg)} is not accepted here`);
      if (typeof payload.sub !== "string" || payload.sub.length === 0 || payload.sub.length > 255 || /\s/.test(payload.sub)) {
        fail("its sub claim is not a usable name");
      }
      return { principal: `User:${payload.sub}`, exp: (payload.exp as number) * 1000 };
    } catch (error) {
      if (error instanceof RillError) throw error;
      const code = (error as { code?: string }).code;
      const why =
        code === "ERR_JWT_EXPIRED"
          ? "the token has expired"
          : code === "ERR_JWT_CLAIM_VALIDATION_FAILED"
            ? `a claim is not valid (${(error as Error).message})`
            : "the token's signature or claims are not valid";
      throw new RillError("SASL_AUTHENTICATION_FAILED", `authentication failed: ${why}`);
    }
  };
  return async (token) => {
    const hit = verified.get(token);
    if (hit && hit.until > Date.now()) return hit.principal;
    verified.delete(token);
    const { principal, exp } = await verify(token);
    if (verified.size >= MAX_VERIFIED) verified.clear();
    verified.set(token, { principal, until: Math.min(exp, Date.now() + VERIFIED_TTL_MS) });
    return principal;
  };
}

function fail(why: string): never {
  throw new RillError("SASL_AUTHENTICATION_FAILED", `authentication failed: the JWT is refused: ${why}`);
}
