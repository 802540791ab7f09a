// What the edge's answer to one uploaded batch means, decided from the answer alone: stored (now, or
// before), send again, rewind, recover the producer, check for a newer identity, or wait.

import { isRillError, RillError } from "@rill/core";
import type { EdgeProduceAnswer } from "./edge.ts";

export type Outcome = { answer: EdgeProduceAnswer } | { error: unknown };

export type AnswerVerdict =
  /** Stored at these edge offsets; `duplicate`: by an earlier attempt, whose bytes should match ours. */
  | { kind: "stored"; edgeBase: number; edgeLast: number; duplicate: boolean }
  /** Older than the edge's memory of this producer, which refuses gaps: it is stored, offsets unknown. */
  | { kind: "stored-before" }
  /** Retriable, not a Rill error, or a refusal that may come from overtaking an earlier batch. */
  | { kind: "retry"; error: unknown }
  /** The edge lost acknowledged records: send again from local offset `to`. */
  | { kind: "rewind"; to: number; error: RillError }
  /** The edge forgot this producer (topic re-created, fresh edge state). */
  | { kind: "unknown-producer"; error: RillError }
  /** Someone took the transactional id: a newer identity of ours, or another device. */
  | { kind: "fenced"; error: RillError }
  /** Not retriable as such (too large, unknown topic, refused auth): wait, since the edge or the app may change. */
  | { kind: "refused"; error: RillError };

export interface SentBatch {
  /** Local offset of the batch's first record. */
  baseOffset: number;
  /** An earlier batch was still unanswered when this one left: its refusal may be a reordering. */
  earlierPending: boolean;
  /** The local offset of sequence 0 in the producer's epoch (undefined: no identity). */
  epochBase: number | undefined;
}

export function judgeAnswer(outcome: Outcome, sent: SentBatch): AnswerVerdict {
  if ("answer" in outcome) {
    const result = outcome.answer.batches[0];
    if (!result) throw new RillError("UNKNOWN_SERVER_ERROR", "the edge answered a produce without a batch");
    return { kind: "stored", edgeBase: result.baseOffset, edgeLast: result.lastOffset, duplicate: result.duplicate };
  }
  const error = outcome.error;
  if (isRillError(error, "DUPLICATE_SEQUENCE_NUMBER")) return { kind: "stored-before" };
  const reordered =
    sent.earlierPending && (isRillError(error, "OUT_OF_ORDER_SEQUENCE_NUMBER") || isRillError(error, "UNKNOWN_PRODUCER_ID"));
  if (reordered || !isRillError(error) || error.retriable) return { kind: "retry", error };
  if (isRillError(error, "OUT_OF_ORDER_SEQUENCE_NUMBER")) {
    const expected = error.details?.expectedSequence;
    if (sent.epochBase !== undefined && typeof expected === "number" && sent.epochBase + expected < sent.baseOffset) {
      return { kind: "rewind", to: sent.epochBase + expected, error };
    }
  }
  if (isRillError(error, "UNKNOWN_PRODUCER_ID")) return { kind: "unknown-producer", error };
  if (isRillError(error, "PRODUCER_FENCED") || isRillError(error, "INVALID_PRODUCER_EPOCH")) return { kind: "fenced", error };
  return { kind: "refused", error };
}
