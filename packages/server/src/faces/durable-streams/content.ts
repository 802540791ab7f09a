// Bodies of a stream: bytes as they are, or JSON mode (protocol section 7.1), where one append is
// stored as one record holding a JSON array of its messages (an array body is flattened one level)
// and a read answers one array of every message in range.

import { concatBytes, decodeUtf8, encodeUtf8 } from "@rill/core";
import { formatOffset, invalid } from "./protocol.ts";
import type { Chunk } from "./reader.ts";

/** The record value of a JSON append; null for an empty array (allowed when creating only). */
export function jsonAppendValue(body: Uint8Array, creating: boolean): Uint8Array | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(decodeUtf8(body));
  } catch (error) {
    throw invalid(`JSON stream: the body is not valid JSON (${(error as Error).message})`);
  }
  const messages = Array.isArray(parsed) ? parsed : [parsed];
  if (messages.length === 0) {
    if (creating) return null;
    throw invalid("JSON stream: an empty array appends nothing");
  }
  return encodeUtf8(`[${messages.map((m) => JSON.stringify(m)).join(",")}]`);
}

/** The messages of one stored JSON record. */
export function jsonMessages(value: Uint8Array): unknown[] {
  const parsed = JSON.parse(decodeUtf8(value)) as unknown;
  return Array.isArray(parsed) ? parsed : [parsed];
}

// The State Protocol (an extension carried in JSON streams) wants each change and control message
// told the offset it was read at, in its headers.
function withOffset(message: unknown, offset: string): unknown {
  if (message === null || typeof message !== "object" || Array.isArray(message)) return message;
  const headers = (message as { headers?: unknown }).headers;
  if (headers === null || typeof headers !== "object" || Array.isArray(headers)) return message;
  const h = headers as Record<string, unknown>;
  if (typeof h.operation !== "string" && typeof h.control !== "string") return message;
  return { ...message, headers: { ...h, offset } };
}

/** The text of a JSON read: one array of the messages of these records. */
export function jsonBody(chunks: readonly Chunk[]): string {
  const items: string[] = [];
  for (const chunk of chunks) {
    const offset = formatOffset(chunk.position + 1);
    for (const m of jsonMessages(chunk.value)) items.push(JSON.stringify(withOffset(m, offset)));
  }
  return `[${items.join(",")}]`;
}

export function bytesBody(chunks: readonly Chunk[]): Uint8Array {
  return concatBytes(chunks.map((c) => c.value));
}
