// Request bodies of the security admin routes (credentials, ACLs, quotas) as zod schemas. Field
// values (enums, names, rates) are checked again by @rill/core when stored, so both agree.

import { z } from "zod";

const resourceType = z.enum(["topic", "group", "cluster", "transactionalId"]);
const aclOperation = z.enum(["read", "write", "create", "delete", "alter", "describe", "alterConfigs", "describeConfigs", "all"]);
const principal = z.string().min(6).max(260).describe("User:<name>; User:* in a binding means every principal");

export const aclBindingSchema = z
  .object({
    principal,
    host: z.string().min(1).max(255).optional().describe('Client address, or "*" (default) for any'),
    resourceType,
    resourceName: z.string().min(1).max(255).describe('A name, a prefix, or "*" (literal) for every name; the cluster is kafka-cluster'),
    patternType: z.enum(["literal", "prefixed"]).optional().describe("Default literal"),
    operation: aclOperation,
    permission: z.enum(["allow", "deny"]).optional().describe("Default allow; a deny wins over any allow"),
  })
  .strict();

export const aclFilterSchema = z
  .object({
    principal: principal.optional(),
    host: z.string().min(1).max(255).optional(),
    resourceType: resourceType.optional(),
    resourceName: z.string().min(1).max(255).optional(),
    patternType: z.enum(["literal", "prefixed", "match"]).optional().describe("match: every binding that applies to resourceName"),
    operation: aclOperation.optional(),
    permission: z.enum(["allow", "deny"]).optional(),
  })
  .strict();

export const createAclsBody = z.object({ acls: z.array(aclBindingSchema).min(1).max(1000) }).strict();

export const deleteAclsBody = z
  .object({ filters: z.array(aclFilterSchema).min(1).max(100).describe("A binding matching any filter is removed") })
  .strict();

export const createCredentialBody = z
  .object({
    principal: principal.describe("User:<name> the key authenticates as"),
    description: z.string().max(255).optional(),
  })
  .strict();

const entityName = z.string().min(1).max(255);
const rate = z.number().positive().nullable().optional();

export const alterQuotaBody = z
  .object({
    entity: z
      .object({
        user: entityName.optional().describe("User name (the principal without User:), or <default>"),
        clientId: entityName.optional().describe("Client id (the rill-client-id header), or <default>"),
      })
      .strict(),
    values: z
      .object({
        producerByteRate: rate.describe("Bytes/s produced; null removes"),
        consumerByteRate: rate.describe("Bytes/s fetched; null removes"),
      })
      .strict(),
  })
  .strict();

export type AclBindingBody = z.input<typeof aclBindingSchema>;
export type AclFilterBody = z.input<typeof aclFilterSchema>;
export type CreateAclsBody = z.input<typeof createAclsBody>;
export type DeleteAclsBody = z.input<typeof deleteAclsBody>;
export type CreateCredentialBody = z.input<typeof createCredentialBody>;
export type AlterQuotaBody = z.input<typeof alterQuotaBody>;
