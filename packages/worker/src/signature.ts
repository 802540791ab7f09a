// Signed deliveries over HTTP: `rill-signature: t=<ms since epoch>,v1=<hex HMAC-SHA256>` over
// "<t>.<body>" with the subscription's secret. The timestamp is inside the signature, so a receiver
// that refuses old timestamps also refuses a captured request replayed later.

import { DELIVERY_HEADERS } from "./delivery.ts";

/** How old (or how far in the future) a signature may be by default: 5 minutes. */
export const DEFAULT_SIGNATURE_TOLERANCE_MS = 5 * 60_000;

const encoder = new TextEncoder();

async function hmacHex(secret: string, message: string): Promise<string> {
  const key = await crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode(message)));
  let hex = "";
  for (const b of mac) hex += b.toString(16).padStart(2, "0");
  return hex;
}

/** The `rill-signature` header value for a body sent at `timestamp` (ms). */
export async function signDelivery(secret: string, body: string, timestamp: number): Promise<string> {
  return `t=${timestamp},v1=${await hmacHex(secret, `${timestamp}.${body}`)}`;
}

function equalInConstantTime(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

export interface VerifyOptions {
  /** Largest accepted age of the signature (default 5 minutes). */
  toleranceMs?: number;
  /** The clock (default Date.now). */
  now?: () => number;
}

export type VerifyResult = { ok: true; timestamp: number } | { ok: false; reason: string };

/** Checks a `rill-signature` header against a body and a secret, refusing signatures older than the tolerance. */
export async function verifySignature(
  secret: string,
  body: string,
  header: string | null | undefined,
  options: VerifyOptions = {},
): Promise<VerifyResult> {
  if (!header) return { ok: false, reason: `missing ${DELIVERY_HEADERS.signature} header` };
  const parts = new Map(
    header.split(",").map((part) => {
      const at = part.indexOf("=");
      return [part.slice(0, at).trim(), part.slice(at + 1).trim()] as const;
    }),
  );
  const timestamp = Number(parts.get("t"));
  const signature = parts.get("v1");
  if (!Number.isSafeInteger(timestamp) || !signature) return { ok: false, reason: "malformed signature header" };
  const tolerance = options.toleranceMs ?? DEFAULT_SIGNATURE_TOLERANCE_MS;
  if (Math.abs((options.now ?? Date.now)() - timestamp) > tolerance)
    return { ok: false, reason: "signature timestamp outside the tolerance" };
  const expected = await hmacHex(secret, `${timestamp}.${body}`);
  return equalInConstantTime(expected, signature) ? { ok: true, timestamp } : { ok: false, reason: "signature does not match" };
}
