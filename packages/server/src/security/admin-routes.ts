// Security administration (who may call these is in the operation list: ALTER / DESCRIBE on the
// cluster, ALTER_CONFIGS / DESCRIBE_CONFIGS for quotas).
//   POST   /v1/credentials              {principal, description?} -> 201 {principal, keyId, key, createdAt} (the key, once)
//   GET    /v1/credentials?principal=   -> {credentials: [{principal, keyId, createdAt, description}]}
//   DELETE /v1/credentials/:principal?keyId=  -> {deleted: [{principal, keyId}]}
//   POST   /v1/acls                     {acls: [binding]} -> 201 {created: [binding]} (only those not stored before)
//   GET    /v1/acls?principal=&resourceType=&resourceName=&patternType=&operation=&permission=&host= -> {acls}
//   DELETE /v1/acls                     {filters: [filter]} -> {deleted: [binding]}
//   PUT    /v1/quotas                   {entity: {user?, clientId?}, values: {producerByteRate?, consumerByteRate?}} -> {entity, values}
//   GET    /v1/quotas?user=&clientId=   -> {quotas: [{entity, values}]}

import {
  type CredentialRecord,
  matchesFilter,
  RillError,
  type SecurityMetadata,
  validateAclBinding,
  validateAclFilter,
  validatePrincipal,
  validateQuotaChanges,
  validateQuotaEntity,
} from "@rill/core";
import { ROUTES } from "@rill/protocol";
import { alterQuotaBody, createAclsBody, createCredentialBody, deleteAclsBody } from "@rill/protocol/operations";
import type { Hono } from "hono";
import { jsonBody } from "../request.ts";
import { newApiKey } from "./api-keys.ts";
import type { SecurityCache } from "./security-cache.ts";

const listed = (r: CredentialRecord) => ({
  principal: r.principal,
  keyId: r.keyId,
  createdAt: r.createdAt,
  description: r.description ?? null,
});

/** Adds the security admin routes to `app`; without a store they answer SECURITY_DISABLED. */
export function addSecurityRoutes(app: Hono, store: SecurityMetadata | undefined, cache: SecurityCache): void {
  const need = (): SecurityMetadata => {
    if (!store) throw new RillError("SECURITY_DISABLED", "this broker keeps no credentials, ACLs or quotas");
    return store;
  };
  /** A change made here is in force here at once (elsewhere within the cache's lifetime). */
  const changed = <T>(value: T): T => {
    cache.invalidate();
    return value;
  };

  app.post(ROUTES.credentials, async (c) => {
    const body = await jsonBody(c, createCredentialBody);
    const principal = validatePrincipal(body.principal);
    const { key, record } = await newApiKey(principal, body.description);
    await need().addCredential(record);
    changed(null);
    return c.json({ ...listed(record), key }, 201);
  });

  app.get(ROUTES.credentials, async (c) => {
    const principal = c.req.query("principal");
    const all = await need().listCredentials();
    return c.json({ credentials: all.filter((r) => principal === undefined || r.principal === principal).map(listed) });
  });

  app.delete(ROUTES.credential, async (c) => {
    const principal = validatePrincipal(c.req.param("principal"));
    const removed = await need().deleteCredentials(principal, c.req.query("keyId"));
    return c.json(changed({ deleted: removed.map((r) => ({ principal: r.principal, keyId: r.keyId })) }));
  });

  app.post(ROUTES.acls, async (c) => {
    const body = await jsonBody(c, createAclsBody);
    const bindings = body.acls.map(validateAclBinding);
    return c.json(changed({ created: await need().createAcls(bindings) }), 201);
  });

  app.get(ROUTES.acls, async (c) => {
    const filter = validateAclFilter(c.req.query());
    const { acls } = await need().snapshot();
    return c.json({ acls: acls.filter((b) => matchesFilter(b, filter)) });
  });

  app.delete(ROUTES.acls, async (c) => {
    const body = await jsonBody(c, deleteAclsBody);
    const filters = body.filters.map(validateAclFilter);
    return c.json(changed({ deleted: await need().deleteAcls(filters) }));
  });

  app.put(ROUTES.quotas, async (c) => {
    const body = await jsonBody(c, alterQuotaBody);
    const entity = validateQuotaEntity(body.entity);
    const entry = await need().alterQuota(entity, validateQuotaChanges(body.values));
    return c.json(changed(entry ?? { entity, values: {} }));
  });

  app.get(ROUTES.quotas, async (c) => {
    const user = c.req.query("user");
    const clientId = c.req.query("clientId");
    const { quotas } = await need().snapshot();
    return c.json({
      quotas: quotas.filter(
        (q) => (user === undefined || q.entity.user === user) && (clientId === undefined || q.entity.clientId === clientId),
      ),
    });
  });
}
