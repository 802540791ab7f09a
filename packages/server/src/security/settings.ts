// Security settings from a deployment's environment (Worker vars and secrets, or process.env), read
// the same way by every runtime:
//   RILL_TOKENS        comma-separated deployment tokens (super users)
//   RILL_SUPER_USERS   more super users: User:alice;User:bob
//   RILL_JWT_SECRET    HS256 secret for JWT bearer tokens
//   RILL_JWKS          a JWKS (JSON) for RS256/ES256 JWTs; RILL_JWKS_URL fetches one instead
//   RILL_JWT_ISSUER, RILL_JWT_AUDIENCE   required iss / aud, when set
//   RILL_CORS_ORIGINS  comma-separated browser origins allowed (default *)

import { type AuthOptions, authEnabled, superUsersFrom, tokensFrom } from "../auth.ts";

export interface SecuritySettings {
  /** Undefined when nothing turns auth on. */
  auth: AuthOptions | undefined;
  corsOrigin: string | string[];
}

export function securitySettingsFrom(env: Record<string, string | undefined>): SecuritySettings {
  const jwks = env.RILL_JWKS?.trim() || env.RILL_JWKS_URL?.trim() || undefined;
  const auth: AuthOptions = {
    tokens: tokensFrom(env.RILL_TOKENS),
    superUsers: superUsersFrom(env.RILL_SUPER_USERS),
    jwt: {
      secret: env.RILL_JWT_SECRET || undefined,
      jwks,
      issuer: env.RILL_JWT_ISSUER || undefined,
      audience: env.RILL_JWT_AUDIENCE || undefined,
    },
  };
  const origins = (env.RILL_CORS_ORIGINS ?? "")
    .split(",")
    .map((o) => o.trim())
    .filter((o) => o.length > 0);
  return {
    auth: authEnabled(auth) ? auth : undefined,
    corsOrigin: origins.length === 0 || origins.includes("*") ? "*" : origins,
  };
}
