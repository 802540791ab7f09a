// The record model shared by every layer: keys and values are bytes (or null), headers are an
// ordered list because Kafka allows a header key to repeat.

export interface RecordHeader {
  key: string;
  value: Uint8Array | null;
}

/** A record as a producer hands it over, before it has an offset. */
export interface RecordInput {
  key?: Uint8Array | null;
  value: Uint8Array | null;
  headers?: readonly RecordHeader[];
  /** CreateTime in ms since the epoch; defaults to the time of batching. */
  timestamp?: number;
}

/** A record as read back from a partition. */
export interface LogRecord {
  offset: number;
  timestamp: number;
  key: Uint8Array | null;
  value: Uint8Array | null;
  headers: RecordHeader[];
}

export type TimestampType = "CreateTime" | "LogAppendTime";
