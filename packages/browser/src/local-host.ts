// The database served in one worker: IndexedDB storage, the in-process broker over it (wrapped for
// the browser in host-broker.ts) and the HTTP app every runtime serves, as @rill/node composes them
// over memory.

import type { RillError, Storage } from "@rill/core";
import { createHttpApp, createLocalBroker } from "@rill/server";
import { type AppServer, createAppServer } from "./app-server.ts";
import { createHostBroker } from "./host-broker.ts";
import { keepOpen, watchStorage } from "./storage-guard.ts";
import { createSyncHost } from "./sync-host.ts";

export interface LocalHostOptions {
  /** Opens the storage (IndexedDB in a browser). */
  openStorage(): Promise<Storage>;
  /** How often retention and compaction run (default 60 s: the local log should stay bounded). */
  maintenanceIntervalMs?: number;
  onStorageError(error: RillError): void;
  onStorageWrite(): void;
  /** The broker was rebuilt after another writer moved a log under it. */
  onRebuilt(error: RillError): void;
  /** The number of requests in flight changed. */
  onInFlight(count: number): void;
}

export interface LocalHost {
  server: AppServer;
  /** Retention and compaction now, on every partition opened since the host started. */
  runMaintenance(): Promise<void>;
  close(): Promise<void>;
}

export async function openLocalHost(options: LocalHostOptions): Promise<LocalHost> {
  const storage = watchStorage(await options.openStorage(), { onError: options.onStorageError, onWrite: options.onStorageWrite });
  const maintenanceIntervalMs = options.maintenanceIntervalMs ?? 60_000;
  // sync (sync-host.ts): retention stops at the upload cursors; its routes ride on the app's fetch
  const sync = createSyncHost({ storage: keepOpen(storage), broker: () => current() });
  const open = () => createLocalBroker({ storage: keepOpen(storage), maintenanceIntervalMs, retentionFloor: sync.retentionFloor });
  const hosted = createHostBroker(open, options.onRebuilt);
  const current = () => hosted.current();
  const app = createHttpApp(hosted.broker);
  const server = createAppServer((request) => sync.handle(request) ?? app.fetch(request), options.onInFlight);

  return {
    server,
    runMaintenance: () => current().runMaintenance(),
    async close() {
      server.abortAll();
      await sync.close();
      await hosted.close();
      await storage.close();
    },
  };
}
