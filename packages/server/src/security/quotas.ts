// Produce and fetch byte-rate quotas, enforced the way Kafka does (KIP-13, KIP-219): the request
// is served, its bytes are counted against its entity's meter, and the answer carries the throttle
// time (header rill-throttle-time-ms) the client must wait before its next request of that kind.
// A client that does not wait finds its next request held by the broker until its time is up (as
// Kafka mutes the channel); one that is further behind than `maxHoldMs` is refused with 429
// THROTTLING_QUOTA_EXCEEDED and Retry-After, before anything is done, so a retry is always safe.

import { createQuotaMeter, type QuotaKind, type QuotaMeter, RillError, resolveQuota } from "@rill/core";
import { CLIENT_ID_HEADER, THROTTLE_TIME_HEADER } from "@rill/protocol";
import type { Context, MiddlewareHandler } from "hono";
import { identityOf, userName } from "./identity.ts";
import type { SecurityCache } from "./security-cache.ts";

/** Where quota meters live: in-process, or one Durable Object per entity at the edge. */
export interface QuotaService {
  /** Throttle time `key` still owes, in ms (0: go ahead). May be a slightly stale local view. */
  pending(key: string): Promise<number>;
  /** Counts bytes against `key` (authoritative); answers the throttle time now owed, in ms. */
  charge(key: string, bytes: number, bytesPerSecond: number): Promise<number>;
}

/** A QuotaService over an in-memory meter (the in-process broker). */
export function localQuotaService(meter: QuotaMeter = createQuotaMeter()): QuotaService {
  return {
    pending: async (key) => meter.pending(key),
    charge: async (key, bytes, rate) => meter.charge(key, bytes, rate),
  };
}

export interface QuotaEnforcementOptions {
  /** Longest the broker holds a request that came before its throttle time was up (default 5000 ms). */
  maxHoldMs?: number;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}

/** Bytes of a live tail are counted as they go, this many at a time (one meter call per batch). */
const STREAM_CHARGE_BYTES = 16 * 1024;

function isStream(c: Context): boolean {
  return (c.res.headers.get("content-type") ?? "").includes("text/event-stream") && c.res.body !== null;
}

/**
 * A live tail (SSE) has no end to count at, so its bytes are counted as they flow, and a tail over
 * its quota is slowed by holding the next events back for the throttle time (the broker delaying
 * its answer, as Kafka does for clients that do not wait themselves).
 */
function meterStream(c: Context, charge: (bytes: number) => Promise<number>): void {
  const reader = (c.res.body as ReadableStream<Uint8Array>).getReader();
  const signal = c.req.raw.signal;
  let uncounted = 0;
  const metered = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { done, value } = await reader.read();
      if (done) {
        if (uncounted > 0) charge(uncounted).catch(() => undefined);
        controller.close();
        return;
      }
      uncounted += value.byteLength;
      if (uncounted >= STREAM_CHARGE_BYTES) {
        const throttle = await charge(uncounted);
        uncounted = 0;
        if (throttle > 0) await sleep(throttle, signal);
      }
      controller.enqueue(value);
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
  const headers = new Headers(c.res.headers);
  const status = c.res.status;
  c.res = undefined as unknown as Response; // a new body: the old answer's headers come along whole
  c.res = new Response(metered, { status, headers });
}

async function answerBytes(c: Context): Promise<number> {
  if (!c.res.body) return 0;
  const header = c.res.headers.get("content-length");
  const length = Number(header);
  if (header !== null && Number.isSafeInteger(length) && length >= 0) return length;
  return (await c.res.clone().arrayBuffer()).byteLength;
}

async function requestBytes(c: Context): Promise<number> {
  const header = c.req.header("content-length");
  const length = Number(header);
  if (header !== undefined && Number.isSafeInteger(length) && length >= 0) return length;
  return (await c.req.arrayBuffer()).byteLength;
}

/** Meters one kind of request (mount it on the produce routes, or the fetch route). */
export function enforceQuota(
  kind: QuotaKind,
  cache: SecurityCache,
  service: QuotaService,
  options: QuotaEnforcementOptions = {},
): MiddlewareHandler {
  const maxHoldMs = options.maxHoldMs ?? 5000;
  return async (c, next) => {
    const { quotas } = await cache.snapshot();
    if (quotas.length === 0) return next();
    const user = userName(identityOf(c).principal);
    const quota = resolveQuota(quotas, user, c.req.header(CLIENT_ID_HEADER) ?? "", kind);
    if (!quota) return next();
    const owed = await service.pending(quota.key);
    if (owed > maxHoldMs) {
      c.header(THROTTLE_TIME_HEADER, String(owed));
      c.header("Retry-After", String(Math.ceil(owed / 1000)));
      throw new RillError("THROTTLING_QUOTA_EXCEEDED", `${kind} quota of ${quota.bytesPerSecond} bytes/s exceeded; wait ${owed} ms`, {
        throttleTimeMs: owed,
      });
    }
    if (owed > 0) await sleep(owed, c.req.raw.signal);
    await next();
    if (c.res.status === 101) return; // a WebSocket tail: its answer is the socket, and its headers are fixed
    if (isStream(c)) {
      meterStream(c, (bytes) => service.charge(quota.key, bytes, quota.bytesPerSecond));
      return;
    }
    const bytes = kind === "produce" ? await requestBytes(c) : await answerBytes(c);
    const throttle = await service.charge(quota.key, bytes, quota.bytesPerSecond);
    c.res.headers.set(THROTTLE_TIME_HEADER, String(throttle));
  };
}
