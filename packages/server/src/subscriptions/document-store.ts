// Subscriptions kept as versioned documents of the storage seam: the settings with their secret,
// and the pump's state. The in-process broker keeps every subscription in its one Storage; at the
// edge each subscription's Durable Object keeps its own in its SQLite (the same Storage seam).

import { RillError, type Storage } from "@rill/core";
import type { PumpState, PumpStore } from "./pump-state.ts";
import type { SubscriptionConfig } from "./types.ts";

const SETTINGS = "subscriptions";
const STATE = "subscription-state";

export interface StoredSubscription {
  config: SubscriptionConfig;
  secret: string;
}

export const subscriptionId = (group: string, name: string) => `${group}/${name}`;

/** One writer per document (the subscription's own service or object), so a conflict is a bug. */
async function write<T>(storage: Storage, namespace: string, id: string, value: T): Promise<void> {
  const current = await storage.getDocument<T>(namespace, id);
  if (!(await storage.putDocument(namespace, id, current?.version ?? 0, value)))
    throw new RillError("CONCURRENT_APPEND", `subscription document ${namespace}/${id} changed underneath its writer`);
}

export function createSubscriptionDocuments(storage: Storage) {
  return {
    async get(group: string, name: string): Promise<StoredSubscription | null> {
      return (await storage.getDocument<StoredSubscription>(SETTINGS, subscriptionId(group, name)))?.value ?? null;
    },
    /** Creates the settings document; false when one exists already. */
    create(stored: StoredSubscription): Promise<boolean> {
      return storage.putDocument(SETTINGS, subscriptionId(stored.config.group, stored.config.name), 0, stored);
    },
    put: (stored: StoredSubscription) => write(storage, SETTINGS, subscriptionId(stored.config.group, stored.config.name), stored),
    async list(): Promise<StoredSubscription[]> {
      return (await storage.listDocuments<StoredSubscription>(SETTINGS)).map((d) => d.value);
    },
    async delete(group: string, name: string): Promise<void> {
      await storage.deleteDocument(SETTINGS, subscriptionId(group, name));
      await storage.deleteDocument(STATE, subscriptionId(group, name));
    },
    /** The pump's state of one subscription. */
    pumpStore(group: string, name: string): PumpStore {
      const id = subscriptionId(group, name);
      let version: number | undefined;
      return {
        async load() {
          const doc = await storage.getDocument<PumpState>(STATE, id);
          version = doc?.version ?? 0;
          return doc?.value;
        },
        async save(state) {
          if (version === undefined) version = (await storage.getDocument(STATE, id))?.version ?? 0;
          if (!(await storage.putDocument(STATE, id, version, state))) {
            // a previous incarnation's late write: take the newest version and write over it
            version = (await storage.getDocument(STATE, id))?.version ?? 0;
            if (!(await storage.putDocument(STATE, id, version, state)))
              throw new RillError("CONCURRENT_APPEND", `subscription state ${id} is being written by two pumps`);
          }
          version += 1;
        },
      };
    },
  };
}

export type SubscriptionDocuments = ReturnType<typeof createSubscriptionDocuments>;
