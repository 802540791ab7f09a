// Security administration, named as kafkajs names ACL calls: createAcls, describeAcls, deleteAcls;
// plus API keys (createCredential shows the key once) and client quotas (Kafka's
// AlterClientQuotas / DescribeClientQuotas). The caller needs ALTER / DESCRIBE on the cluster.

import type { AclBinding, AclFilter, QuotaEntity, QuotaEntry } from "@rill/core";
import { paths } from "@rill/protocol";
import type { Transport } from "./transport.ts";

/** A binding to create: host defaults to "*", patternType to literal, permission to allow. */
export type AclBindingInput = Omit<AclBinding, "host" | "patternType" | "permission"> &
  Partial<Pick<AclBinding, "host" | "patternType" | "permission">>;

export interface CredentialListing {
  principal: string;
  keyId: string;
  createdAt: number;
  description: string | null;
}

export interface CreatedCredential extends CredentialListing {
  /** The API key itself: shown in this answer only; store it now. */
  key: string;
}

export interface QuotaChangeInput {
  entity: QuotaEntity;
  /** Bytes per second; null removes the quota, a key left out keeps it. */
  values: { producerByteRate?: number | null; consumerByteRate?: number | null };
}

export interface SecurityAdmin {
  /** Creates bindings; resolves with the ones that were not stored before. */
  createAcls(args: { acl: AclBindingInput[] }): Promise<AclBinding[]>;
  /** The bindings matching a filter (every field optional; patternType "match" finds all that apply to a name). */
  describeAcls(filter?: AclFilter): Promise<AclBinding[]>;
  /** Removes the bindings matching any filter; resolves with what was removed. */
  deleteAcls(args: { filters: AclFilter[] }): Promise<AclBinding[]>;
  createCredential(args: { principal: string; description?: string }): Promise<CreatedCredential>;
  listCredentials(args?: { principal?: string }): Promise<CredentialListing[]>;
  /** Deletes a principal's keys, or one of them. */
  deleteCredentials(args: { principal: string; keyId?: string }): Promise<Array<{ principal: string; keyId: string }>>;
  alterClientQuotas(change: QuotaChangeInput): Promise<QuotaEntry>;
  describeClientQuotas(filter?: { user?: string; clientId?: string }): Promise<QuotaEntry[]>;
}

export function createSecurityAdmin(transport: Transport): SecurityAdmin {
  const query = (filter: object | undefined) =>
    Object.fromEntries(Object.entries(filter ?? {}).filter(([, v]) => v !== undefined)) as Record<string, string>;
  return {
    async createAcls({ acl }) {
      const answer = await transport.json<{ created: AclBinding[] }>({ method: "POST", path: paths.acls(), json: { acls: acl } });
      return answer.created;
    },
    async describeAcls(filter) {
      return (await transport.json<{ acls: AclBinding[] }>({ method: "GET", path: paths.acls(), query: query(filter) })).acls;
    },
    async deleteAcls({ filters }) {
      return (await transport.json<{ deleted: AclBinding[] }>({ method: "DELETE", path: paths.acls(), json: { filters } })).deleted;
    },
    createCredential: (args) => transport.json<CreatedCredential>({ method: "POST", path: paths.credentials(), json: args }),
    async listCredentials(args) {
      const answer = await transport.json<{ credentials: CredentialListing[] }>({
        method: "GET",
        path: paths.credentials(),
        query: query(args),
      });
      return answer.credentials;
    },
    async deleteCredentials({ principal, keyId }) {
      const answer = await transport.json<{ deleted: Array<{ principal: string; keyId: string }> }>({
        method: "DELETE",
        path: paths.credential(principal),
        query: query({ keyId }),
      });
      return answer.deleted;
    },
    alterClientQuotas: (change) => transport.json<QuotaEntry>({ method: "PUT", path: paths.quotas(), json: change }),
    async describeClientQuotas(filter) {
      return (await transport.json<{ quotas: QuotaEntry[] }>({ method: "GET", path: paths.quotas(), query: query(filter) })).quotas;
    },
  };
}
