// createBrowserBroker: the page's handle on the local broker. It starts (or joins) the worker that
// serves the database, says hello, and gives the page a fetch and @rill/client clients that speak
// to it as to any broker.

import { type Client, type ClientOptions, createClient, type RecordMetadata } from "@rill/client";
import { type ErrorCode, isErrorCode, RillError } from "@rill/core";
import type { SyncStatus } from "@rill/sync";
import { proxy, type Remote, releaseProxy, wrap } from "comlink";
import { randomId } from "./changes.ts";
import type { NodeStatus } from "./host-node.ts";
import type { HelloAnswer, NodeApi } from "./node-api.ts";
import { type BrowserFetch, createPageFetch, LOCAL_BROKER_URL } from "./page-fetch.ts";
import { createPageStatus, type StatusListener } from "./page-status.ts";
import { connectPageSync, type PageSync, type PageSyncOptions } from "./page-sync.ts";
import type { BrowserBrokerStatus, HostMode } from "./status.ts";

export interface BrowserBrokerOptions {
  /** The IndexedDB database name; also names the worker, its locks and its channel. */
  name: string;
  /**
   * Starts the worker that runs "@rill/browser/worker" (`startBrokerHost()`), given the mode:
   * a SharedWorker in "shared" mode, a Worker in "dedicated" mode. Default: the package's own entry.
   */
  worker?: (mode: HostMode) => SharedWorker | Worker;
  /** "shared" (default where SharedWorker exists) or "dedicated" (one worker per tab, elected with Web Locks). */
  mode?: HostMode;
  /** The edge broker to sync with (@rill/sync); with `sync`, the hosting worker runs the sync engine. */
  edge?: PageSyncOptions["edge"];
  /** Outbox topics uploaded exactly once, and edge topics mirrored into read-only local replicas. */
  sync?: PageSyncOptions["sync"];
}

export interface BrowserBroker {
  /** A @rill/client client whose broker is the local one; the whole client API works unchanged. */
  client(options?: Omit<ClientOptions, "brokers" | "fetch">): Client;
  /** fetch for the local broker's HTTP API; paths ("/v1/topics") or URLs under http://rill.local. */
  readonly fetch: BrowserFetch;
  /** The latest status (host, storage, errors). */
  status(): BrowserBrokerStatus;
  /** Calls `listener` on changes (at most 4 times a second); returns the unsubscribe function. */
  subscribe(listener: StatusListener): () => void;
  /** Asks the browser to keep this origin's storage (navigator.storage.persist()); true if it will. */
  requestPersistence(): Promise<boolean>;
  /** Leaves the worker: this page's requests end. Other tabs keep the database. */
  close(): Promise<void>;
  /** Resolves when the outbox is empty and replicas reached the edge high watermark they saw (needs edge and sync). */
  syncNow(options?: { signal?: AbortSignal }): Promise<SyncStatus>;
  /** Resolves once a locally acknowledged record is on the edge, with its edge offset (-1 when unknown). */
  uploaded(
    record: Pick<RecordMetadata, "topicName" | "partition" | "offset">,
    options?: { signal?: AbortSignal },
  ): Promise<{ edgeOffset: number }>;
}

function defaultWorker(mode: HostMode, name: string): SharedWorker | Worker {
  return mode === "shared"
    ? new SharedWorker(new URL("./worker-entry.ts", import.meta.url), { type: "module", name: `rill:${name}` })
    : new Worker(new URL("./worker-entry.ts", import.meta.url), { type: "module", name: `rill:${name}` });
}

/** Holds a Web Lock for the page's life, so its worker learns when the page is gone. */
async function holdTabLock(name: string, pageId: string): Promise<{ name: string | null; release(): void }> {
  const locks = globalThis.navigator?.locks;
  if (!locks) return { name: null, release: () => undefined };
  const lockName = `rill:${name}:tab:${pageId}`;
  let release: () => void = () => undefined;
  await new Promise<void>((granted) => {
    locks
      .request(lockName, () => {
        granted();
        return new Promise<void>((resolve) => {
          release = resolve;
        });
      })
      .catch(() => undefined);
  });
  return { name: lockName, release: () => release() };
}

/** Starts (or joins) the local broker for database `options.name`. */
export async function createBrowserBroker(options: BrowserBrokerOptions): Promise<BrowserBroker> {
  const mode: HostMode = options.mode ?? (typeof SharedWorker === "function" ? "shared" : "dedicated");
  if (mode === "shared" && typeof SharedWorker !== "function") {
    throw new RillError("INVALID_REQUEST", 'this browser has no SharedWorker: use mode "dedicated"');
  }
  const worker = options.worker ? options.worker(mode) : defaultWorker(mode, options.name);
  const endpoint = "port" in worker ? worker.port : worker;
  const api: Remote<NodeApi> = wrap<NodeApi>(endpoint);
  const pageId = randomId();
  let counter = 0;
  const tabLock = await holdTabLock(options.name, pageId);

  let status: ReturnType<typeof createPageStatus> | undefined;
  const onStatus = proxy((next: NodeStatus) => status?.update(next));
  const visible = () => globalThis.document?.visibilityState !== "hidden";
  // a worker script that fails to load or run never answers: its error event ends the wait
  const failed = new Promise<HelloAnswer>((resolve) => {
    worker.addEventListener(
      "error",
      (event) => {
        const message = (event as ErrorEvent).message || "the worker script failed to load";
        resolve({
          ok: false,
          error: { code: "UNKNOWN_SERVER_ERROR", message: `the local broker's worker did not start: ${message}`, details: {} },
        });
      },
      { once: true },
    );
  });
  const answer = await Promise.race([
    api.hello({ name: options.name, pageId, tabLock: tabLock.name, visible: visible(), mode }, onStatus),
    failed,
  ]);
  if (!answer.ok) {
    tabLock.release();
    api[releaseProxy]();
    if ("terminate" in worker) worker.terminate();
    const code: ErrorCode = isErrorCode(answer.error.code) ? answer.error.code : "UNKNOWN_SERVER_ERROR";
    throw new RillError(code, answer.error.message, answer.error.details);
  }
  status = createPageStatus(answer.status);
  void status.refresh();
  const onVisibility = () => void Promise.resolve(api.visibility(visible())).catch(() => undefined);
  globalThis.document?.addEventListener("visibilitychange", onVisibility);

  const fetch = createPageFetch(api, () => `${pageId}:${++counter}`);
  let closed = false;
  const sync: PageSync | null =
    options.edge && options.sync ? await connectPageSync(fetch, { edge: options.edge, sync: options.sync }) : null;
  const withSync = (s: BrowserBrokerStatus): BrowserBrokerStatus => ({ ...s, sync: sync?.status() ?? null });
  const noSync = () => new RillError("INVALID_REQUEST", "sync is not configured: pass edge and sync to createBrowserBroker");

  return {
    client: (clientOptions = {}) => createClient({ ...clientOptions, brokers: [LOCAL_BROKER_URL], fetch }),
    fetch,
    status: () => withSync((status as NonNullable<typeof status>).current()),
    subscribe(listener) {
      const pageStatus = status as NonNullable<typeof status>;
      const offHost = pageStatus.subscribe((s) => listener(withSync(s)));
      const offSync = sync?.subscribe(() => listener(withSync(pageStatus.current())));
      return () => {
        offHost();
        offSync?.();
      };
    },
    syncNow: (o) => (sync ? sync.syncNow(o) : Promise.reject(noSync())),
    uploaded: (record, o) => (sync ? sync.uploaded(record, o) : Promise.reject(noSync())),
    async requestPersistence() {
      const granted = (await globalThis.navigator?.storage?.persist?.().catch(() => false)) ?? false;
      await status?.refresh();
      return granted;
    },
    async close() {
      if (closed) return;
      closed = true;
      globalThis.document?.removeEventListener("visibilitychange", onVisibility);
      sync?.close();
      await Promise.resolve(api.goodbye()).catch(() => undefined);
      status?.close();
      tabLock.release();
      api[releaseProxy]();
      if ("terminate" in worker) worker.terminate();
      else worker.port.close();
    },
  };
}
