// kafkajs's ACL enums (resource, operation, pattern and permission types) to Rill's ACL names and
// back, for the admin's createAcls, describeAcls and deleteAcls.

import type { AclBinding, AclFilter } from "@rill/client";
import { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ResourcePatternTypes } from "./constants.ts";
import { KafkaJSInvalidArgument } from "./errors.ts";
import type { AclEntry, AclFilterEntry } from "./types.ts";

const invert = <T extends Record<string, number>>(o: T) =>
  Object.fromEntries(Object.entries(o).map(([k, v]) => [v, k])) as Record<number, string>;
const RESOURCE_NAMES = invert(AclResourceTypes);
const OPERATION_NAMES = invert(AclOperationTypes);

// kafkajs's ACL enums <-> Rill's names
const toRillResource = (n: number | undefined) => {
  const name = n === undefined ? undefined : RESOURCE_NAMES[n];
  if (name === undefined || name === "ANY") return undefined;
  const map: Record<string, AclBinding["resourceType"]> = {
    TOPIC: "topic",
    GROUP: "group",
    CLUSTER: "cluster",
    TRANSACTIONAL_ID: "transactionalId",
  };
  const rill = map[name];
  if (!rill) throw new KafkaJSInvalidArgument(`ACL resource type ${name} is not supported`);
  return rill;
};
const toRillOperation = (n: number | undefined) => {
  const name = n === undefined ? undefined : OPERATION_NAMES[n];
  if (name === undefined || name === "ANY") return undefined;
  const map: Record<string, AclBinding["operation"]> = {
    ALL: "all",
    READ: "read",
    WRITE: "write",
    CREATE: "create",
    DELETE: "delete",
    ALTER: "alter",
    DESCRIBE: "describe",
    DESCRIBE_CONFIGS: "describeConfigs",
    ALTER_CONFIGS: "alterConfigs",
  };
  const rill = map[name];
  if (!rill) throw new KafkaJSInvalidArgument(`ACL operation ${name} is not supported`);
  return rill;
};
const toRillPattern = (n: number | undefined): AclFilter["patternType"] =>
  n === ResourcePatternTypes.PREFIXED
    ? "prefixed"
    : n === ResourcePatternTypes.MATCH
      ? "match"
      : n === ResourcePatternTypes.LITERAL
        ? "literal"
        : undefined;
const toRillPermission = (n: number | undefined): AclBinding["permission"] | undefined =>
  n === AclPermissionTypes.DENY ? "deny" : n === AclPermissionTypes.ALLOW ? "allow" : undefined;

export function toRillFilter(f: AclFilterEntry): AclFilter {
  return {
    principal: f.principal ?? undefined,
    host: f.host ?? undefined,
    resourceType: toRillResource(f.resourceType),
    resourceName: f.resourceName ?? undefined,
    patternType: toRillPattern(f.resourcePatternType),
    operation: toRillOperation(f.operation),
    permission: toRillPermission(f.permissionType),
  };
}

export function fromRill(b: AclBinding): AclEntry {
  const resource: Record<string, number> = { topic: 2, group: 3, cluster: 4, transactionalId: 5 };
  const operation: Record<string, number> = {
    all: 2,
    read: 3,
    write: 4,
    create: 5,
    delete: 6,
    alter: 7,
    describe: 8,
    describeConfigs: 10,
    alterConfigs: 11,
  };
  return {
    resourceType: resource[b.resourceType] ?? 0,
    resourceName: b.resourceName,
    resourcePatternType: b.patternType === "prefixed" ? ResourcePatternTypes.PREFIXED : ResourcePatternTypes.LITERAL,
    principal: b.principal,
    host: b.host,
    operation: operation[b.operation] ?? 0,
    permissionType: b.permission === "deny" ? AclPermissionTypes.DENY : AclPermissionTypes.ALLOW,
  };
}
