// Mirrored appends: a replica of another log (a browser's copy of an edge topic) stores upstream's
// batches as they are — their offsets, leader epochs and producer fields — instead of giving them
// its own. They are checked like any untrusted input (length, CRC, record framing), but never
// against idempotent producer state: a mirror takes every producer's batches in whatever order
// upstream accepted them. Offsets only need to increase: upstream compaction leaves holes.

import { RillError } from "./errors.ts";
import type { AppendedBatch } from "./partition-log-types.ts";
import { type BatchHeader, lastOffsetOf, splitBatches } from "./record-batch.ts";
import { verifyBatch } from "./record-batch-decode.ts";
import type { EpochStart, PartitionState, StoredBatch } from "./storage.ts";
import { MAX_BATCH_BYTES } from "./topic-config.ts";

export interface MirroredBatch {
  header: BatchHeader;
  bytes: Uint8Array;
}

/** What one mirrored append stores and how it changes the partition. */
export interface MirrorPlan {
  batches: StoredBatch[];
  results: AppendedBatch[];
  epochStart: EpochStart | undefined;
  logEndOffset: number;
  timeIndex: number;
}

/**
 * Splits and checks mirrored batches before they wait for the writer: each intact, at most one
 * storage row, offsets increasing. An empty body is allowed only with `endOffset` (moving the end
 * past an emptied upstream tail), which must not fall before the last batch's end.
 */
export function parseMirroredBatches(bytes: Uint8Array, endOffset?: number): MirroredBatch[] {
  if (endOffset !== undefined && (!Number.isSafeInteger(endOffset) || endOffset < 0)) {
    throw new RillError("INVALID_REQUEST", `mirror end offset ${endOffset} is not an offset`);
  }
  if (bytes.length === 0 && endOffset !== undefined) return [];
  const parts = splitBatches(bytes);
  let end = Number.NEGATIVE_INFINITY;
  for (const p of parts) {
    if (p.header.sizeInBytes > MAX_BATCH_BYTES) {
      throw new RillError("MESSAGE_TOO_LARGE", `a ${p.header.sizeInBytes}-byte batch exceeds the ${MAX_BATCH_BYTES}-byte row limit`);
    }
    verifyBatch(p.bytes, { maxDecompressedBytes: MAX_BATCH_BYTES * 64 });
    if (p.header.baseOffset < 0 || p.header.baseOffset < end) {
      throw new RillError("CORRUPT_MESSAGE", `mirrored batch at ${p.header.baseOffset} does not follow the one ending at ${end - 1}`);
    }
    end = lastOffsetOf(p.header) + 1;
  }
  if (endOffset !== undefined && endOffset < end) {
    throw new RillError("INVALID_REQUEST", `mirror end offset ${endOffset} falls before the last batch's end ${end}`);
  }
  return parts;
}

/**
 * Plans the append against the partition as the writer sees it. The first batch must start at
 * or after the log end (CONCURRENT_APPEND otherwise, with the end in details, so a downloader can
 * resume from there); the new end is the last batch's end, or `endOffset` when later.
 */
export function planMirroredAppend(parts: readonly MirroredBatch[], state: PartitionState, endOffset?: number): MirrorPlan {
  const logEndOffset = state.logEndOffset;
  const first = parts[0]?.header.baseOffset ?? endOffset ?? logEndOffset;
  if (first < logEndOffset) {
    throw new RillError("CONCURRENT_APPEND", `mirrored append at ${first} falls before this log's end ${logEndOffset}`, { logEndOffset });
  }
  const plan: MirrorPlan = { batches: [], results: [], epochStart: undefined, logEndOffset, timeIndex: state.timeIndex };
  let lastEpoch = state.epochs[state.epochs.length - 1]?.epoch ?? -1;
  for (const { header, bytes } of parts) {
    const lastOffset = lastOffsetOf(header);
    // the first new epoch is the one recorded (a storage call records at most one boundary), as for replicas
    if (!plan.epochStart && header.partitionLeaderEpoch > lastEpoch) {
      plan.epochStart = { epoch: header.partitionLeaderEpoch, startOffset: header.baseOffset };
      lastEpoch = header.partitionLeaderEpoch;
    }
    plan.timeIndex = Math.max(plan.timeIndex, header.maxTimestamp);
    plan.batches.push({ baseOffset: header.baseOffset, lastOffset, timeIndex: plan.timeIndex, bytes });
    plan.results.push({ baseOffset: header.baseOffset, lastOffset, duplicate: false });
    plan.logEndOffset = lastOffset + 1;
  }
  plan.logEndOffset = Math.max(plan.logEndOffset, endOffset ?? 0);
  return plan;
}
