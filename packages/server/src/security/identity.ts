// Who made a request, as the security middleware found out: the principal, whether it is a super
// user (or auth is off), and what quotas key on. Kept in the request's Hono context (not keyed by
// the Request object: middleware such as the body limit replaces c.req.raw on the way).

import type { Context } from "hono";

export interface RequestIdentity {
  /** `User:<name>`; `User:ANONYMOUS` when auth is off (as Kafka names unauthenticated clients). */
  principal: string;
  /** Super users (and everyone, when auth is off) pass every ACL check. */
  superUser: boolean;
  /** Whether auth is on for this app (off: every request is anonymous and allowed). */
  authOn: boolean;
  /** The client's address, for host-restricted ACL bindings; undefined when unknown. */
  host: string | undefined;
}

export const ANONYMOUS = "User:ANONYMOUS";

declare module "hono" {
  interface ContextVariableMap {
    rillIdentity: RequestIdentity;
  }
}

export function setIdentity(c: Context, identity: RequestIdentity): void {
  c.set("rillIdentity", identity);
}

/** The request's identity; when authentication did not run, an anonymous one that may do nothing (fail closed). */
export function identityOf(c: Context): RequestIdentity {
  return c.get("rillIdentity") ?? { principal: ANONYMOUS, superUser: false, authOn: true, host: undefined };
}

/** The user name quotas key on: the principal without `User:`. */
export function userName(principal: string): string {
  return principal.startsWith("User:") ? principal.slice(5) : principal;
}
