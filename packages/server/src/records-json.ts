// JSON faces of records. Keys, values and header values are UTF-8 text, or base64 when the request
// says so. On the way out, a record whose bytes are not UTF-8 is sent in base64 and marked
// `"encoding": "base64"`, so one binary record never makes a topic unreadable as text.

import { decodeBase64, decodeUtf8, encodeBase64, encodeUtf8, type LogRecord, type RecordHeader, type RecordInput } from "@rill/core";
import type { JsonRecord, RecordEncoding } from "@rill/protocol";
import type { produceRecord } from "@rill/protocol/operations";
import type { z } from "zod";

export type { JsonRecord };
export type Encoding = RecordEncoding;

function toBytes(text: string | null | undefined, encoding: Encoding): Uint8Array | null {
  if (text === null || text === undefined) return null;
  return encoding === "base64" ? decodeBase64(text) : encodeUtf8(text);
}

export function toRecordInput(record: z.infer<typeof produceRecord>, encoding: Encoding): RecordInput {
  const pairs = Array.isArray(record.headers)
    ? record.headers
    : Object.entries(record.headers ?? {}).map(([key, value]) => ({ key, value }));
  const headers: RecordHeader[] = pairs.map((h) => ({ key: h.key, value: toBytes(h.value, encoding) }));
  return { key: toBytes(record.key, encoding), value: toBytes(record.value, encoding), headers, timestamp: record.timestamp };
}

/**
 * toRecordInput for a whole request. UTF-8 keys and values are encoded in one call over all of
 * them (one TextEncoder call costs about a microsecond in workerd, more than encoding a 100-byte
 * value): when every byte came out ASCII, each key and value is its slice of the whole.
 */
export function toRecordInputs(records: ReadonlyArray<z.infer<typeof produceRecord>>, encoding: Encoding): RecordInput[] {
  if (encoding !== "utf8" || records.length < 2) return records.map((r) => toRecordInput(r, encoding));
  const texts: string[] = [];
  for (const r of records) {
    if (typeof r.key === "string") texts.push(r.key);
    if (typeof r.value === "string") texts.push(r.value);
  }
  const joined = texts.join("");
  const bytes = encodeUtf8(joined);
  if (bytes.length !== joined.length) return records.map((r) => toRecordInput(r, encoding));
  let at = 0;
  const take = (text: string | null | undefined): Uint8Array | null => {
    if (typeof text !== "string") return null;
    const slice = bytes.subarray(at, at + text.length);
    at += text.length;
    return slice;
  };
  return records.map((record) => {
    const key = take(record.key);
    const value = take(record.value);
    const { headers, timestamp } =
      record.headers === undefined ? { headers: [], timestamp: record.timestamp } : toRecordInput(record, encoding);
    return { key, value, headers, timestamp };
  });
}

function render(record: LogRecord, encode: (b: Uint8Array) => string): JsonRecord {
  const text = (b: Uint8Array | null) => (b === null ? null : encode(b));
  // A header may be named "__proto__", "constructor" or "toString" like any other, so entries are
  // defined as own properties (assignment to "__proto__" would set the prototype). The object stays
  // a plain one: workerd's RPC refuses to serialize objects without Object.prototype.
  const headers: JsonRecord["headers"] = {};
  const own = (key: string) => (Object.hasOwn(headers, key) ? headers[key] : undefined);
  for (const h of record.headers) {
    const value = text(h.value);
    const seen = own(h.key);
    // Kafka allows a header key to repeat; repeated keys become an array, in order
    const next = seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value];
    Object.defineProperty(headers, h.key, { value: next, enumerable: true, writable: true, configurable: true });
  }
  return { offset: record.offset, timestamp: record.timestamp, key: text(record.key), value: text(record.value), headers };
}

export function toJsonRecord(record: LogRecord, encoding: Encoding): JsonRecord {
  if (encoding === "base64") return render(record, encodeBase64);
  try {
    return render(record, decodeUtf8);
  } catch {
    return { ...render(record, encodeBase64), encoding: "base64" };
  }
}
