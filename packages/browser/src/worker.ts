// @rill/browser/worker: the code that runs in the worker. An app bundles a worker script that calls
// startBrokerHost(); createBrowserBroker starts it as a SharedWorker (one per origin and name) or,
// where there is none, as a dedicated worker per tab. Either way it hosts the database (the core
// engine on IndexedDB behind the same Hono app as every runtime) or relays to the worker that does.

import { RillError, type Storage } from "@rill/core";
import { createIndexedDbStorage } from "@rill/storage-indexeddb";
import { type Endpoint, expose } from "comlink";
import { createHostNode, type HostNode, type HostTiming, type NodeStatus } from "./host-node.ts";
import type { HelloAnswer, NodeApi, PageHello } from "./node-api.ts";
import type { HostMode } from "./status.ts";

export type { HostTiming } from "./host-node.ts";

export interface BrokerHostOptions {
  /** The database this worker serves (default: the name the first page asks for). */
  name?: string;
  /** Heartbeat and takeover timing (defaults: 2 s beats, takeover after 3 missed, at most one per 30 s). */
  timing?: Partial<HostTiming>;
  /** How often retention and compaction run while hosting (default 60 s). */
  maintenanceIntervalMs?: number;
  /** Opens the storage (default: the IndexedDB database called `name`). */
  openStorage?: (name: string, onClosed: (error: RillError) => void) => Promise<Storage>;
}

interface WorkerScope {
  addEventListener(type: "connect", listener: (event: MessageEvent) => void): void;
}

/** The database, with a close nobody asked for (another tab's upgrade, the browser) reported as STORAGE_CLOSED. */
function openIndexedDb(name: string, onClosed: (error: RillError) => void): Promise<Storage> {
  return createIndexedDbStorage({
    dbName: name,
    onClose: ({ reason }) =>
      onClosed(
        new RillError(
          "STORAGE_CLOSED",
          reason === "versionchange"
            ? `another tab opened a newer version of the database "${name}": this host closed it and stopped; reload to continue`
            : `the browser closed the database "${name}": this host stopped; reload to continue`,
          { reason, ...(reason === "versionchange" ? { versionChange: true } : {}) },
        ),
      ),
  });
}

const isSharedWorker = () => typeof (globalThis as { onconnect?: unknown }).onconnect !== "undefined";

/** Starts serving pages in this worker (call once, at the top of the worker script). */
export function startBrokerHost(options: BrokerHostOptions = {}): void {
  const mode: HostMode = isSharedWorker() ? "shared" : "dedicated";
  let node: HostNode | undefined;
  let servedName = options.name;

  function nodeFor(hello: PageHello): HostNode {
    if (servedName !== undefined && hello.name !== servedName) {
      throw new RillError("INVALID_REQUEST", `this worker serves the local broker "${servedName}", not "${hello.name}"`);
    }
    servedName = hello.name;
    const name = hello.name;
    node ??= createHostNode({
      name,
      mode,
      locks: globalThis.navigator?.locks,
      openStorage: (onClosed) => (options.openStorage ? options.openStorage(name, onClosed) : openIndexedDb(name, onClosed)),
      timing: options.timing,
      maintenanceIntervalMs: options.maintenanceIntervalMs,
    });
    return node;
  }

  function connect(endpoint: Endpoint): void {
    let joined: { node: HostNode; pageId: string } | undefined;
    const served = () => {
      if (!joined) throw new RillError("INVALID_REQUEST", "say hello before sending requests");
      return joined.node.server;
    };
    const api: NodeApi = {
      async hello(hello, onStatus: (status: NodeStatus) => void): Promise<HelloAnswer> {
        try {
          const serving = nodeFor(hello);
          const refusal = await serving.ready;
          if (refusal) throw refusal;
          joined = { node: serving, pageId: hello.pageId };
          serving.attach({ pageId: hello.pageId, visible: hello.visible, onStatus }, hello.tabLock);
          return { ok: true, workerId: serving.id, status: serving.status() };
        } catch (error) {
          const rill = error instanceof RillError ? error : new RillError("UNKNOWN_SERVER_ERROR", String(error));
          return { ok: false, error: { code: rill.code, message: rill.message, details: { ...rill.details } } };
        }
      },
      visibility(visible) {
        if (joined) joined.node.setVisible(joined.pageId, visible);
      },
      goodbye() {
        if (joined) joined.node.detach(joined.pageId);
        joined = undefined;
      },
      fetch: (request) => served().fetch(request),
      abort: (id) => served().abort(id),
      read: (id) => served().read(id),
    };
    expose(api, endpoint);
  }

  if (mode === "shared") {
    (globalThis as unknown as WorkerScope).addEventListener("connect", (event) => {
      const port = event.ports[0];
      if (port) connect(port);
    });
  } else {
    connect(globalThis as unknown as Endpoint);
  }
}
