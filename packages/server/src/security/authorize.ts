// Authorization of every request from the protocol's operation list: each operation says which ACL
// operation on which resource it needs (Kafka's mapping), and this middleware checks exactly that
// before the route runs, so a refused request touches nothing. Checks come before any lookup, so a
// principal that may not describe a topic gets the same 403 whether or not the topic exists.
// Paths that are no operation of the list are for super users only (deny by default).

import { type AclOperation, type AclSubject, authorize, authorizeAny, type ResourceType, RillError } from "@rill/core";
import type { AccessCheck, Operation } from "@rill/protocol/operations";
import type { Context, MiddlewareHandler } from "hono";
import { identityOf } from "./identity.ts";
import type { SecurityCache } from "./security-cache.ts";

/** The most names one request may ask to be checked (commit offsets, subscriptions). */
const MAX_NAMES = 1000;

export interface MatchedOperation {
  op: Operation;
  params: Record<string, string>;
}

interface CompiledRoute {
  op: Operation;
  pattern: RegExp;
  names: string[];
}

function compile(ops: readonly Operation[]): CompiledRoute[] {
  return ops.map((op) => {
    const names: string[] = [];
    const source = op.route.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/:(\w+)/g, (_, name: string) => {
      names.push(name);
      return "([^/]+)";
    });
    return { op, pattern: new RegExp(`^${source}/?$`), names };
  });
}

/** Finds the operations list's entries for a path: the one of this method, and whether the path is known at all. */
export function createOperationMatcher(ops: readonly Operation[]) {
  const routes = compile(ops);
  return (method: string, path: string): { match: MatchedOperation | null; knownPath: boolean } => {
    const wanted = method === "HEAD" ? "GET" : method;
    let knownPath = false;
    for (const route of routes) {
      const m = route.pattern.exec(path);
      if (!m) continue;
      knownPath = true;
      if (route.op.method !== wanted) continue;
      const params: Record<string, string> = {};
      route.names.forEach((name, i) => {
        try {
          params[name] = decodeURIComponent(m[i + 1] as string);
        } catch {
          throw new RillError("INVALID_REQUEST", `path parameter ${name} is not valid percent-encoding`);
        }
      });
      return { match: { op: route.op, params }, knownPath };
    }
    return { match: null, knownPath };
  };
}

const refusalCode = {
  topic: "TOPIC_AUTHORIZATION_FAILED",
  group: "GROUP_AUTHORIZATION_FAILED",
  cluster: "CLUSTER_AUTHORIZATION_FAILED",
  transactionalId: "TRANSACTIONAL_ID_AUTHORIZATION_FAILED",
} as const;

export function refusal(principal: string, type: ResourceType, operation: string, name?: string): RillError {
  const what = name === undefined ? `any ${type}` : type === "cluster" ? "the cluster" : `${type} ${JSON.stringify(name)}`;
  return new RillError(refusalCode[type], `${principal} is not authorized to ${operation} ${what}`);
}

function needsBody(check: AccessCheck): boolean {
  return check.when !== undefined || "body" in check.name || "bodyEach" in check.name || "bodyItems" in check.name;
}

/**
 * The JSON body, read once for the checks that name resources from it (the route reads the cached
 * text again). An array is a body only for checks that say so (bodyItems); no body names nothing.
 */
async function bodyOf(c: Context, arrays: boolean): Promise<Record<string, unknown> | unknown[]> {
  let value: unknown;
  const text = await c.req.text();
  if (arrays && text.trim() === "") return {};
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new RillError("INVALID_REQUEST", `request body is not valid JSON: ${(error as Error).message}`);
  }
  if (value === null || typeof value !== "object" || (Array.isArray(value) && !arrays))
    throw new RillError("INVALID_REQUEST", "request body must be a JSON object");
  return value as Record<string, unknown> | unknown[];
}

/** The names a check is about, from the path or the body; INVALID_REQUEST when the body has them wrong. */
function namesOf(check: AccessCheck, params: Record<string, string>, whole: Record<string, unknown> | unknown[] | undefined): string[] {
  const name = check.name;
  if ("fixed" in name) return [name.fixed];
  if ("path" in name) return [params[name.path] as string];
  if ("query" in name) {
    const value = params[`?${name.query}`];
    if (value === undefined) throw new RillError("INVALID_REQUEST", `query parameter ${name.query} is required`);
    return [value];
  }
  if ("bodyItems" in name) {
    const items = Array.isArray(whole) ? whole : [whole];
    if (items.length > MAX_NAMES) throw new RillError("INVALID_REQUEST", `at most ${MAX_NAMES} items per request`);
    const names = new Set<string>();
    for (const item of items) {
      const value = (item as Record<string, unknown> | null | undefined)?.[name.bodyItems];
      if (value === undefined) continue;
      if (typeof value !== "string") throw new RillError("INVALID_REQUEST", `${name.bodyItems} must be a string`);
      names.add(value);
    }
    return [...names];
  }
  const body = Array.isArray(whole) ? undefined : whole;
  if ("body" in name) {
    const value = body?.[name.body];
    if (typeof value !== "string") throw new RillError("INVALID_REQUEST", `${name.body} must be a string`);
    return [value];
  }
  if ("bodyEach" in name) {
    const list = body?.[name.bodyEach];
    if (list === undefined) return [];
    if (!Array.isArray(list)) throw new RillError("INVALID_REQUEST", `${name.bodyEach} must be an array`);
    const names = new Set<string>();
    for (const item of list) {
      const value = name.field === undefined ? item : (item as Record<string, unknown> | null)?.[name.field];
      if (typeof value !== "string") throw new RillError("INVALID_REQUEST", `${name.bodyEach}[].${name.field ?? ""} must be strings`);
      names.add(value);
    }
    if (names.size > MAX_NAMES) throw new RillError("INVALID_REQUEST", `at most ${MAX_NAMES} different names per request`);
    return [...names];
  }
  return [];
}

/** Checks one rule for a subject; throws the resource's AUTHORIZATION_FAILED when refused. */
export function enforceCheck(
  check: AccessCheck,
  acls: Parameters<typeof authorize>[0],
  subject: AclSubject,
  params: Record<string, string>,
  body: Record<string, unknown> | unknown[] | undefined,
): void {
  const fields = Array.isArray(body) ? undefined : body;
  if (check.when && (fields?.[check.when.body] !== undefined) !== check.when.present) return;
  const operation = check.operation as AclOperation;
  if ("any" in check.name) {
    if (!authorizeAny(acls, subject, check.resource, operation)) throw refusal(subject.principal, check.resource, operation);
    return;
  }
  for (const name of namesOf(check, params, body)) {
    const allowed =
      authorize(acls, subject, { type: check.resource, name }, operation) ||
      (check.orCluster === true && authorize(acls, subject, { type: "cluster", name: "kafka-cluster" }, operation));
    if (!allowed) throw refusal(subject.principal, check.resource, operation, name);
  }
}

/** The authorization middleware for /v1; `after` runs on the answer of a checked, non-super request. */
export function authorizeRequests(
  ops: readonly Operation[],
  cache: SecurityCache,
  after?: (c: Context, match: MatchedOperation, subject: AclSubject) => Promise<void>,
): MiddlewareHandler {
  const matcher = createOperationMatcher(ops);
  return async (c, next) => {
    const identity = identityOf(c);
    if (identity.superUser || c.req.method === "OPTIONS") return next();
    const { match, knownPath } = matcher(c.req.method, c.req.path);
    if (!match) {
      // a known path asked with the wrong method gets its 405; anything else is not for this principal
      if (knownPath) return next();
      throw new RillError("CLUSTER_AUTHORIZATION_FAILED", `${identity.principal} is not authorized to ${c.req.method} ${c.req.path}`);
    }
    const access = match.op.access;
    if (!("checks" in access)) return next();
    const subject: AclSubject = { principal: identity.principal, host: identity.host };
    const { acls } = await cache.snapshot();
    // query parameters a check names travel beside the path's, marked with "?"
    const params = { ...match.params };
    for (const check of access.checks) {
      if ("query" in check.name) {
        const value = c.req.query(check.name.query);
        if (value !== undefined) params[`?${check.name.query}`] = value;
      }
    }
    // checks on the path first: a refusal there never depends on what the body says
    for (const check of access.checks) if (!needsBody(check)) enforceCheck(check, acls, subject, params, undefined);
    const bodyChecks = access.checks.filter(needsBody);
    if (bodyChecks.length > 0) {
      const body = await bodyOf(
        c,
        bodyChecks.some((check) => "bodyItems" in check.name),
      );
      for (const check of bodyChecks) enforceCheck(check, acls, subject, params, body);
    }
    await next();
    await after?.(c, match, subject);
  };
}
