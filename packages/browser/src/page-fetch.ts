// The page's end of the transport: a fetch whose requests go to the hosting worker instead of the
// network. The request body is read into one fresh ArrayBuffer (the caller may reuse its own bytes,
// e.g. a producer's retry) and that buffer is transferred, not copied, over comlink. AbortSignals do
// not cross a message boundary, so an abort here sends `abort(id)` after the request.

import type { FetchLike } from "@rill/client";
import { type Remote, transfer } from "comlink";
import { NULL_BODY_STATUSES, transferables, type WireRequest, type WireResponse, type WireServer } from "./wire.ts";

/** The URL the local broker answers at: the client accepts only http(s) brokers, so it is one. */
export const LOCAL_BROKER_URL = "http://rill.local";

/** A fetch to the local broker. Paths ("/v1/topics") resolve against LOCAL_BROKER_URL. */
export type BrowserFetch = ((input: string | URL | Request, init?: RequestInit) => Promise<Response>) & FetchLike;

function abortError(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException("The operation was aborted.", "AbortError");
}

export function createPageFetch(server: Remote<WireServer>, nextId: () => string): BrowserFetch {
  async function fetchLocal(input: string | URL | Request, init?: RequestInit): Promise<Response> {
    const url = typeof input === "string" && input.startsWith("/") ? `${LOCAL_BROKER_URL}${input}` : input;
    const request = new Request(url, init);
    const signal = init?.signal ?? (input instanceof Request ? input.signal : undefined);
    if (signal?.aborted) throw abortError(signal);
    const body = request.body ? await request.arrayBuffer() : null;
    const id = nextId();
    const wire: WireRequest = { id, method: request.method, url: request.url, headers: [...request.headers], body };

    let onAbort: () => void = () => undefined;
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => {
        Promise.resolve(server.abort(id)).catch(() => undefined);
        reject(abortError(signal as AbortSignal));
      };
      signal?.addEventListener("abort", onAbort, { once: true });
    });
    aborted.catch(() => undefined);
    let head: WireResponse;
    try {
      head = await Promise.race([server.fetch(transfer(wire, transferables(wire))), aborted]);
    } catch (error) {
      signal?.removeEventListener("abort", onAbort);
      throw error;
    }
    const init2 = { status: head.status, statusText: head.statusText, headers: head.headers };
    if (!head.stream) {
      signal?.removeEventListener("abort", onAbort);
      return new Response(NULL_BODY_STATUSES.has(head.status) ? null : head.body, init2);
    }
    // a live stream: chunks are pulled as the reader asks; an abort or cancel ends it in the host
    let ended = false;
    const stream = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const chunk = await Promise.race([server.read(id), aborted]).catch((error) => {
          controller.error(error);
          return undefined;
        });
        if (chunk === undefined) return;
        if (chunk === null) {
          ended = true;
          signal?.removeEventListener("abort", onAbort);
          controller.close();
        } else controller.enqueue(new Uint8Array(chunk));
      },
      cancel() {
        signal?.removeEventListener("abort", onAbort);
        if (!ended) Promise.resolve(server.abort(id)).catch(() => undefined);
      },
    });
    return new Response(stream, init2);
  }
  return fetchLocal as BrowserFetch;
}
