// An in-process broker and its HTTP app, reached through `fetch` without a socket: what tests,
// benchmarks and embedders want when the network is not the thing under test.
import { createSecurityMetadata, type Storage } from "@rill/core";
import {
  createHttpApp,
  createLocalBroker,
  createLocalSubscriptions,
  type HttpAppOptions,
  type LocalBroker,
  type LocalBrokerOptions,
} from "@rill/server";
import { createMemoryStorage } from "@rill/storage-memory";
import type { Hono } from "hono";

export interface NodeBrokerOptions extends HttpAppOptions {
  /** Where the log lives (default: a fresh in-memory storage). */
  storage?: Storage;
  /** The clock (default Date.now); tests pass a fake one. */
  now?: () => number;
  /** How often retention and compaction run (default 5 min). */
  maintenanceIntervalMs?: number;
  /** What retention and compaction must keep per partition (an outbox's: @rill/sync's createRetentionFloor). */
  retentionFloor?: LocalBrokerOptions["retentionFloor"];
}

export interface NodeBroker {
  broker: LocalBroker;
  app: Hono;
  /** The app's own fetch: a Request-shaped call answered in-process. */
  fetch(input: string | URL | Request, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

export function createNodeBroker(options: NodeBrokerOptions = {}): NodeBroker {
  const { storage, now, maintenanceIntervalMs, retentionFloor, ...http } = options;
  const store = storage ?? createMemoryStorage();
  const broker = createLocalBroker({ storage: store, now, maintenanceIntervalMs, retentionFloor });
  // push subscriptions to webhooks run in-process too, over the same broker and storage
  const subscriptions = createLocalSubscriptions({ broker, storage: store, now });
  broker.subscriptions = subscriptions;
  // credentials, ACLs and quotas live beside the cluster metadata, in the same storage
  const app = createHttpApp(broker, { security: createSecurityMetadata(store), ...http });
  return {
    broker,
    app,
    fetch: async (input, init) => app.fetch(input instanceof Request ? input : new Request(input, init)),
    async close() {
      await subscriptions.close();
      await broker.close();
    },
  };
}
