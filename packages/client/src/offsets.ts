// Where a consumer starts: an offset, either end of the log, or a point in time, resolved through
// GET /v1/topics/:t/partitions/:p/offsets?at=earliest|latest|<ms>.

import { paths } from "@rill/protocol";
import type { TopicPartition } from "./assignment.ts";
import type { Transport } from "./transport.ts";

/** An offset, the log's ends, or the first offset whose record is at or after a time (ms). */
export type SeekTarget = number | "earliest" | "latest" | { timestamp: number };
/** Where to start when there is no position, or the position fell out of the log (Kafka's auto.offset.reset). */
export type OffsetResetPolicy = "earliest" | "latest" | "none";

/** Resolves a seek target to an offset through GET .../offsets?at=. */
export async function resolveOffset(transport: Transport, tp: TopicPartition, target: SeekTarget, signal?: AbortSignal): Promise<number> {
  if (typeof target === "number") return target;
  const at = typeof target === "string" ? target : String(target.timestamp);
  const answer = await transport.json<{ offset: number }>({
    method: "GET",
    path: paths.partitionOffsets(tp.topic, tp.partition),
    query: { at },
    signal,
  });
  return answer.offset;
}
