// Security metadata beside the cluster metadata: ACL bindings, client quotas and API key
// credentials, kept as versioned documents written by compare-and-set in the same Storage as the
// controller's (the controller object's SQLite at the edge). Credentials are stored as the salted
// hashes the HTTP layer computes; the plain key never reaches storage.

import { type AclBinding, type AclFilter, MAX_ACL_BINDINGS, matchesFilter, sameBinding, validatePrincipal } from "./acl.ts";
import { RillError } from "./errors.ts";
import { entityKey, MAX_QUOTA_ENTRIES, type QuotaEntity, type QuotaEntry, type QuotaValues } from "./quota.ts";
import type { Storage } from "./storage.ts";

/** One API key as stored: who it stands for and a salted hash of its secret. */
export interface CredentialRecord {
  /** Public part of the key, also its id (the key reads `rill_<keyId>_<secret>`). */
  keyId: string;
  principal: string;
  /** Hash algorithm of `hash` (SHA-256 over salt and secret). */
  algorithm: "SHA-256";
  /** Base64url salt, random per key. */
  salt: string;
  /** Base64url hash of salt + secret. */
  hash: string;
  createdAt: number;
  description?: string;
}

/** What authorization and quotas read on every request, cached by brokers with bounded staleness. */
export interface SecuritySnapshot {
  /** Changes whenever bindings or quotas do. */
  version: string;
  acls: AclBinding[];
  quotas: QuotaEntry[];
}

/** Quota changes: a rate sets it, null removes it. */
export type QuotaChanges = { [K in keyof QuotaValues]?: number | null };

export interface SecurityMetadata {
  snapshot(): Promise<SecuritySnapshot>;
  /** Adds bindings (a binding already stored is not stored twice); answers the ones added. */
  createAcls(bindings: AclBinding[]): Promise<AclBinding[]>;
  /** Removes every binding matching any filter; answers what it removed. */
  deleteAcls(filters: AclFilter[]): Promise<AclBinding[]>;
  /**
   * Changes an entity's quotas: a rate sets it, null removes it, a key left out stays as it is. An
   * entity left with no rate is removed. Answers the stored entry, or null when none is left.
   */
  alterQuota(entity: QuotaEntity, changes: QuotaChanges): Promise<QuotaEntry | null>;
  addCredential(record: CredentialRecord): Promise<void>;
  getCredential(keyId: string): Promise<CredentialRecord | null>;
  listCredentials(): Promise<CredentialRecord[]>;
  /** Removes a principal's keys (one of them when `keyId` is given); answers what it removed. */
  deleteCredentials(principal: string, keyId?: string): Promise<CredentialRecord[]>;
}

const NAMESPACE = "security";
const CREDENTIALS = "credentials";
const MAX_CAS_ATTEMPTS = 20;
/** Keys per principal: enough to rotate, not enough to hoard. */
export const MAX_KEYS_PER_PRINCIPAL = 10;

export function createSecurityMetadata(storage: Storage): SecurityMetadata {
  /** Read-modify-write of one list document, retried when another writer got there first. */
  async function modify<T, R>(id: string, change: (list: T[]) => { next: T[]; result: R }): Promise<R> {
    for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
      const doc = await storage.getDocument<T[]>(NAMESPACE, id);
      const { next, result } = change(doc?.value ?? []);
      if (await storage.putDocument(NAMESPACE, id, doc?.version ?? 0, next)) return result;
    }
    throw new RillError("CONCURRENT_APPEND", `security ${id} are being changed concurrently; try again`);
  }

  return {
    async snapshot() {
      const [acls, quotas] = await Promise.all([
        storage.getDocument<AclBinding[]>(NAMESPACE, "acls"),
        storage.getDocument<QuotaEntry[]>(NAMESPACE, "quotas"),
      ]);
      return { version: `${acls?.version ?? 0}.${quotas?.version ?? 0}`, acls: acls?.value ?? [], quotas: quotas?.value ?? [] };
    },

    createAcls(bindings) {
      return modify<AclBinding, AclBinding[]>("acls", (list) => {
        const added: AclBinding[] = [];
        for (const b of bindings) if (!list.some((s) => sameBinding(s, b)) && !added.some((s) => sameBinding(s, b))) added.push(b);
        if (list.length + added.length > MAX_ACL_BINDINGS) {
          throw new RillError("POLICY_VIOLATION", `at most ${MAX_ACL_BINDINGS} ACL bindings can be stored`);
        }
        return { next: [...list, ...added], result: added };
      });
    },

    deleteAcls(filters) {
      return modify<AclBinding, AclBinding[]>("acls", (list) => {
        const removed = list.filter((b) => filters.some((f) => matchesFilter(b, f)));
        return { next: list.filter((b) => !removed.includes(b)), result: removed };
      });
    },

    alterQuota(entity, changes) {
      const key = entityKey(entity);
      return modify<QuotaEntry, QuotaEntry | null>("quotas", (list) => {
        const rest = list.filter((e) => entityKey(e.entity) !== key);
        const values: QuotaValues = { ...list.find((e) => entityKey(e.entity) === key)?.values };
        for (const name of ["producerByteRate", "consumerByteRate"] as const) {
          const change = changes[name];
          if (change === null) delete values[name];
          else if (change !== undefined) values[name] = change;
        }
        if (values.producerByteRate === undefined && values.consumerByteRate === undefined) return { next: rest, result: null };
        if (rest.length >= MAX_QUOTA_ENTRIES)
          throw new RillError("POLICY_VIOLATION", `at most ${MAX_QUOTA_ENTRIES} quota entries can be stored`);
        const entry = { entity, values };
        return { next: [...rest, entry], result: entry };
      });
    },

    async addCredential(record) {
      validatePrincipal(record.principal);
      const existing = (await storage.listDocuments<CredentialRecord>(CREDENTIALS)).filter((d) => d.value.principal === record.principal);
      if (existing.length >= MAX_KEYS_PER_PRINCIPAL) {
        throw new RillError("POLICY_VIOLATION", `${record.principal} already has ${MAX_KEYS_PER_PRINCIPAL} keys; delete one first`);
      }
      if (!(await storage.putDocument(CREDENTIALS, record.keyId, 0, record))) {
        throw new RillError("CONCURRENT_APPEND", "key id collision; try again");
      }
    },

    async getCredential(keyId) {
      return (await storage.getDocument<CredentialRecord>(CREDENTIALS, keyId))?.value ?? null;
    },

    async listCredentials() {
      return (await storage.listDocuments<CredentialRecord>(CREDENTIALS)).map((d) => d.value);
    },

    async deleteCredentials(principal, keyId) {
      const matching = (await storage.listDocuments<CredentialRecord>(CREDENTIALS))
        .map((d) => d.value)
        .filter((r) => r.principal === principal && (keyId === undefined || r.keyId === keyId));
      for (const r of matching) await storage.deleteDocument(CREDENTIALS, r.keyId);
      return matching;
    },
  };
}
