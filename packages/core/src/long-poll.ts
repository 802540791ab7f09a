// Kafka's fetch semantics over a partition log: answer at once when minBytes are readable,
// otherwise wait (on the log's in-memory wake-ups, never polling storage) up to maxWaitMs.

import type { OffsetWaiters } from "./offset-waiters.ts";
import type { PartitionLog, ReadResult } from "./partition-log.ts";

export interface FetchRequest {
  offset: number;
  maxBytes?: number;
  /** Answer once this many bytes are readable (Kafka's fetch.min.bytes, default 1). */
  minBytes?: number;
  /** Longest wait for minBytes (Kafka's fetch.max.wait.ms); 0 answers at once. */
  maxWaitMs?: number;
  signal?: Parameters<OffsetWaiters["wait"]>[2];
}

function sizeOf(result: ReadResult): number {
  let n = 0;
  for (const b of result.batches) n += b.bytes.length;
  return n;
}

export async function longPollFetch(log: PartitionLog, request: FetchRequest): Promise<ReadResult> {
  const minBytes = Math.max(1, request.minBytes ?? 1);
  const maxWaitMs = Math.max(0, request.maxWaitMs ?? 0);
  const deadline = log.now() + maxWaitMs;
  for (;;) {
    const result = await log.read(request.offset, { maxBytes: request.maxBytes });
    const remaining = deadline - log.now();
    if (sizeOf(result) >= minBytes || remaining <= 0 || request.signal?.aborted) return result;
    // wait for the record after what is readable now, then read again from the same offset
    const woke = await log.waitFor(result.nextOffset, remaining, request.signal);
    if (!woke) return log.read(request.offset, { maxBytes: request.maxBytes });
  }
}
