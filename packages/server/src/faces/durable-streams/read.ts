// GET /v1/stream/:name?offset=&live=&cursor= — read (protocol 5.5-5.7).
//   offset: -1 (start, the default), now (the end) or an offset this server gave.
//   Catch-up -> 200 with the bytes (JSON mode: one array), Stream-Next-Offset, Stream-Up-To-Date
//   when at the end, Stream-Closed when closed and at the end, ETag (304 on If-None-Match).
//   live=long-poll waits for data: 200, or 204 when the wait ends empty (Stream-Cursor on both).
//   live=sse streams `data` events, each followed by a `control` event (offset, cursor, upToDate,
//   or streamClosed last); binary content types travel base64 (Stream-SSE-Data-Encoding).
// HEAD /v1/stream/:name -> 200 with the end offset, content type, TTL/expiry and closure.

import { encodeBase64 } from "@rill/core";
import type { Context } from "hono";
import { streamSSE } from "hono/streaming";
import { bytesBody, jsonBody } from "./content.ts";
import { answer, type Face, goneAnswer, notFound, streamName } from "./context.ts";
import { formatOffset, H, invalid, isJsonType, isTextType, parseOffset, responseCursor, sseEvent } from "./protocol.ts";
import type { ReadOutcome } from "./reader.ts";
import type { Stream } from "./stream-store.ts";

const MAX_READ_BYTES = 1024 * 1024;

function etagOf(name: string, start: string, next: number, closed: boolean): string {
  return `"${encodeBase64(new TextEncoder().encode(name))}:${start}:${formatOffset(next)}${closed ? ":c" : ""}"`;
}

function bodyOf(stream: Stream, outcome: ReadOutcome): string | Uint8Array {
  return isJsonType(stream.state.config.contentType) ? jsonBody(outcome.chunks) : bytesBody(outcome.chunks);
}

/** The offset asked for: the whole stream when absent; "now" stays a word for the caller. */
function offsetParam(c: Context): string | undefined {
  const all = c.req.queries("offset") ?? [];
  if (all.length > 1) throw invalid("give offset once");
  const offset = all[0];
  if (offset === "") throw invalid("offset must not be empty");
  if (offset !== undefined && offset !== "now") parseOffset(offset);
  return offset;
}

export async function headStream(c: Context, face: Face): Promise<Response> {
  const name = streamName(c);
  const stream = await face.store.open(name);
  if (!stream) return notFound(c, name);
  if (stream.state.refs?.softDeleted) return goneAnswer(c, name);
  const tail = await face.reader.tail(stream);
  const { ttlSeconds, expiresAt, contentType } = stream.state.config;
  return answer(c, 200, {
    "content-type": contentType,
    "cache-control": "no-store",
    [H.nextOffset]: formatOffset(tail),
    [H.closed]: stream.state.closed ? "true" : undefined,
    [H.ttl]: ttlSeconds === undefined ? undefined : String(ttlSeconds),
    [H.expiresAt]: expiresAt,
    etag: etagOf(name, "-1", tail, Boolean(stream.state.closed)),
  });
}

export async function readStream(c: Context, face: Face): Promise<Response> {
  const name = streamName(c);
  const offset = offsetParam(c);
  const live = c.req.query("live");
  if (live !== undefined && live !== "long-poll" && live !== "sse")
    throw invalid(`live must be long-poll or sse, got ${JSON.stringify(live)}`);
  if (live !== undefined && offset === undefined) throw invalid(`live=${live} needs an offset`);
  const stream = await face.store.open(name);
  if (!stream) return notFound(c, name);
  if (stream.state.refs?.softDeleted) return goneAnswer(c, name);
  await face.store.touch(stream);
  const contentType = stream.state.config.contentType;
  const from = offset === "now" ? await face.reader.tail(stream) : parseOffset(offset ?? "-1");
  if (live === "sse") return sse(c, face, stream, from);

  if (offset === "now" && live === undefined) {
    return answer(
      c,
      200,
      {
        "content-type": contentType,
        "cache-control": "no-store",
        [H.nextOffset]: formatOffset(from),
        [H.upToDate]: "true",
        [H.closed]: stream.state.closed ? "true" : undefined,
      },
      isJsonType(contentType) ? "[]" : "",
    );
  }
  let outcome = await face.reader.read(stream, from, { maxBytes: MAX_READ_BYTES, signal: c.req.raw.signal });
  const cursor = live === "long-poll" ? responseCursor(c.req.query("cursor")) : undefined;
  if (live === "long-poll" && outcome.chunks.length === 0 && outcome.upToDate) {
    const closedAt = outcome.closedAt ?? stream.state.closed?.at;
    if (closedAt === undefined) {
      outcome = await face.reader.read(stream, outcome.next, {
        maxBytes: MAX_READ_BYTES,
        maxWaitMs: face.longPollTimeoutMs,
        signal: c.req.raw.signal,
      });
    }
    if (outcome.chunks.length === 0) {
      const closed = (outcome.closedAt ?? closedAt) !== undefined;
      return answer(c, 204, {
        [H.nextOffset]: formatOffset(closed ? (outcome.closedAt ?? closedAt ?? outcome.next) : outcome.next),
        [H.upToDate]: "true",
        [H.cursor]: cursor,
        [H.closed]: closed ? "true" : undefined,
      });
    }
  }
  const closed = outcome.upToDate && (outcome.closedAt !== undefined || stream.state.closed !== undefined);
  const etag = etagOf(name, offset ?? "-1", outcome.next, closed);
  if (c.req.header("if-none-match") === etag) return answer(c, 304, { etag });
  return answer(
    c,
    200,
    {
      "content-type": contentType,
      [H.nextOffset]: formatOffset(outcome.next),
      [H.upToDate]: outcome.upToDate ? "true" : undefined,
      [H.cursor]: cursor,
      [H.closed]: closed ? "true" : undefined,
      etag,
    },
    bodyOf(stream, outcome),
  );
}

function sse(c: Context, face: Face, stream: Stream, start: number): Response {
  const text = isTextType(stream.state.config.contentType);
  const json = isJsonType(stream.state.config.contentType);
  c.header("cache-control", "no-cache");
  if (!text) c.header(H.sseEncoding, "base64");
  const clientCursor = c.req.query("cursor");
  return streamSSE(c, async (out) => {
    let open = true;
    out.onAbort(() => {
      open = false;
    });
    const deadline = Date.now() + face.sseMaxMs;
    let position = start;
    let wait = 0;
    while (open && Date.now() < deadline) {
      const outcome = await face.reader.read(stream, position, {
        maxBytes: MAX_READ_BYTES,
        maxWaitMs: Math.min(wait, Math.max(0, deadline - Date.now())),
        signal: c.req.raw.signal,
      });
      const closedAt = outcome.closedAt ?? (outcome.upToDate ? stream.state.closed?.at : undefined);
      for (const chunk of outcome.chunks) {
        const payload = json ? jsonBody([chunk]) : text ? new TextDecoder().decode(chunk.value) : encodeBase64(chunk.value);
        const last = chunk === outcome.chunks[outcome.chunks.length - 1];
        const next = chunk.position + 1;
        const atEnd = last && outcome.upToDate;
        // one write for the pair, so a reader never sees a data event without the control that follows it
        await out.write(
          sseEvent("data", payload) +
            sseEvent("control", JSON.stringify(control(next, atEnd, closedAt !== undefined && atEnd, clientCursor))),
        );
      }
      position = outcome.next;
      if (closedAt !== undefined && outcome.upToDate) {
        if (outcome.chunks.length === 0) {
          await out.write(sseEvent("control", JSON.stringify(control(closedAt, true, true, clientCursor))));
        }
        break;
      }
      if (outcome.chunks.length === 0) {
        await out.write(sseEvent("control", JSON.stringify(control(position, outcome.upToDate, false, clientCursor))));
      }
      wait = outcome.upToDate ? face.longPollTimeoutMs : 0;
    }
  });
}

function control(next: number, upToDate: boolean, closed: boolean, clientCursor: string | undefined): Record<string, unknown> {
  if (closed) return { streamNextOffset: formatOffset(next), streamClosed: true };
  return { streamNextOffset: formatOffset(next), streamCursor: responseCursor(clientCursor), ...(upToDate ? { upToDate: true } : {}) };
}
