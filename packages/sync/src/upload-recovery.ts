// Two checks the uploader makes against what the edge stores, both by reading edge batches back:
// - after UNKNOWN_PRODUCER_ID (the edge forgot this producer: a re-created topic, lost state), which
//   of our batches already reached it, so the new epoch starts after them and nothing is written twice;
// - after a `duplicate: true` answer, whether the batch the edge holds under our (id, epoch,
//   sequence) has our records: a copy of this device's storage on another device would send other
//   records under the same identity, and the edge would silently take them as repeats.

import { type BatchHeader, decodeBatch, type LogRecord, lastOffsetOf, splitBatches } from "@rill/core";
import type { Edge } from "./edge.ts";

const SCAN_BYTES = 1024 * 1024;

/** A batch of ours found on the edge: which local records it carries, and where they landed. */
export interface FoundBatch {
  localBase: number;
  recordCount: number;
  edgeLastOffset: number;
  bytes: Uint8Array;
}

/**
 * Reads the edge partition from `from` to its high watermark and returns the batches of
 * `producerId` at `producerEpoch`; their sequence numbers give back the local offsets they carry
 * (epochBase + sequence). The caller compares their records with the local log before trusting
 * them: a fresh edge may have given the same id to someone else.
 */
export async function scanForProducer(
  edge: Edge,
  target: { topic: string; partition: number; from: number },
  identity: { producerId: number; producerEpoch: number; epochBase: number },
  signal: AbortSignal,
): Promise<FoundBatch[]> {
  let offset = target.from;
  const found: FoundBatch[] = [];
  for (;;) {
    const answer = await edge.fetchBatches(target.topic, target.partition, offset, { maxBytes: SCAN_BYTES, maxWaitMs: 0, signal });
    for (const { header, bytes } of answer.bytes.length ? splitBatches(answer.bytes) : []) {
      if (header.producerId !== identity.producerId || header.producerEpoch !== identity.producerEpoch) continue;
      found.push({
        localBase: identity.epochBase + header.baseSequence,
        recordCount: header.recordCount,
        edgeLastOffset: lastOffsetOf(header),
        bytes,
      });
    }
    if (answer.nextOffset <= offset || answer.nextOffset >= answer.highWatermark) return found;
    offset = answer.nextOffset;
  }
}

function sameBytes(a: Uint8Array | null, b: Uint8Array | null): boolean {
  if (a === null || b === null) return a === b;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function sameRecord(a: LogRecord, b: LogRecord): boolean {
  if (!sameBytes(a.key, b.key) || !sameBytes(a.value, b.value) || a.headers.length !== b.headers.length) return false;
  return a.headers.every((h, i) => h.key === b.headers[i]?.key && sameBytes(h.value, b.headers[i]?.value ?? null));
}

export type CloneVerdict = "same" | "different" | "unknown";

/** Whether two batches carry the same records (keys, values, headers; not timestamps). */
export function sameRecords(a: Uint8Array, b: Uint8Array): CloneVerdict {
  let x: LogRecord[];
  let y: LogRecord[];
  try {
    x = decodeBatch(a).records;
    y = decodeBatch(b).records;
  } catch {
    return "unknown";
  }
  if (x.length !== y.length) return "unknown";
  return x.every((r, i) => sameRecord(r, y[i] as LogRecord)) ? "same" : "different";
}

/**
 * Compares our batch with the one the edge stores at `edgeBaseOffset`. Timestamps are not compared
 * (LogAppendTime rewrites them); a batch the edge compacted since (fewer records) cannot be judged.
 */
export async function compareWithEdge(
  edge: Edge,
  target: { topic: string; partition: number; edgeBaseOffset: number },
  ours: Uint8Array,
  signal: AbortSignal,
): Promise<CloneVerdict> {
  let theirs: { header: BatchHeader; bytes: Uint8Array } | undefined;
  try {
    const answer = await edge.fetchBatches(target.topic, target.partition, target.edgeBaseOffset, { maxBytes: 1, maxWaitMs: 0, signal });
    theirs = (answer.bytes.length ? splitBatches(answer.bytes) : []).find((b) => b.header.baseOffset === target.edgeBaseOffset);
  } catch {
    return "unknown";
  }
  if (!theirs) return "unknown";
  const mine = decodeBatch(ours);
  const stored = decodeBatch(theirs.bytes);
  const h = stored.header;
  if (
    h.producerId !== mine.header.producerId ||
    h.producerEpoch !== mine.header.producerEpoch ||
    h.baseSequence !== mine.header.baseSequence
  ) {
    return "different";
  }
  if (stored.records.length !== mine.records.length) return "unknown";
  return stored.records.every((r, i) => sameRecord(r, mine.records[i] as LogRecord)) ? "same" : "different";
}
