// What authorization, API keys and quotas read on every request, cached for a bounded time: at the
// edge each read is a controller round trip, so an isolate keeps the ACLs, quotas and the keys it
// has seen for `ttlMs` (a change made elsewhere is in force everywhere within that time; one made
// through this app is in force here at once). Only settled reads are shared: in workerd a request
// that awaits a promise whose I/O belongs to another request has no pending I/O of its own, and
// the runtime cancels it as hung (~half of bench:push's runs did so before), so concurrent misses
// read once each.

import type { CredentialRecord, SecurityMetadata, SecuritySnapshot } from "@rill/core";

export interface SecurityCache {
  snapshot(): Promise<SecuritySnapshot>;
  credential(keyId: string): Promise<CredentialRecord | null>;
  /** Forgets everything (after a change made through this app). */
  invalidate(): void;
}

const EMPTY: SecuritySnapshot = { version: "0.0", acls: [], quotas: [] };
const MAX_CACHED_KEYS = 10_000;

export function createSecurityCache(store: SecurityMetadata | undefined, ttlMs: number, now: () => number = Date.now): SecurityCache {
  let snapshot: { value: SecuritySnapshot; expires: number } | undefined;
  const keys = new Map<string, { value: CredentialRecord | null; expires: number }>();
  /** Bumped by invalidate(), so a read begun before a change does not refill the cache with old data. */
  let generation = 0;

  return {
    async snapshot() {
      if (!store) return EMPTY;
      if (snapshot && snapshot.expires > now()) return snapshot.value;
      const started = generation;
      const value = await store.snapshot();
      if (started === generation) snapshot = { value, expires: now() + ttlMs };
      return value;
    },
    async credential(keyId) {
      if (!store) return null;
      const hit = keys.get(keyId);
      if (hit && hit.expires > now()) return hit.value;
      const started = generation;
      const value = await store.getCredential(keyId);
      if (started === generation) {
        if (keys.size >= MAX_CACHED_KEYS) keys.clear();
        keys.set(keyId, { value, expires: now() + ttlMs });
      }
      return value;
    },
    invalidate() {
      generation++;
      snapshot = undefined;
      keys.clear();
    },
  };
}
