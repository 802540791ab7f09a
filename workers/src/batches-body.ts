// The body of a binary fetch as the partition object hands it to the Worker (Broker.fetchBatches).

import { concatBytes, type StoredBatch } from "@rill/core";
import type { FetchedBatches } from "@rill/server";

/**
 * Below this an answer is joined and cloned across the RPC: a stream costs more to set up than a
 * small copy (long-poll tails answer a few records at a time).
 */
export const STREAM_ANSWER_BYTES = 64 * 1024;

/**
 * Batches back to back: one buffer when small, otherwise a stream of their known length, which
 * RPC carries to the Worker and workerd pumps into the HTTP answer (keeping its Content-Length).
 */
export function batchesBody(batches: readonly StoredBatch[]): Pick<FetchedBatches, "body" | "size"> {
  let size = 0;
  for (const b of batches) size += b.bytes.length;
  if (size < STREAM_ANSWER_BYTES) {
    return { body: batches.length === 1 ? (batches[0] as StoredBatch).bytes : concatBytes(batches.map((b) => b.bytes)), size };
  }
  const stream = new FixedLengthStream(size);
  const writer = stream.writable.getWriter();
  // not awaited: each write completes when the reader takes it; a reader that goes away rejects them
  for (const b of batches) writer.write(b.bytes).catch(() => undefined);
  writer.close().catch(() => undefined);
  return { body: stream.readable, size };
}
