// What every Durable Streams handler shares: the broker, the stream settings, reading and writing,
// and answers in the protocol's terms (status codes and headers; errors keep Rill's JSON shape).

import type { Context } from "hono";
import type { ContentfulStatusCode, StatusCode } from "hono/utils/http-status";
import type { Broker } from "../../broker.ts";
import { formatOffset, H } from "./protocol.ts";
import { createStreamReader, type StreamReader } from "./reader.ts";
import { createStreamStore, type Stream, type StreamStore } from "./stream-store.ts";
import { createStreamWriter, type StreamWriter } from "./writer.ts";

export interface DurableStreamsOptions {
  /** How long a long-poll (and each wait of an SSE tail) waits for data, in ms (default 20 000). */
  longPollTimeoutMs?: number;
  /** How long an SSE answer stays open before the client reconnects, in ms (default 60 000). */
  sseMaxMs?: number;
}

export interface Face {
  broker: Broker;
  store: StreamStore;
  reader: StreamReader;
  writer: StreamWriter;
  longPollTimeoutMs: number;
  sseMaxMs: number;
}

export function createFace(broker: Broker, options: DurableStreamsOptions): Face {
  const store = createStreamStore(broker);
  return {
    broker,
    store,
    reader: createStreamReader(broker, store),
    writer: createStreamWriter(broker),
    longPollTimeoutMs: options.longPollTimeoutMs ?? 20_000,
    sseMaxMs: options.sseMaxMs ?? 60_000,
  };
}

/** The stream named by the path: a Rill topic name (1..249 of a-z A-Z 0-9 . _ -). */
export function streamName(c: Context): string {
  return c.req.param("name") as string;
}

export function answer(
  c: Context,
  status: StatusCode,
  headers: Record<string, string | undefined>,
  body: string | Uint8Array | null = null,
) {
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) c.header(k, v);
  return c.newResponse(body as string, status as ContentfulStatusCode);
}

/** An error answer with a status the error table has no code for (410) or with protocol headers. */
export function problem(c: Context, status: ContentfulStatusCode, code: string, message: string, headers: Record<string, string> = {}) {
  for (const [k, v] of Object.entries(headers)) c.header(k, v);
  return c.json({ error: { code, message, retriable: false } }, status);
}

export function notFound(c: Context, name: string) {
  return problem(c, 404, "NOT_FOUND", `stream ${name} does not exist`);
}

export function goneAnswer(c: Context, name: string) {
  return problem(c, 410, "STREAM_GONE", `stream ${name} was deleted; its forks still read it`);
}

export function closedConflict(c: Context, stream: Stream) {
  return problem(c, 409, "STREAM_CLOSED", `stream ${stream.name} is closed`, {
    [H.closed]: "true",
    [H.nextOffset]: stream.state.closed ? formatOffset(stream.state.closed.at) : "",
  });
}
