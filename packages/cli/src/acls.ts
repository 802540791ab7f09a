// `rill acls add|list|remove`: Kafka's kafka-acls. A binding names a principal, operations and one
// resource (--topic, --group, --transactional-id or --cluster), literal unless --prefixed, an allow
// unless --deny.

import type { AclBinding, AclFilter, Client } from "@rill/client";
import { expectPositionals, list, parse, str, UsageError, type Values } from "./args.ts";
import { type CliIO, write } from "./io.ts";
import { table } from "./table.ts";

export const aclSubcommands = ["add", "list", "remove"] as const;

const OPERATIONS = ["read", "write", "create", "delete", "alter", "describe", "alterConfigs", "describeConfigs", "all"] as const;

const resourceOptions = {
  topic: { type: "string" },
  group: { type: "string" },
  "transactional-id": { type: "string" },
  cluster: { type: "boolean" },
  prefixed: { type: "boolean" },
  principal: { type: "string" },
  host: { type: "string" },
  operation: { type: "string", multiple: true },
  deny: { type: "boolean" },
  allow: { type: "boolean" },
  json: { type: "boolean" },
  all: { type: "boolean" },
} as const;

/** The one resource the options name, or none. */
function resource(values: Values): { resourceType: AclBinding["resourceType"]; resourceName: string } | undefined {
  const given: Array<{ resourceType: AclBinding["resourceType"]; resourceName: string }> = [];
  if (str(values, "topic") !== undefined) given.push({ resourceType: "topic", resourceName: str(values, "topic") as string });
  if (str(values, "group") !== undefined) given.push({ resourceType: "group", resourceName: str(values, "group") as string });
  if (str(values, "transactional-id") !== undefined)
    given.push({ resourceType: "transactionalId", resourceName: str(values, "transactional-id") as string });
  if (values.cluster) given.push({ resourceType: "cluster", resourceName: "kafka-cluster" });
  if (given.length > 1) throw new UsageError("name one resource: --topic, --group, --transactional-id or --cluster");
  return given[0];
}

function operations(values: Values): AclBinding["operation"][] {
  const ops = list(values, "operation");
  for (const op of ops) {
    if (!(OPERATIONS as readonly string[]).includes(op))
      throw new UsageError(`--operation must be one of ${OPERATIONS.join(", ")}, got ${JSON.stringify(op)}`);
  }
  return ops as AclBinding["operation"][];
}

function principalOf(values: Values): string | undefined {
  const p = str(values, "principal");
  if (p === undefined) return undefined;
  return p.startsWith("User:") ? p : `User:${p}`;
}

function filterOf(values: Values): AclFilter {
  const r = resource(values);
  const ops = operations(values);
  if (ops.length > 1) throw new UsageError("a filter takes at most one --operation");
  const filter: AclFilter = {};
  const principal = principalOf(values);
  if (principal) filter.principal = principal;
  if (str(values, "host")) filter.host = str(values, "host");
  if (r) Object.assign(filter, r, { patternType: values.prefixed ? "prefixed" : "literal" });
  if (ops[0]) filter.operation = ops[0];
  if (values.deny) filter.permission = "deny";
  else if (values.allow) filter.permission = "allow";
  return filter;
}

function render(bindings: AclBinding[]): string {
  if (bindings.length === 0) return "";
  return table(
    ["PRINCIPAL", "PERMISSION", "OPERATION", "RESOURCE", "NAME", "PATTERN", "HOST"],
    bindings.map((b) => [b.principal, b.permission, b.operation, b.resourceType, b.resourceName, b.patternType, b.host]),
  );
}

export async function aclsCommand(sub: string, args: string[], client: () => Client, io: CliIO): Promise<number> {
  const out = (text: string) => write(io.stdout, text);
  const { values, positionals } = parse(args, resourceOptions);
  expectPositionals(positionals, []);
  const admin = () => client().admin();
  switch (sub) {
    case "add": {
      const principal = principalOf(values);
      if (!principal) throw new UsageError("--principal is required");
      const r = resource(values);
      if (!r) throw new UsageError("name a resource: --topic, --group, --transactional-id or --cluster");
      const ops = operations(values);
      if (ops.length === 0) throw new UsageError("--operation is required (repeatable)");
      const created = await admin().createAcls({
        acl: ops.map((operation) => ({
          principal,
          host: str(values, "host") ?? "*",
          ...r,
          patternType: values.prefixed ? "prefixed" : "literal",
          operation,
          permission: values.deny ? "deny" : "allow",
        })),
      });
      await out(values.json ? `${JSON.stringify(created)}\n` : `Added ${created.length} binding(s).\n${render(created)}`);
      return 0;
    }
    case "list": {
      const found = await admin().describeAcls(filterOf(values));
      await out(values.json ? `${JSON.stringify(found)}\n` : render(found));
      return 0;
    }
    case "remove": {
      const filter = filterOf(values);
      if (Object.keys(filter).length === 0 && !values.all)
        throw new UsageError("give a filter (--principal, a resource, --operation...) or --all");
      const removed = await admin().deleteAcls({ filters: [filter] });
      await out(values.json ? `${JSON.stringify(removed)}\n` : `Removed ${removed.length} binding(s).\n${render(removed)}`);
      return 0;
    }
    default:
      throw new UsageError(`unknown command "acls ${sub}"`);
  }
}
