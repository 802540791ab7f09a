// Security at the edge: credentials, ACLs and quota settings live in the controller object (beside
// the cluster metadata); each quota entity's meter lives in its own QuotaObject. The HTTP app caches
// what it reads from the controller for SECURITY_CACHE_MS per isolate (the staleness the docs state).

import type { AclBinding, AclFilter, CredentialRecord, QuotaChanges, QuotaEntity, SecurityMetadata } from "@rill/core";
import type { QuotaService } from "@rill/server";
import type { Env } from "./env.ts";
import { call } from "./rpc.ts";

/** How long an isolate trusts ACLs, quotas and API keys it read: a change elsewhere is in force within this. */
export const SECURITY_CACHE_MS = 5_000;
const MAX_REMEMBERED = 10_000;

export function edgeSecurityMetadata(env: Env): SecurityMetadata {
  const controller = () => env.CONTROLLER.get(env.CONTROLLER.idFromName("controller"));
  return {
    snapshot: () => call(controller().securitySnapshot()),
    createAcls: (bindings: AclBinding[]) => call(controller().createAcls(bindings)),
    deleteAcls: (filters: AclFilter[]) => call(controller().deleteAcls(filters)),
    alterQuota: (entity: QuotaEntity, changes: QuotaChanges) => call(controller().alterQuota(entity, changes)),
    addCredential: async (record: CredentialRecord) => {
      await call(controller().addCredential(record));
    },
    getCredential: (keyId: string) => call(controller().getCredential(keyId)),
    listCredentials: () => call(controller().listCredentials()),
    deleteCredentials: (principal: string, keyId?: string) => call(controller().deleteCredentials(principal, keyId)),
  };
}

/**
 * Quota meters in QuotaObjects. Every charge asks the entity's object (the one count for all
 * isolates); the isolate remembers the throttle time each answer gave, so a client's early request
 * is held or refused without a round trip.
 */
export function edgeQuotaService(env: Env): QuotaService {
  const until = new Map<string, number>();
  return {
    async pending(key) {
      return Math.max(0, (until.get(key) ?? 0) - Date.now());
    },
    async charge(key, bytes, bytesPerSecond) {
      try {
        const throttle = await env.QUOTAS.get(env.QUOTAS.idFromName(key)).charge(key, bytes, bytesPerSecond);
        if (until.size >= MAX_REMEMBERED) until.clear();
        until.set(key, Date.now() + throttle);
        return throttle;
      } catch (error) {
        // the request was served already: failing it now would make the client send it again
        console.error("rill: quota meter unreachable", error);
        return 0;
      }
    },
  };
}
