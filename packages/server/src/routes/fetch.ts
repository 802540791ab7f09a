// Consuming.
//   GET /v1/topics/:topic/partitions/:p/records?offset=&maxBytes=&maxWaitMs=&minBytes=&encoding=
//       offset: a number, "earliest" or "latest". JSON -> {records, nextOffset, highWatermark, logStartOffset}.
//       With Accept: application/vnd.rill.batches (or format=binary) the stored batch bytes come back
//       as they are, with the offsets in Rill-Next-Offset / Rill-High-Watermark / Rill-Log-Start-Offset.
//       live=sse streams records as server-sent events (id = offset; resumes from Last-Event-ID); the
//       stream ends after SSE_MAX_WRITES answers and the client resumes (see below).
//   GET /v1/topics/:topic/partitions/:p/offsets?at=earliest|latest|<ms> -> {offset, timestamp}

import { concatBytes, decodeBatches, type FetchRequest, type OffsetSpec, type ReadResult } from "@rill/core";
import { BATCHES_MEDIA_TYPE, HIGH_WATERMARK_HEADER, LOG_START_OFFSET_HEADER, NEXT_OFFSET_HEADER } from "@rill/protocol";
import { type Context, Hono } from "hono";
import { streamSSE } from "hono/streaming";
import type { Broker, FetchedBatches, PartitionRef } from "../broker.ts";
import { type Encoding, toJsonRecord } from "../records-json.ts";
import { intParam, invalid } from "../request.ts";
import { partitionRef } from "./produce.ts";

export const MAX_FETCH_BYTES = 8 * 1024 * 1024;
export const MAX_WAIT_MS = 60_000;
const SSE_POLL_MS = 15_000;
/**
 * Writes a live tail makes before its response ends; the client reconnects with Last-Event-ID
 * (EventSource does by itself, after `retry` ms) and goes on from there. A streamed response costs
 * a little per chunk until it ends (workerd keeps a promise chain of its chunks, ~100 B each), so a
 * tail that never ended would hold more and more; this bounds it at a few hundred KB.
 */
export const SSE_MAX_WRITES = 4096;
const SSE_RETRY_MS = 500;

function recordEvent(record: { offset: number }): string {
  return `event: record\ndata: ${JSON.stringify(record)}\nid: ${record.offset}\n\n`;
}

function encodingOf(c: Context): Encoding {
  const encoding = c.req.query("encoding") ?? "utf8";
  if (encoding !== "utf8" && encoding !== "base64") throw invalid(`encoding must be utf8 or base64, got ${JSON.stringify(encoding)}`);
  return encoding;
}

async function resolveOffset(broker: Broker, ref: PartitionRef, value: string | undefined): Promise<number> {
  if (value === "earliest" || value === "latest") return (await broker.listOffset(ref, value)).offset;
  return intParam(value, "offset");
}

export function jsonFetchAnswer(result: ReadResult, offset: number, encoding: Encoding) {
  const records = decodeBatches(result.batches.map((b) => b.bytes))
    .filter((r) => r.offset >= offset && r.offset < result.highWatermark)
    .map((r) => toJsonRecord(r, encoding));
  return { records, nextOffset: result.nextOffset, highWatermark: result.highWatermark, logStartOffset: result.logStartOffset };
}

/** A read's batches as one binary answer (brokers without fetchBatches). */
function joined(result: ReadResult): FetchedBatches {
  const { nextOffset, highWatermark, logStartOffset } = result;
  const body = concatBytes(result.batches.map((b) => b.bytes));
  return { body, size: body.length, nextOffset, highWatermark, logStartOffset };
}

function wantsBinary(c: Context): boolean {
  return c.req.query("format") === "binary" || (c.req.header("accept") ?? "").includes(BATCHES_MEDIA_TYPE);
}

export function fetchRoutes(broker: Broker): Hono {
  const app = new Hono();

  app.get("/:topic/partitions/:partition/records", async (c) => {
    const topic = await broker.topic(c.req.param("topic"));
    const ref: PartitionRef = partitionRef(topic, intParam(c.req.param("partition"), "partition"));
    const replica = c.req.query("replica");
    if (replica !== undefined) ref.replica = intParam(replica, "replica", { max: 15 });
    const encoding = encodingOf(c);
    const maxBytes = intParam(c.req.query("maxBytes"), "maxBytes", { min: 1, max: MAX_FETCH_BYTES, default: 1024 * 1024 });
    const live = c.req.query("live");
    if (live !== undefined && live !== "sse" && live !== "ws") throw invalid(`live must be sse or ws, got ${JSON.stringify(live)}`);
    if (live === "ws") {
      if ((c.req.header("upgrade") ?? "").toLowerCase() !== "websocket") throw invalid("live=ws needs a WebSocket upgrade request");
      if (!broker.tail) throw invalid("live=ws is served by the edge broker (npm start); use live=sse here");
      return broker.tail(ref, c.req.raw, { offset: await resolveOffset(broker, ref, c.req.query("offset")), encoding });
    }
    if (live === "sse") {
      const lastEventId = c.req.header("last-event-id");
      const start =
        lastEventId && /^\d+$/.test(lastEventId) ? Number(lastEventId) + 1 : await resolveOffset(broker, ref, c.req.query("offset"));
      return streamSSE(c, async (stream) => {
        let offset = start;
        let open = true;
        stream.onAbort(() => {
          open = false;
        });
        await stream.write(`retry: ${SSE_RETRY_MS}\n\n`);
        for (let writes = 0; open && writes < SSE_MAX_WRITES; writes++) {
          const result = await broker.fetch(ref, { offset, maxBytes, maxWaitMs: SSE_POLL_MS }, { signal: c.req.raw.signal });
          const answer = jsonFetchAnswer(result, offset, encoding);
          // one write per answer, not per record: each chunk costs the runtime until the response ends
          await stream.write(answer.records.length > 0 ? answer.records.map(recordEvent).join("") : ": keep-alive\n\n");
          offset = answer.nextOffset;
        }
      });
    }
    const request: FetchRequest = {
      offset: await resolveOffset(broker, ref, c.req.query("offset")),
      maxBytes,
      minBytes: intParam(c.req.query("minBytes"), "minBytes", { min: 1, max: MAX_FETCH_BYTES, default: 1 }),
      maxWaitMs: intParam(c.req.query("maxWaitMs"), "maxWaitMs", { max: MAX_WAIT_MS, default: 0 }),
    };
    const signal = { signal: c.req.raw.signal };
    if (wantsBinary(c)) {
      const answer = broker.fetchBatches
        ? await broker.fetchBatches(ref, request, signal)
        : joined(await broker.fetch(ref, request, signal));
      return c.body(answer.body as Uint8Array<ArrayBuffer> | ReadableStream<Uint8Array>, 200, {
        "content-type": BATCHES_MEDIA_TYPE,
        // known before the body is read, for a stream too (quota meters count answers by it)
        "content-length": String(answer.size),
        [NEXT_OFFSET_HEADER]: String(answer.nextOffset),
        [HIGH_WATERMARK_HEADER]: String(answer.highWatermark),
        [LOG_START_OFFSET_HEADER]: String(answer.logStartOffset),
      });
    }
    return c.json(jsonFetchAnswer(await broker.fetch(ref, request, signal), request.offset, encoding));
  });

  app.get("/:topic/partitions/:partition/offsets", async (c) => {
    const topic = await broker.topic(c.req.param("topic"));
    const ref = partitionRef(topic, intParam(c.req.param("partition"), "partition"));
    const at = c.req.query("at") ?? "latest";
    const spec: OffsetSpec = at === "earliest" || at === "latest" ? at : { timestamp: intParam(at, "at") };
    return c.json(await broker.listOffset(ref, spec));
  });

  return app;
}
