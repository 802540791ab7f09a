// An in-process broker for the Node client tests: the protocol app on memory storage, reached
// through its fetch, with a hook to see or alter every exchange.
import { createNodeBroker } from "@rill/node";
import type { LocalBroker } from "@rill/server";
import { type Client, type ClientOptions, createClient, type FetchLike } from "../src/index.ts";

export interface InProcess {
  broker: LocalBroker;
  /** The app's fetch, untouched. */
  fetch: FetchLike;
  /** Every request the clients made, in order: "METHOD /path?query". */
  requests: string[];
  client(options?: Partial<ClientOptions>, wrap?: (inner: FetchLike) => FetchLike): Client;
}

export function inProcessBroker(options: { now?: () => number } = {}): InProcess {
  const { broker, fetch } = createNodeBroker({ now: options.now });
  const requests: string[] = [];
  const recorded: FetchLike = (input, init) => {
    const url = new URL(input);
    requests.push(`${init.method ?? "GET"} ${url.pathname}${url.search}`);
    return fetch(input, init);
  };
  return {
    broker,
    fetch,
    requests,
    client: (extra = {}, wrap = (f) => f) =>
      createClient({ brokers: ["http://rill.test"], fetch: wrap(recorded), logger: { warn: () => undefined }, ...extra }),
  };
}

/** A JSON error answer as the broker gives it. */
export function errorResponse(status: number, code: string, extra: Record<string, unknown> = {}): Response {
  return new Response(JSON.stringify({ error: { code, message: `injected ${code}`, retriable: status === 503, ...extra } }), {
    status,
    headers: { "content-type": "application/json" },
  });
}

export const isBatchPost = (input: string, init: RequestInit) => init.method === "POST" && input.includes("/batches");
