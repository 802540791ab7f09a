import { encodeBatch, encodeUtf8, type Storage, type StoredBatch } from "@rill/core";

/** What a backend provides to run the conformance suite. */
export interface StorageFixture {
  /** Shown in test names, e.g. "memory", "indexeddb (chromium)". */
  name: string;
  /** A new, empty storage. */
  create(): Promise<Storage>;
  /** Closes `storage` and opens a new instance over the same data, as after a restart. Omit for volatile backends. */
  reopen?(storage: Storage): Promise<Storage>;
  /** fast-check runs per property (default 25). */
  propertyRuns?: number;
}

let counter = 0;
/** A partition name unique within the run, so cases never see each other's data. */
export function freshPartition(prefix = "p"): string {
  counter++;
  return `${prefix}-${counter}-${Math.random().toString(36).slice(2, 8)}/0`;
}

/** A stored batch of `count` records starting at baseOffset, with recognisable values. */
export function makeBatch(baseOffset: number, count: number, options: { timestamp?: number; valueSize?: number } = {}): StoredBatch {
  const timestamp = options.timestamp ?? 1_700_000_000_000 + baseOffset;
  const records = Array.from({ length: count }, (_, i) => {
    const text = `value-${baseOffset + i}`;
    const value = options.valueSize ? new Uint8Array(options.valueSize).fill((baseOffset + i) % 251) : encodeUtf8(text);
    return { key: encodeUtf8(`key-${baseOffset + i}`), value, timestamp };
  });
  const bytes = encodeBatch(records, { baseOffset, now: timestamp });
  return { baseOffset, lastOffset: baseOffset + count - 1, timeIndex: timestamp, bytes };
}

export function sizeOf(batches: StoredBatch[]): number {
  return batches.reduce((n, b) => n + b.bytes.length, 0);
}
