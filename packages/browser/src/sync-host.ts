// The sync engine in the hosting worker. The configuration a page sends is kept in the database,
// so a host that takes over (another tab, a reload) starts the same sync at once; the engine runs
// for as long as this worker hosts. Retention of outbox topics stops at the persisted upload
// cursors, engine running or not.

import { RillError, type Storage, toRillError } from "@rill/core";
import type { LocalBroker } from "@rill/server";
import { createRetentionFloor, createSyncEngine, type SyncEngine, type SyncStatus } from "@rill/sync";
import { SYNC_ROUTES, type SyncConfig, type VersionedStatus } from "./sync-wire.ts";

const NAMESPACE = "rill-sync";
const CONFIG_ID = "browser-config";
const MAX_WAIT_MS = 30_000;

export interface SyncHost {
  /** Answers the sync routes; null for every other request (the broker's app answers those). */
  handle(request: Request): Promise<Response> | null;
  retentionFloor(topic: string, partition: number): Promise<number | undefined>;
  close(): Promise<void>;
}

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
}

function errorJson(error: unknown): Response {
  const rill = toRillError(error);
  return json({ error: { code: rill.code, message: rill.message, retriable: rill.retriable, ...rill.details } }, rill.status);
}

/** A LocalBroker that always reaches the host's current one (the host rebuilds it after a foreign write). */
function following(current: () => LocalBroker): LocalBroker {
  return new Proxy({} as LocalBroker, {
    get(_, key: keyof LocalBroker) {
      const broker = current();
      const value = broker[key];
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(broker) : value;
    },
  });
}

function sameConfig(a: SyncConfig | null, b: SyncConfig): boolean {
  return a !== null && JSON.stringify(a) === JSON.stringify(b);
}

export function createSyncHost(options: { storage: Storage; broker: () => LocalBroker }): SyncHost {
  const { storage } = options;
  const broker = following(options.broker);
  let config: SyncConfig | null = null;
  let engine: SyncEngine | null = null;
  let floor = createRetentionFloor(storage, []);
  // versions start at the clock, so a page following a host that took over sees newer versions
  let version = Date.now();
  let latest: SyncStatus | null = null;
  const waiting = new Set<() => void>();
  let queue: Promise<unknown> = Promise.resolve();

  function published(status: SyncStatus): void {
    latest = status;
    version++;
    for (const wake of waiting) wake();
  }

  /** Starts (or restarts) the engine for `next`; one change at a time. */
  function apply(next: SyncConfig | null): Promise<void> {
    const run = queue.then(async () => {
      if (next && sameConfig(config, next) && engine) return;
      const old = engine;
      engine = null;
      await old?.stop();
      config = next;
      floor = createRetentionFloor(storage, next?.sync.upload?.map((u) => u.local) ?? []);
      if (!next) return;
      engine = createSyncEngine({ broker, storage, edge: next.edge, sync: next.sync, onStatus: published });
      await engine.start();
      published(engine.status());
    });
    queue = run.catch(() => undefined);
    return run;
  }

  const loaded = storage
    .getDocument<SyncConfig>(NAMESPACE, CONFIG_ID)
    .then((doc) => (doc ? apply(doc.value) : undefined))
    .catch((error) => console.warn("rill: could not start sync from the stored configuration", error));

  async function store(next: SyncConfig): Promise<void> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const doc = await storage.getDocument<SyncConfig>(NAMESPACE, CONFIG_ID);
      if (doc && sameConfig(doc.value, next)) return;
      if (await storage.putDocument(NAMESPACE, CONFIG_ID, doc?.version ?? 0, next)) return;
    }
    throw new RillError("CONCURRENT_APPEND", "the sync configuration keeps changing; try again");
  }

  function waitNewer(after: number, waitMs: number, signal: AbortSignal): Promise<void> {
    if (version > after || waitMs <= 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        waiting.delete(done);
        signal.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, waitMs);
      waiting.add(done);
      signal.addEventListener("abort", done, { once: true });
    });
  }

  function running(): SyncEngine {
    if (!engine) throw new RillError("INVALID_REQUEST", "sync is not configured: pass edge and sync to createBrowserBroker");
    return engine;
  }

  async function route(request: Request, path: string): Promise<Response> {
    try {
      await loaded;
      if (path === SYNC_ROUTES.config && request.method === "PUT") {
        const next = (await request.json()) as SyncConfig;
        if (!next?.edge?.brokers?.length || typeof next.sync !== "object") {
          throw new RillError("INVALID_REQUEST", "a sync configuration needs edge.brokers and sync");
        }
        await store(next);
        await apply(next);
        return json({ version, status: latest } satisfies VersionedStatus);
      }
      if (path === SYNC_ROUTES.status && request.method === "GET") {
        const url = new URL(request.url);
        const after = Number(url.searchParams.get("after") ?? -1);
        const waitMs = Math.min(MAX_WAIT_MS, Number(url.searchParams.get("waitMs") ?? 0));
        await waitNewer(after, waitMs, request.signal);
        return json({ version, status: engine ? engine.status() : latest } satisfies VersionedStatus);
      }
      if (path === SYNC_ROUTES.now && request.method === "POST") {
        return json(await running().syncNow({ signal: request.signal }));
      }
      if (path === SYNC_ROUTES.uploaded && request.method === "POST") {
        const record = (await request.json()) as { topicName: string; partition: number; offset: number };
        return json(await running().uploaded(record, { signal: request.signal }));
      }
      throw new RillError("METHOD_NOT_ALLOWED", `${request.method} ${path} is not a sync route`);
    } catch (error) {
      return errorJson(error);
    }
  }

  return {
    handle(request) {
      const path = new URL(request.url).pathname;
      return path.startsWith("/v1/_sync/") ? route(request, path) : null;
    },
    retentionFloor: (topic, partition) => (engine ? engine.retentionFloor(topic, partition) : floor(topic, partition)),
    async close() {
      await apply(null).catch(() => undefined);
      for (const wake of waiting) wake();
    },
  };
}
