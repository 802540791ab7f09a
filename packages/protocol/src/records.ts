// Records as JSON bodies carry them: fetch answers, live tails and push deliveries.

/** How keys, values and header values travel as text: UTF-8, or base64 for any bytes. */
export type RecordEncoding = "utf8" | "base64";

/** A record as JSON: keys, values and header values as UTF-8 text, or base64 when `encoding` says so. */
export interface JsonRecord {
  offset: number;
  timestamp: number;
  key: string | null;
  value: string | null;
  /** Kafka lets a header key repeat: a repeated key holds its values in an array, in order. */
  headers: Record<string, string | null | Array<string | null>>;
  /** Present when key, value and header values are base64 (asked for, or the bytes are not UTF-8). */
  encoding?: "base64";
}
