// What authorization, API keys and quotas read on every request, cached for a bounded time: at the
// edge each read is a controller round trip, so an isolate keeps the ACLs, quotas and the keys it
// has seen for `ttlMs` (a change made elsewhere is in force everywhere within that time; one made
// through this app is in force here at once). Concurrent misses share one read.

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
  let snapshot: { value: Promise<SecuritySnapshot>; expires: number } | undefined;
  const keys = new Map<string, { value: Promise<CredentialRecord | null>; expires: number }>();

  return {
    snapshot() {
      if (!store) return Promise.resolve(EMPTY);
      if (snapshot && snapshot.expires > now()) return snapshot.value;
      const value = store.snapshot();
      snapshot = { value, expires: now() + ttlMs };
      // a failed read is not remembered: the next request asks again
      value.catch(() => {
        if (snapshot?.value === value) snapshot = undefined;
      });
      return value;
    },
    credential(keyId) {
      if (!store) return Promise.resolve(null);
      const hit = keys.get(keyId);
      if (hit && hit.expires > now()) return hit.value;
      const value = store.getCredential(keyId);
      if (keys.size >= MAX_CACHED_KEYS) keys.clear();
      keys.set(keyId, { value, expires: now() + ttlMs });
      value.catch(() => keys.delete(keyId));
      return value;
    },
    invalidate() {
      snapshot = undefined;
      keys.clear();
    },
  };
}
