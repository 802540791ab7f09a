// Access control lists, Kafka's model: a binding allows or denies one principal, from one host, one
// operation on resources named literally or by prefix. Deny wins over allow; no matching allow is
// a refusal (allow.everyone.if.no.acl.found=false); super users are decided by the caller. Both
// brokers (in-process and edge) evaluate with these functions, so they cannot disagree.

import { RillError } from "./errors.ts";

export const resourceTypes = ["topic", "group", "cluster", "transactionalId"] as const;
export type ResourceType = (typeof resourceTypes)[number];

export const patternTypes = ["literal", "prefixed"] as const;
export type PatternType = (typeof patternTypes)[number];

export const aclOperations = ["read", "write", "create", "delete", "alter", "describe", "alterConfigs", "describeConfigs", "all"] as const;
export type AclOperation = (typeof aclOperations)[number];

export type AclPermission = "allow" | "deny";

/** The one name the cluster resource has (Kafka's "kafka-cluster"). */
export const CLUSTER_RESOURCE = "kafka-cluster";
/** A literal resource name or principal that matches every name (Kafka's wildcard). */
export const WILDCARD = "*";

export interface AclBinding {
  /** `User:<name>`, or `User:*` for every principal. */
  principal: string;
  /** The client address the binding applies to, or `*` for any. */
  host: string;
  resourceType: ResourceType;
  resourceName: string;
  patternType: PatternType;
  operation: AclOperation;
  permission: AclPermission;
}

/** Who is asking, and from where. */
export interface AclSubject {
  principal: string;
  host?: string;
}

export interface Resource {
  type: ResourceType;
  name: string;
}

/** A filter over bindings: each field left out matches anything (DescribeAcls / DeleteAcls). */
export interface AclFilter {
  principal?: string;
  host?: string;
  resourceType?: ResourceType;
  resourceName?: string;
  /** "match": every binding that would apply to `resourceName` (literal, wildcard and prefixes). */
  patternType?: PatternType | "match";
  operation?: AclOperation;
  permission?: AclPermission;
}

export const MAX_ACL_BINDINGS = 5000;
const PRINCIPAL = /^User:[^\s]{1,255}$/;

/**
 * Kafka's implied operations: asking to DESCRIBE is allowed by READ, WRITE, DELETE or ALTER, and
 * DESCRIBE_CONFIGS by ALTER_CONFIGS; ALL allows everything.
 */
const impliedBy: Record<AclOperation, readonly AclOperation[]> = {
  read: ["read", "all"],
  write: ["write", "all"],
  create: ["create", "all"],
  delete: ["delete", "all"],
  alter: ["alter", "all"],
  describe: ["describe", "read", "write", "delete", "alter", "all"],
  alterConfigs: ["alterConfigs", "all"],
  describeConfigs: ["describeConfigs", "alterConfigs", "all"],
  all: ["all"],
};

function oneOf<T extends string>(value: unknown, allowed: readonly T[], what: string): T {
  if (typeof value !== "string" || !(allowed as readonly string[]).includes(value)) {
    throw new RillError("INVALID_REQUEST", `${what} must be one of ${allowed.join(", ")}, got ${JSON.stringify(value)}`);
  }
  return value as T;
}

/** A principal as bindings and credentials name it: `User:<name>` (1..255 visible characters). */
export function validatePrincipal(value: unknown): string {
  if (typeof value !== "string" || !PRINCIPAL.test(value)) {
    throw new RillError(
      "INVALID_REQUEST",
      `principal must look like User:<name> (1 to 255 visible characters), got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

/** Checks a binding a client sent; throws INVALID_REQUEST naming the field. */
export function validateAclBinding(input: Partial<AclBinding>): AclBinding {
  const resourceType = oneOf(input.resourceType, resourceTypes, "resourceType");
  const resourceName = input.resourceName;
  if (typeof resourceName !== "string" || resourceName.length === 0 || resourceName.length > 255) {
    throw new RillError("INVALID_REQUEST", `resourceName must be 1 to 255 characters, got ${JSON.stringify(resourceName)}`);
  }
  if (resourceType === "cluster" && resourceName !== CLUSTER_RESOURCE) {
    throw new RillError("INVALID_REQUEST", `the cluster resource is named ${CLUSTER_RESOURCE}, got ${JSON.stringify(resourceName)}`);
  }
  const patternType = oneOf(input.patternType ?? "literal", patternTypes, "patternType");
  if (patternType === "prefixed" && resourceName === WILDCARD) {
    throw new RillError("INVALID_REQUEST", `a prefixed binding cannot use the wildcard ${WILDCARD} (use a literal ${WILDCARD})`);
  }
  const host = input.host ?? WILDCARD;
  if (typeof host !== "string" || host.length === 0 || host.length > 255) {
    throw new RillError("INVALID_REQUEST", `host must be an address or ${WILDCARD}, got ${JSON.stringify(host)}`);
  }
  return {
    principal: validatePrincipal(input.principal),
    host,
    resourceType,
    resourceName,
    patternType,
    operation: oneOf(input.operation, aclOperations, "operation"),
    permission: oneOf(input.permission ?? "allow", ["allow", "deny"] as const, "permission"),
  };
}

/** Checks a filter; unknown enum values are INVALID_REQUEST like in a binding. */
export function validateAclFilter(input: Partial<Record<keyof AclFilter, unknown>>): AclFilter {
  const filter: AclFilter = {};
  if (input.principal !== undefined) filter.principal = validatePrincipal(input.principal);
  if (input.host !== undefined) {
    if (typeof input.host !== "string" || input.host.length === 0) throw new RillError("INVALID_REQUEST", "host must be a string");
    filter.host = input.host;
  }
  if (input.resourceType !== undefined) filter.resourceType = oneOf(input.resourceType, resourceTypes, "resourceType");
  if (input.resourceName !== undefined) {
    if (typeof input.resourceName !== "string" || input.resourceName.length === 0) {
      throw new RillError("INVALID_REQUEST", "resourceName must be a non-empty string");
    }
    filter.resourceName = input.resourceName;
  }
  if (input.patternType !== undefined) filter.patternType = oneOf(input.patternType, [...patternTypes, "match"] as const, "patternType");
  if (input.operation !== undefined) filter.operation = oneOf(input.operation, aclOperations, "operation");
  if (input.permission !== undefined) filter.permission = oneOf(input.permission, ["allow", "deny"] as const, "permission");
  if (filter.patternType === "match" && filter.resourceName === undefined) {
    throw new RillError("INVALID_REQUEST", 'patternType "match" needs a resourceName');
  }
  return filter;
}

/** Whether a binding's resource pattern covers the resource `name`. */
function coversName(binding: AclBinding, name: string): boolean {
  if (binding.patternType === "prefixed") return name.startsWith(binding.resourceName);
  return binding.resourceName === WILDCARD || binding.resourceName === name;
}

export function matchesFilter(binding: AclBinding, filter: AclFilter): boolean {
  if (filter.principal !== undefined && binding.principal !== filter.principal) return false;
  if (filter.host !== undefined && binding.host !== filter.host) return false;
  if (filter.resourceType !== undefined && binding.resourceType !== filter.resourceType) return false;
  if (filter.operation !== undefined && binding.operation !== filter.operation) return false;
  if (filter.permission !== undefined && binding.permission !== filter.permission) return false;
  if (filter.resourceName !== undefined) {
    if (filter.patternType === "match") return coversName(binding, filter.resourceName);
    if (binding.resourceName !== filter.resourceName) return false;
  }
  if (filter.patternType !== undefined && filter.patternType !== "match" && binding.patternType !== filter.patternType) return false;
  return true;
}

/** Two bindings are the same when every field is (creating one twice stores it once). */
export function sameBinding(a: AclBinding, b: AclBinding): boolean {
  return (
    a.principal === b.principal &&
    a.host === b.host &&
    a.resourceType === b.resourceType &&
    a.resourceName === b.resourceName &&
    a.patternType === b.patternType &&
    a.operation === b.operation &&
    a.permission === b.permission
  );
}

function appliesTo(binding: AclBinding, subject: AclSubject, type: ResourceType): boolean {
  return (
    binding.resourceType === type &&
    (binding.principal === subject.principal || binding.principal === `User:${WILDCARD}`) &&
    (binding.host === WILDCARD || binding.host === subject.host)
  );
}

/**
 * Whether `subject` may do `operation` on `resource`: some allow binding covers it and no deny
 * binding does. A deny of ALL denies every operation; an allow only counts for the operations it
 * implies (READ allows DESCRIBE, not the other way round).
 */
export function authorize(bindings: readonly AclBinding[], subject: AclSubject, resource: Resource, operation: AclOperation): boolean {
  let allowed = false;
  for (const b of bindings) {
    if (!appliesTo(b, subject, resource.type) || !coversName(b, resource.name)) continue;
    if (b.permission === "deny") {
      if (b.operation === operation || b.operation === "all") return false;
    } else if (impliedBy[operation].includes(b.operation)) {
      allowed = true;
    }
  }
  return allowed;
}

/**
 * Whether `subject` may do `operation` on at least one resource of a type (Kafka's
 * authorizeByResourceType, KIP-679): some allow binding is not wholly covered by a deny. A deny on
 * the literal wildcard covers everything; a prefixed deny covers allows whose names start with it.
 */
export function authorizeAny(bindings: readonly AclBinding[], subject: AclSubject, type: ResourceType, operation: AclOperation): boolean {
  const relevant = bindings.filter((b) => appliesTo(b, subject, type));
  const denies = relevant.filter((b) => b.permission === "deny" && (b.operation === operation || b.operation === "all"));
  if (denies.some((d) => d.patternType === "literal" && d.resourceName === WILDCARD)) return false;
  const coveredByDeny = (allow: AclBinding) =>
    denies.some((d) =>
      d.patternType === "prefixed"
        ? allow.resourceName.startsWith(d.resourceName)
        : allow.patternType === "literal" && d.resourceName === allow.resourceName,
    );
  return relevant.some((b) => b.permission === "allow" && impliedBy[operation].includes(b.operation) && !coveredByDeny(b));
}
