// Who made a request, as the security middleware found out: the principal, whether it is a super
// user (or auth is off), and what quotas key on. Kept per Request, so every later middleware and
// route of the same request sees the same answer.

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

const identities = new WeakMap<Request, RequestIdentity>();

export function setIdentity(c: Context, identity: RequestIdentity): void {
  identities.set(c.req.raw, identity);
}

/** The request's identity; anonymous and unrestricted when no auth middleware ran (auth off). */
export function identityOf(c: Context): RequestIdentity {
  return identities.get(c.req.raw) ?? { principal: ANONYMOUS, superUser: true, authOn: false, host: undefined };
}

/** The user name quotas key on: the principal without `User:`. */
export function userName(principal: string): string {
  return principal.startsWith("User:") ? principal.slice(5) : principal;
}
