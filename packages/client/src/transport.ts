// HTTP to the brokers with nothing but fetch, so the same code runs in browsers, Workers and Node.
// The broker list works like Kafka's bootstrap servers: try them in order, stick with the one that
// answers, move on when one is unreachable or answers 503. Every attempt has a deadline; a caller's
// AbortSignal cancels it and rejects with the signal's reason, as fetch itself does.

import { RillError } from "@rill/core";
import { CLIENT_ID_HEADER, JSON_MEDIA_TYPE, OCTET_STREAM_MEDIA_TYPE } from "@rill/protocol";
import { abortReason, errorFromBody, throwIfAborted } from "./errors.ts";
import { createThrottle, type QuotaKind } from "./throttle.ts";

/** The fetch a transport uses: the global one, an in-process app's, or workerd's SELF.fetch. */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export type Auth = { bearer: string } | { headers: Record<string, string> };

export interface TransportOptions {
  /** Broker base URLs, e.g. ["http://127.0.0.1:8787"]; tried in order. */
  brokers: readonly string[];
  /** Sent as `rill-client-id`, so the broker can tell clients apart in its logs and quotas. */
  clientId?: string;
  auth?: Auth;
  fetch?: FetchLike;
  /** Deadline of one attempt, in ms (default 30 000); long polls add their wait to it. */
  requestTimeoutMs?: number;
}

export interface RequestSpec {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** Path starting with "/", already percent-encoded. */
  path: string;
  query?: Record<string, string | number | undefined>;
  /** A JSON body. */
  json?: unknown;
  /** A binary body, sent as application/octet-stream. */
  bytes?: Uint8Array;
  accept?: string;
  signal?: AbortSignal;
  /** How long the broker may hold the request on purpose (long poll), added to the deadline. */
  waitMs?: number;
  /** Overrides the client's requestTimeoutMs for this request. */
  timeoutMs?: number;
  /** The quota this request counts against: it waits out that kind's throttle time first. */
  quota?: QuotaKind;
}

export interface HttpResult {
  status: number;
  headers: Headers;
  body: Uint8Array;
  /** The broker that answered. */
  broker: string;
}

export interface Transport {
  /** Sends a request; an error status becomes a RillError. The whole body is read within the deadline. */
  request(spec: RequestSpec): Promise<HttpResult>;
  /** Sends a request and parses the JSON answer. */
  json<T>(spec: RequestSpec): Promise<T>;
  /** The broker requests go to first. */
  currentBroker(): string;
}

const decoder = new TextDecoder();

function normalise(url: string): string {
  return url.replace(/\/+$/, "");
}

function queryString(query: RequestSpec["query"]): string {
  if (!query) return "";
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, String(v));
  const text = params.toString();
  return text ? `?${text}` : "";
}

export function createTransport(options: TransportOptions): Transport {
  const brokers = options.brokers.map(normalise);
  if (brokers.length === 0) throw new RillError("INVALID_REQUEST", "createClient needs at least one broker URL");
  for (const b of brokers) {
    if (!/^https?:\/\//.test(b)) throw new RillError("INVALID_REQUEST", `broker ${JSON.stringify(b)} is not an http(s) URL`);
  }
  // the global fetch is looked up per call, so tests and polyfills that replace it later still apply
  const doFetch: FetchLike = options.fetch ?? ((input, init) => fetch(input, init));
  const timeoutMs = options.requestTimeoutMs ?? 30_000;
  const baseHeaders: Record<string, string> = {};
  if (options.clientId) baseHeaders[CLIENT_ID_HEADER] = options.clientId;
  if (options.auth && "bearer" in options.auth) baseHeaders.authorization = `Bearer ${options.auth.bearer}`;
  if (options.auth && "headers" in options.auth) Object.assign(baseHeaders, options.auth.headers);
  let current = 0;

  async function attempt(broker: string, spec: RequestSpec): Promise<HttpResult> {
    const url = `${broker}${spec.path}${queryString(spec.query)}`;
    const headers: Record<string, string> = { ...baseHeaders };
    let body: BodyInit | undefined;
    if (spec.json !== undefined) {
      headers["content-type"] = JSON_MEDIA_TYPE;
      body = JSON.stringify(spec.json);
    } else if (spec.bytes) {
      headers["content-type"] = OCTET_STREAM_MEDIA_TYPE;
      body = spec.bytes as Uint8Array<ArrayBuffer>;
    }
    if (spec.accept) headers.accept = spec.accept;
    const controller = new AbortController();
    let timedOut = false;
    const deadline = (spec.timeoutMs ?? timeoutMs) + (spec.waitMs ?? 0);
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, deadline);
    const onAbort = () => controller.abort(spec.signal?.reason);
    spec.signal?.addEventListener("abort", onAbort, { once: true });
    // not every fetch honours its signal (an in-process app's, workerd's SELF.fetch): the attempt
    // ends on abort or deadline anyway, whatever the fetch underneath does
    const aborted = new Promise<never>((_, reject) => {
      const onAbortAttempt = () => reject(controller.signal.reason);
      if (controller.signal.aborted) onAbortAttempt();
      else controller.signal.addEventListener("abort", onAbortAttempt, { once: true });
    });
    aborted.catch(() => undefined);
    try {
      const fetching = doFetch(url, { method: spec.method, headers, body, signal: controller.signal });
      fetching.catch(() => undefined);
      const response = await Promise.race([fetching, aborted]);
      const reading = response.arrayBuffer();
      reading.catch(() => undefined);
      const bytes = new Uint8Array(await Promise.race([reading, aborted]));
      return { status: response.status, headers: response.headers, body: bytes, broker };
    } catch (error) {
      if (spec.signal?.aborted) throw abortReason(spec.signal);
      if (timedOut) throw new RillError("REQUEST_TIMED_OUT", `${spec.method} ${url} got no answer within ${deadline} ms`, { broker });
      throw new RillError("NETWORK_EXCEPTION", `${spec.method} ${url} failed: ${(error as Error)?.message ?? String(error)}`, { broker });
    } finally {
      clearTimeout(timer);
      spec.signal?.removeEventListener("abort", onAbort);
    }
  }

  const throttle = createThrottle();

  async function request(spec: RequestSpec): Promise<HttpResult> {
    if (!spec.quota) return send(spec);
    return throttle.run(spec.quota, spec.signal, () => send(spec));
  }

  async function send(spec: RequestSpec): Promise<HttpResult> {
    throwIfAborted(spec.signal);
    const start = current;
    let lastError: unknown;
    for (let i = 0; i < brokers.length; i++) {
      const index = (start + i) % brokers.length;
      const broker = brokers[index] as string;
      let result: HttpResult;
      try {
        result = await attempt(broker, spec);
      } catch (error) {
        // a deadline may mean a hung broker: the next request starts at the next one, but this
        // one is not repeated, so a call never takes more than one deadline per broker tried
        if (error instanceof RillError && error.code === "REQUEST_TIMED_OUT") {
          current = (index + 1) % brokers.length;
          throw error;
        }
        if (!(error instanceof RillError) || error.code !== "NETWORK_EXCEPTION") throw error;
        lastError = error;
        continue;
      }
      if (result.status === 503) {
        lastError = errorFromBody(result.status, decoder.decode(result.body), `${broker}${spec.path}`);
        continue;
      }
      current = index;
      if (result.status >= 400) throw errorFromBody(result.status, decoder.decode(result.body), `${broker}${spec.path}`);
      return result;
    }
    current = (start + 1) % brokers.length;
    throw lastError;
  }

  return {
    request,
    async json<T>(spec: RequestSpec): Promise<T> {
      const result = await request(spec);
      const text = decoder.decode(result.body);
      try {
        return (text ? JSON.parse(text) : null) as T;
      } catch {
        throw new RillError("UNKNOWN_SERVER_ERROR", `${result.broker}${spec.path} answered ${result.status} with a body that is not JSON`);
      }
    },
    currentBroker: () => brokers[current] as string,
  };
}
