// Keys, values and headers travel as bytes; serializers turn application values into bytes on the
// way in and deserializers turn them back on the way out (Kafka's key.serializer / value.deserializer).

import { decodeUtf8, encodeUtf8, type RecordHeader, RillError } from "@rill/core";

export interface SerdeContext {
  topic: string;
}

/** Turns a key or value into bytes; null stays null (a missing key, or a tombstone value). */
export type Serializer<T> = (value: T, context: SerdeContext) => Uint8Array | null;
/** Turns stored bytes back into a key or value. */
export type Deserializer<T> = (bytes: Uint8Array | null, context: SerdeContext) => T;

/** What the default serializer takes: text (UTF-8), bytes as they are, or null. */
export type MessageData = string | Uint8Array | null;

function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

/** Strings as UTF-8, bytes as they are, null as null; anything else needs an explicit serializer. */
const dataSerializer: Serializer<MessageData> = (data) => {
  // typed loosely on purpose: JavaScript callers pass anything, and deserve a clear refusal
  const value: unknown = data;
  if (value === null || value === undefined) return null;
  if (typeof value === "string") return encodeUtf8(value);
  if (value instanceof Uint8Array) return value;
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  throw new RillError(
    "INVALID_RECORD",
    `expected a string, a Uint8Array or null, got ${kindOf(value)}; pass a serializer (e.g. serializers.json)`,
  );
};

export const serializers = {
  /** Text as UTF-8. */
  string: ((value: string | null) => (value === null || value === undefined ? null : encodeUtf8(String(value)))) as Serializer<
    string | null
  >,
  /** JSON text, UTF-8. Undefined and null stay null. */
  json: ((value: unknown) => (value === null || value === undefined ? null : encodeUtf8(JSON.stringify(value)))) as Serializer<unknown>,
  /** Bytes as they are (strings as UTF-8): the default. */
  bytes: dataSerializer,
  /** A 32-bit signed integer, big-endian (Kafka's IntegerSerializer). */
  int32: ((value: number | null) => {
    if (value === null || value === undefined) return null;
    if (!Number.isInteger(value) || value < -(2 ** 31) || value >= 2 ** 31) {
      throw new RillError("INVALID_RECORD", `expected a 32-bit integer, got ${String(value)}`);
    }
    const out = new Uint8Array(4);
    new DataView(out.buffer).setInt32(0, value);
    return out;
  }) as Serializer<number | null>,
};

export const deserializers = {
  /** UTF-8 text; refuses bytes that are not UTF-8. */
  string: ((bytes) => (bytes === null ? null : decodeUtf8(bytes))) as Deserializer<string | null>,
  /** Parsed JSON; null stays null. */
  json: ((bytes) => {
    if (bytes === null) return null;
    try {
      return JSON.parse(decodeUtf8(bytes));
    } catch (error) {
      throw new RillError("CORRUPT_MESSAGE", `value is not JSON: ${(error as Error).message}`);
    }
  }) as Deserializer<unknown>,
  /** Bytes as they are: the default. */
  bytes: ((bytes) => bytes) as Deserializer<Uint8Array | null>,
  /** A 32-bit signed integer, big-endian. */
  int32: ((bytes) => {
    if (bytes === null) return null;
    if (bytes.length !== 4) throw new RillError("CORRUPT_MESSAGE", `an int32 is 4 bytes, got ${bytes.length}`);
    return new DataView(bytes.buffer, bytes.byteOffset, 4).getInt32(0);
  }) as Deserializer<number | null>,
};

/** Header values by key; a key given an array is repeated, in order (Kafka allows repeats). */
export type MessageHeaders = Record<string, string | Uint8Array | null | undefined | Array<string | Uint8Array | null>>;

/** Headers as the record codec takes them: an ordered list. */
export function encodeHeaders(headers: MessageHeaders | readonly RecordHeader[] | undefined): RecordHeader[] {
  if (!headers) return [];
  if (Array.isArray(headers)) return headers.map((h) => ({ key: h.key, value: h.value }));
  const out: RecordHeader[] = [];
  for (const [key, value] of Object.entries(headers as MessageHeaders)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) {
      const bytes = dataSerializer(v, { topic: "" });
      out.push({ key, value: bytes });
    }
  }
  return out;
}

/** Headers as a consumer sees them (kafkajs's shape): bytes by key, an array where a key repeats. */
export type ConsumedHeaders = Record<string, Uint8Array | null | Array<Uint8Array | null>>;

export function decodeHeaders(headers: readonly RecordHeader[]): ConsumedHeaders {
  // a Map, then fromEntries: a header named "__proto__" becomes a key, not the object's prototype
  const out = new Map<string, Uint8Array | null | Array<Uint8Array | null>>();
  for (const h of headers) {
    const seen = out.get(h.key);
    if (seen === undefined) out.set(h.key, h.value);
    else out.set(h.key, Array.isArray(seen) ? [...seen, h.value] : [seen, h.value]);
  }
  return Object.fromEntries(out);
}
