// Security administration: API keys, ACL bindings and client quotas, all guarded by cluster rights.

import { CLUSTER, type Operation } from "./operation.ts";
import { ROUTES } from "./paths.ts";
import { alterQuotaBody, createAclsBody, createCredentialBody, deleteAclsBody } from "./security-schemas.ts";

export const securityOperations: Operation[] = [
  {
    method: "POST",
    route: ROUTES.credentials,
    summary: "Create an API key for a principal; the key is in this answer only (several per principal, for rotation)",
    body: createCredentialBody,
    access: { checks: [{ resource: "cluster", operation: "alter", name: CLUSTER }] },
  },
  {
    method: "GET",
    route: ROUTES.credentials,
    summary: "List API keys (ids and principals, never the keys)",
    query: { principal: "only this principal's keys" },
    access: { checks: [{ resource: "cluster", operation: "describe", name: CLUSTER }] },
  },
  {
    method: "DELETE",
    route: ROUTES.credential,
    summary: "Delete a principal's API keys (or one, with keyId)",
    query: { keyId: "only this key" },
    access: { checks: [{ resource: "cluster", operation: "alter", name: CLUSTER }] },
  },
  {
    method: "POST",
    route: ROUTES.acls,
    summary: "Create ACL bindings (Kafka's CreateAcls)",
    body: createAclsBody,
    access: { checks: [{ resource: "cluster", operation: "alter", name: CLUSTER }] },
  },
  {
    method: "GET",
    route: ROUTES.acls,
    summary: "List ACL bindings matching a filter (Kafka's DescribeAcls)",
    query: {
      principal: "User:<name>",
      host: "address or *",
      resourceType: "topic, group, cluster or transactionalId",
      resourceName: "a name",
      patternType: "literal, prefixed, or match (every binding that applies to resourceName)",
      operation: "an ACL operation",
      permission: "allow or deny",
    },
    access: { checks: [{ resource: "cluster", operation: "describe", name: CLUSTER }] },
  },
  {
    method: "DELETE",
    route: ROUTES.acls,
    summary: "Delete the ACL bindings matching any of the filters; answers what was removed (Kafka's DeleteAcls)",
    body: deleteAclsBody,
    access: { checks: [{ resource: "cluster", operation: "alter", name: CLUSTER }] },
  },
  {
    method: "PUT",
    route: ROUTES.quotas,
    summary: "Set or remove produce/fetch byte-rate quotas of a user, a client id, or both (Kafka's AlterClientQuotas)",
    body: alterQuotaBody,
    access: { checks: [{ resource: "cluster", operation: "alterConfigs", name: CLUSTER }] },
  },
  {
    method: "GET",
    route: ROUTES.quotas,
    summary: "List quotas (Kafka's DescribeClientQuotas)",
    query: { user: "only this user's entries", clientId: "only this client id's entries" },
    access: { checks: [{ resource: "cluster", operation: "describeConfigs", name: CLUSTER }] },
  },
];
