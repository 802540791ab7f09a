// Limits on what one client may hold open, and the headers every answer carries.

import { RillError, splitBatches } from "@rill/core";
import type { MiddlewareHandler } from "hono";
import { identityOf } from "./identity.ts";

/**
 * At most `max` live tails (live=sse) open at once per principal, counted per process (per Worker
 * isolate at the edge); the next is refused with 429 until one closes. WebSocket tails are handed
 * to the partition object and are not counted here.
 */
export function limitLiveTails(max: number): MiddlewareHandler {
  const open = new Map<string, number>();
  return async (c, next) => {
    if (c.req.query("live") !== "sse") return next();
    const principal = identityOf(c).principal;
    const count = open.get(principal) ?? 0;
    if (count >= max) {
      throw new RillError(
        "THROTTLING_QUOTA_EXCEEDED",
        `${principal} already has ${count} live tails open (at most ${max}); close one first`,
      );
    }
    open.set(principal, count + 1);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      const left = (open.get(principal) ?? 1) - 1;
      if (left <= 0) open.delete(principal);
      else open.set(principal, left);
    };
    try {
      await next();
    } catch (error) {
      release();
      throw error;
    }
    const body = c.res.body;
    if (!body || c.res.status !== 200) return release();
    // the tail stays counted until its stream ends or the client goes away
    const reader = body.getReader();
    const counted = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const { done, value } = await reader.read();
        if (done) {
          release();
          controller.close();
        } else controller.enqueue(value);
      },
      cancel(reason) {
        release();
        return reader.cancel(reason);
      },
    });
    c.req.raw.signal.addEventListener("abort", release, { once: true });
    const headers = new Headers(c.res.headers);
    c.res = undefined as unknown as Response;
    c.res = new Response(counted, { status: 200, headers });
  };
}

/**
 * Headers for an API that answers JSON and bytes, never pages: nothing is sniffed, framed,
 * cached or sent on as a referrer, and a browser renders nothing it gets from here.
 */
export function securityHeaders(): MiddlewareHandler {
  return async (c, next) => {
    c.header("X-Content-Type-Options", "nosniff");
    c.header("X-Frame-Options", "DENY");
    c.header("Referrer-Policy", "no-referrer");
    c.header("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'");
    c.header("Cache-Control", "no-store");
    if (new URL(c.req.url).protocol === "https:") c.header("Strict-Transport-Security", "max-age=31536000; includeSubDomains");
    await next();
  };
}

/**
 * At most `max` records in one binary produce request, counted from the batch headers (cheap: no
 * record is decoded here). Bytes that are not batches are left to the route, which refuses them.
 */
export function limitBatchRecords(max: number): MiddlewareHandler {
  return async (c, next) => {
    let records = 0;
    try {
      for (const { header } of splitBatches(new Uint8Array(await c.req.arrayBuffer()))) records += header.recordCount;
    } catch {
      return next();
    }
    if (records > max) throw new RillError("RECORD_LIST_TOO_LARGE", `${records} records in one request; at most ${max}`);
    await next();
  };
}
