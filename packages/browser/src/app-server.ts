// The hosting end of the transport: wire requests become Requests for the HTTP app (the same Hono
// app every runtime serves), each with its own AbortController so an abort from the page cancels
// the request here (a held long-poll returns at once). Answers go back whole, except event streams
// (live=sse), whose chunks the caller pulls one by one.

import { RillError, toRillError } from "@rill/core";
import { transfer } from "comlink";
import { errorAnswer } from "./answers.ts";
import { ownBuffer, transferables, type WireRequest, type WireResponse, type WireServer } from "./wire.ts";

export type AppHandler = (request: Request) => Response | Promise<Response>;

export interface AppServer extends WireServer {
  /**
   * Requests the app is working on now, held long-polls and open streams included. An aborted
   * request counts until the app has really let go of it, so this shows that aborts reach the core.
   */
  readonly inFlight: number;
  /** Whether request `id` is being served here. */
  has(id: string): boolean;
  /** Aborts every request whose id starts with `prefix` (a page or worker that went away). */
  abortWhere(prefix: string): void;
  /** Aborts everything (the host is closing). */
  abortAll(): void;
}

interface Pending {
  controller: AbortController;
  reader?: ReadableStreamDefaultReader<Uint8Array>;
}

const isEventStream = (response: Response) => (response.headers.get("content-type") ?? "").startsWith("text/event-stream");

export function createAppServer(handle: AppHandler, onInFlight: (count: number) => void = () => undefined): AppServer {
  const pending = new Map<string, Pending>();
  let working = 0;
  const count = (delta: number) => {
    working += delta;
    onInFlight(working);
  };

  function finish(id: string): void {
    const entry = pending.get(id);
    if (!entry) return;
    pending.delete(id);
    if (entry.reader) count(-1);
  }

  function abort(id: string): void {
    const entry = pending.get(id);
    if (!entry) return;
    finish(id);
    entry.controller.abort(new DOMException("the page aborted the request", "AbortError"));
    entry.reader?.cancel().catch(() => undefined);
  }

  return {
    get inFlight() {
      return working;
    },

    async fetch(wire: WireRequest): Promise<WireResponse> {
      const controller = new AbortController();
      const entry: Pending = { controller };
      pending.set(wire.id, entry);
      count(1);
      let streaming = false;
      try {
        const request = new Request(wire.url, {
          method: wire.method,
          headers: wire.headers,
          body: wire.body && wire.method !== "GET" && wire.method !== "HEAD" ? wire.body : undefined,
          signal: controller.signal,
        });
        const response = await handle(request);
        const head = {
          status: response.status,
          statusText: response.statusText,
          headers: [...response.headers] as Array<[string, string]>,
        };
        if (!pending.has(wire.id)) {
          // aborted while the app worked: nobody waits for this answer, and a stream would never end
          response.body?.cancel().catch(() => undefined);
          return errorAnswer(new RillError("REQUEST_TIMED_OUT", "the request was aborted"));
        }
        if (response.body && isEventStream(response)) {
          entry.reader = response.body.getReader();
          streaming = true;
          return { ...head, body: null, stream: true };
        }
        const body = response.body ? await response.arrayBuffer() : null;
        finish(wire.id);
        const answer: WireResponse = { ...head, body, stream: false };
        return transfer(answer, transferables(answer));
      } catch (error) {
        finish(wire.id);
        return errorAnswer(controller.signal.aborted ? new RillError("REQUEST_TIMED_OUT", "the request was aborted") : toRillError(error));
      } finally {
        // a stream counts until it ends or is cancelled (in read/abort)
        if (!streaming) count(-1);
      }
    },

    abort,
    has: (id) => pending.has(id),

    async read(id: string): Promise<ArrayBuffer | null> {
      const reader = pending.get(id)?.reader;
      if (!reader) return null;
      const chunk = await reader.read().catch(() => ({ done: true as const, value: undefined }));
      if (chunk.done || !chunk.value) {
        finish(id);
        return null;
      }
      const buffer = ownBuffer(chunk.value);
      return transfer(buffer, [buffer]);
    },

    abortWhere(prefix: string): void {
      for (const id of [...pending.keys()]) if (id.startsWith(prefix)) abort(id);
    },

    abortAll(): void {
      for (const id of [...pending.keys()]) abort(id);
    },
  };
}
