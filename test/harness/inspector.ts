// A small Chrome DevTools Protocol client for workerd's inspector, so benchmarks can read the
// JS heap of the isolate that runs the Durable Objects (locally the Worker and its objects share
// one isolate, `core:user:<name>`): heap usage, forced collections, and full heap snapshots.
import WebSocket from "ws";

export interface InspectorTarget {
  id: string;
  title: string;
  webSocketDebuggerUrl: string;
}

export interface HeapUsage {
  /** Bytes of live JS objects (V8's used heap). */
  usedSize: number;
  /** Bytes V8 has reserved for the heap. */
  totalSize: number;
}

export interface InspectorSession {
  send<T = unknown>(method: string, params?: Record<string, unknown>): Promise<T>;
  /** Heap usage now; with `gc: true` after a full collection (a discarded snapshot), so it counts only what is reachable. */
  heapUsage(options?: { gc?: boolean }): Promise<HeapUsage>;
  /**
   * A heap snapshot as its JSON text (V8 collects garbage before taking it). With `discard`, the
   * chunks are dropped as they come and "" is returned: a way to force a full collection, since
   * workerd never answers HeapProfiler.collectGarbage (and the session stops answering after it).
   */
  takeHeapSnapshot(options?: { discard?: boolean }): Promise<string>;
  close(): Promise<void>;
}

/** The isolates an inspector endpoint lists (`/json/list`). */
export async function listTargets(inspectorUrl: string): Promise<InspectorTarget[]> {
  const response = await fetch(`${inspectorUrl.replace(/^ws/, "http")}/json/list`);
  if (!response.ok) throw new Error(`inspector ${inspectorUrl}: ${response.status}`);
  return (await response.json()) as InspectorTarget[];
}

/**
 * Connects to the inspector at `http://127.0.0.1:<port>` (wrangler dev's `--inspector-port`),
 * choosing the target whose id or title contains `match` (by default the first listed, which for
 * wrangler's inspector proxy is the user Worker).
 */
export async function connectInspector(
  inspectorUrl: string,
  options: { match?: string; timeoutMs?: number } = {},
): Promise<InspectorSession> {
  const targets = await listTargets(inspectorUrl);
  const target = options.match
    ? targets.find((t) => t.id.includes(options.match as string) || t.title.includes(options.match as string))
    : targets[0];
  if (!target) throw new Error(`no inspector target${options.match ? ` matching ${options.match}` : ""} at ${inspectorUrl}`);
  return openSession(target.webSocketDebuggerUrl, options.timeoutMs ?? 120_000);
}

async function openSession(url: string, timeoutMs: number): Promise<InspectorSession> {
  const socket = new WebSocket(url, { maxPayload: 1024 * 1024 * 1024 });
  await new Promise<void>((resolve, reject) => {
    socket.once("open", () => resolve());
    socket.once("error", reject);
  });
  let nextId = 1;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  const listeners = new Map<string, Set<(params: Record<string, unknown>) => void>>();
  socket.on("message", (data) => {
    const message = JSON.parse(String(data)) as {
      id?: number;
      result?: unknown;
      error?: { message: string };
      method?: string;
      params?: Record<string, unknown>;
    };
    if (message.id !== undefined) {
      const call = pending.get(message.id);
      if (!call) return;
      pending.delete(message.id);
      clearTimeout(call.timer);
      if (message.error) call.reject(new Error(`inspector: ${message.error.message}`));
      else call.resolve(message.result);
    } else if (message.method) {
      for (const fn of listeners.get(message.method) ?? []) fn(message.params ?? {});
    }
  });
  socket.on("close", () => {
    for (const call of pending.values()) {
      clearTimeout(call.timer);
      call.reject(new Error("inspector connection closed"));
    }
    pending.clear();
  });

  function send<T>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`inspector: ${method} timed out`));
      }, timeoutMs);
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      socket.send(JSON.stringify({ id, method, params }));
    });
  }

  function on(method: string, fn: (params: Record<string, unknown>) => void): () => void {
    const set = listeners.get(method) ?? new Set();
    listeners.set(method, set);
    set.add(fn);
    return () => set.delete(fn);
  }

  async function takeHeapSnapshot(options: { discard?: boolean } = {}): Promise<string> {
    const chunks: string[] = [];
    const off = on("HeapProfiler.addHeapSnapshotChunk", (p) => void (options.discard || chunks.push(p.chunk as string)));
    try {
      await send("HeapProfiler.enable");
      await send("HeapProfiler.takeHeapSnapshot", { reportProgress: false, captureNumericValue: false });
    } finally {
      off();
    }
    return chunks.join("");
  }

  // wrangler's inspector proxy turns the debugger on when the runtime restarts under an attached
  // client; with it on, V8 links promises for async stack traces, which holds chains of them and
  // would be measured as the program's own memory. A heap reader needs no debugger.
  const noDebugger = () => void send("Debugger.disable").catch(() => undefined);
  on("Runtime.executionContextCreated", noDebugger);
  noDebugger();

  return {
    send,
    takeHeapSnapshot,
    async heapUsage(options = {}) {
      if (options.gc) await takeHeapSnapshot({ discard: true });
      return send<HeapUsage>("Runtime.getHeapUsage");
    },
    async close() {
      if (socket.readyState === WebSocket.CLOSED) return;
      const closed = new Promise((r) => socket.once("close", r));
      socket.close();
      await Promise.race([closed, new Promise((r) => setTimeout(r, 2_000))]);
    },
  };
}
