// The database served in one worker: IndexedDB storage, the in-process broker over it and the HTTP
// app every runtime serves, as @rill/node composes them over memory.
//
// The broker keeps partition state in memory and assumes it is the only writer. A host replaced
// while frozen may still finish a write it had started; the storage's end-offset guard makes such a
// write either land exactly at the log end or fail (CONCURRENT_APPEND), never fork the log. If it
// lands, this host's cached state is stale, so on CONCURRENT_APPEND the broker is rebuilt from
// storage and the client's retry (idempotent by default) finds the truth.

import { isRillError, type RillError, type Storage } from "@rill/core";
import { type Broker, createHttpApp, createLocalBroker, type LocalBroker } from "@rill/server";
import { type AppServer, createAppServer } from "./app-server.ts";
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
  const sync = createSyncHost({ storage: keepOpen(storage), broker: () => current });
  const open = () => createLocalBroker({ storage: keepOpen(storage), maintenanceIntervalMs, retentionFloor: sync.retentionFloor });
  let current: LocalBroker = open();

  async function rebuild(error: RillError): Promise<void> {
    const stale = current;
    current = open();
    await stale.close();
    options.onRebuilt(error);
  }

  // every call goes to the current broker; an append refused by the end-offset guard rebuilds it
  const broker = new Proxy({} as Broker, {
    get(_, key: keyof Broker) {
      if (key === "append") {
        return async (...args: Parameters<Broker["append"]>) => {
          const serving = current;
          try {
            return await serving.append(...args);
          } catch (error) {
            if (isRillError(error, "CONCURRENT_APPEND") && serving === current) await rebuild(error);
            throw error;
          }
        };
      }
      if (key === "fetch") {
        // the HTTP request's signal reaches the long-poll, so an abort on the page ends it here
        return (ref: Parameters<Broker["fetch"]>[0], request: Parameters<Broker["fetch"]>[1], options?: { signal?: AbortSignal }) =>
          current.fetch(ref, options?.signal ? { ...request, signal: options.signal } : request);
      }
      const value = current[key];
      return typeof value === "function" ? value.bind(current) : value;
    },
  });
  const app = createHttpApp(broker);
  const server = createAppServer((request) => sync.handle(request) ?? app.fetch(request), options.onInFlight);

  return {
    server,
    runMaintenance: () => current.runMaintenance(),
    async close() {
      server.abortAll();
      await sync.close();
      await current.close();
      await storage.close();
    },
  };
}
