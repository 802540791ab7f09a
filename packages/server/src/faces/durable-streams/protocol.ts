// The Durable Streams protocol's vocabulary: header names, offsets, cursors, content types.
// Offsets are `<16 digits>_<16 digits>`: the first part is always zero here, the second is the
// stream position (the Kafka offset of the next record, shifted by a fork's inherited prefix), so
// offsets sort lexicographically and the protocol's zero offset is position 0.

import { RillError } from "@rill/core";

export const H = {
  nextOffset: "Stream-Next-Offset",
  upToDate: "Stream-Up-To-Date",
  cursor: "Stream-Cursor",
  closed: "Stream-Closed",
  ttl: "Stream-TTL",
  expiresAt: "Stream-Expires-At",
  seq: "Stream-Seq",
  forkedFrom: "Stream-Forked-From",
  forkOffset: "Stream-Fork-Offset",
  forkSubOffset: "Stream-Fork-Sub-Offset",
  sseEncoding: "Stream-SSE-Data-Encoding",
  producerId: "Producer-Id",
  producerEpoch: "Producer-Epoch",
  producerSeq: "Producer-Seq",
  expectedSeq: "Producer-Expected-Seq",
  receivedSeq: "Producer-Received-Seq",
} as const;

/** Response headers a browser may read (CORS). */
export const EXPOSED = [
  H.nextOffset,
  H.cursor,
  H.upToDate,
  H.closed,
  H.producerEpoch,
  H.producerSeq,
  H.expectedSeq,
  H.receivedSeq,
  H.sseEncoding,
  "etag",
  "content-type",
  "location",
];

export function invalid(message: string): RillError {
  return new RillError("INVALID_REQUEST", message);
}

const PART = 16;

/** The protocol offset of a stream position. */
export function formatOffset(position: number): string {
  return `${"0".repeat(PART)}_${String(position).padStart(PART, "0")}`;
}

/** A position from an offset query value: -1 is the start; "now" is answered by the caller. */
export function parseOffset(value: string): number {
  if (value === "-1") return 0;
  const m = /^(\d+)_(\d+)$/.exec(value);
  if (!m) throw invalid(`offset must be -1, now or an offset this server gave, got ${JSON.stringify(value)}`);
  const position = Number(m[2]);
  if (!Number.isSafeInteger(position)) throw invalid(`offset ${value} is out of range`);
  return position;
}

/** The media type without parameters, lower-cased; "" when absent. */
export function mediaType(contentType: string | undefined | null): string {
  return (contentType ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
}

export function isJsonType(contentType: string): boolean {
  return mediaType(contentType) === "application/json";
}

/** SSE carries text as it is; other content types travel base64-encoded. */
export function isTextType(contentType: string): boolean {
  const type = mediaType(contentType);
  return type.startsWith("text/") || type === "application/json";
}

// Cursors (protocol section 8.1): 20-second intervals since 2024-10-09, never going backwards for a
// client that echoes one, so a CDN never serves the same cached empty answer forever.
const CURSOR_EPOCH_MS = Date.UTC(2024, 9, 9);
const CURSOR_INTERVAL_MS = 20_000;

export function responseCursor(clientCursor: string | undefined, now = Date.now()): string {
  const current = Math.floor((now - CURSOR_EPOCH_MS) / CURSOR_INTERVAL_MS);
  const client = clientCursor === undefined ? Number.NaN : Number.parseInt(clientCursor, 10);
  if (Number.isNaN(client) || client < current) return String(current);
  const jitterSeconds = 1 + Math.floor(Math.random() * 3600);
  return String(client + Math.max(1, Math.ceil(jitterSeconds / (CURSOR_INTERVAL_MS / 1000))));
}

/** One SSE event; every line of the payload gets its own `data:` (a CR alone included), so data cannot forge events. */
export function sseEvent(event: string, payload: string): string {
  return `event: ${event}\n${payload
    .split(/\r\n|\r|\n/)
    .map((line) => `data:${line}`)
    .join("\n")}\n\n`;
}
