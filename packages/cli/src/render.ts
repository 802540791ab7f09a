// How consume prints a record: JSON lines (text as UTF-8, anything else in base64 and marked so),
// the value alone, or key, separator, value.

import type { ConsumedMessage } from "@rill/client";

export type OutputFormat = "json" | "value" | "kv";

type Bytes = Uint8Array | null;

const NEWLINE = new Uint8Array([10]);
const strict = new TextDecoder("utf-8", { fatal: true });

/** The bytes as UTF-8 text, or null when they are not UTF-8. */
function decodeUtf8OrNull(bytes: Uint8Array): string | null {
  try {
    return strict.decode(bytes);
  } catch {
    return null;
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** One record's output line; bytes when the record is not text and the format prints it raw. */
export function renderRecord(
  topic: string,
  partition: number,
  message: ConsumedMessage<Bytes, Bytes>,
  format: OutputFormat,
  separator: string,
): string | Uint8Array {
  if (format === "json") {
    const fields = [message.key, message.value, ...Object.values(message.headers).flat()];
    const binary = fields.some((f) => f !== null && decodeUtf8OrNull(f) === null);
    const text = (b: Bytes) => (b === null ? null : binary ? Buffer.from(b).toString("base64") : (decodeUtf8OrNull(b) as string));
    const headers = Object.fromEntries(Object.entries(message.headers).map(([k, v]) => [k, Array.isArray(v) ? v.map(text) : text(v)]));
    const line = {
      topic,
      partition,
      offset: message.offset,
      timestamp: message.timestamp,
      key: text(message.key),
      value: text(message.value),
      headers,
    };
    return `${JSON.stringify(binary ? { ...line, encoding: "base64" } : line)}\n`;
  }
  const value = message.value ?? new Uint8Array();
  const parts = format === "kv" ? [message.key ?? new Uint8Array(), new TextEncoder().encode(separator), value, NEWLINE] : [value, NEWLINE];
  const bytes = concat(parts);
  const asText = decodeUtf8OrNull(bytes);
  return asText ?? bytes;
}

/** A batch's output, with runs of text joined so stdout sees few writes. */
export function renderMessages(
  topic: string,
  partition: number,
  messages: ReadonlyArray<ConsumedMessage<Bytes, Bytes>>,
  format: OutputFormat,
  separator: string,
): Array<string | Uint8Array> {
  const chunks: Array<string | Uint8Array> = [];
  let text = "";
  for (const message of messages) {
    const rendered = renderRecord(topic, partition, message, format, separator);
    if (typeof rendered === "string") text += rendered;
    else {
      chunks.push(text, rendered);
      text = "";
    }
  }
  chunks.push(text);
  return chunks.filter((c) => c.length > 0);
}
