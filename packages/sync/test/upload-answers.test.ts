// The uploader's reading of the edge's answers: each answer and error maps to one verdict.
import { type ErrorCode, RillError } from "@rill/core";
import { describe, expect, it } from "vitest";
import { judgeAnswer, type SentBatch } from "../src/upload-answers.ts";

const alone: SentBatch = { baseOffset: 100, earlierPending: false, epochBase: 40 };
const behindAnother: SentBatch = { ...alone, earlierPending: true };
const refusal = (code: ErrorCode, details?: Record<string, unknown>) => ({ error: new RillError(code, code, details) });

describe("judgeAnswer", () => {
  it("reads a stored batch's edge offsets, and whether an earlier attempt stored it", () => {
    const answer = (duplicate: boolean) => ({
      answer: { baseOffset: 7, lastOffset: 9, batches: [{ baseOffset: 7, lastOffset: 9, duplicate }] },
    });
    expect(judgeAnswer(answer(false), alone)).toEqual({ kind: "stored", edgeBase: 7, edgeLast: 9, duplicate: false });
    expect(judgeAnswer(answer(true), alone)).toEqual({ kind: "stored", edgeBase: 7, edgeLast: 9, duplicate: true });
  });

  it("refuses an answer without a batch", () => {
    expect(() => judgeAnswer({ answer: { baseOffset: 0, lastOffset: 0, batches: [] } }, alone)).toThrow(
      expect.objectContaining({ code: "UNKNOWN_SERVER_ERROR" }),
    );
  });

  it("takes a duplicate sequence as stored before", () => {
    expect(judgeAnswer(refusal("DUPLICATE_SEQUENCE_NUMBER"), alone)).toEqual({ kind: "stored-before" });
  });

  it("retries what is retriable, what is not a Rill error, and a sequence refusal behind an unanswered batch", () => {
    expect(judgeAnswer(refusal("NOT_LEADER_OR_FOLLOWER"), alone).kind).toBe("retry");
    expect(judgeAnswer({ error: new Error("socket hang up") }, alone).kind).toBe("retry");
    expect(judgeAnswer(refusal("OUT_OF_ORDER_SEQUENCE_NUMBER", { expectedSequence: 0 }), behindAnother).kind).toBe("retry");
    expect(judgeAnswer(refusal("UNKNOWN_PRODUCER_ID"), behindAnother).kind).toBe("retry");
  });

  it("rewinds to the sequence the edge expects when that lies before the batch, and waits otherwise", () => {
    expect(judgeAnswer(refusal("OUT_OF_ORDER_SEQUENCE_NUMBER", { expectedSequence: 20 }), alone)).toMatchObject({ kind: "rewind", to: 60 });
    // expecting a sequence past this batch, or with no identity to place it: nothing to rewind to
    expect(judgeAnswer(refusal("OUT_OF_ORDER_SEQUENCE_NUMBER", { expectedSequence: 70 }), alone).kind).toBe("refused");
    expect(judgeAnswer(refusal("OUT_OF_ORDER_SEQUENCE_NUMBER", { expectedSequence: 20 }), { ...alone, epochBase: undefined }).kind).toBe(
      "refused",
    );
  });

  it("names a forgotten producer, a fenced one, and a plain refusal", () => {
    expect(judgeAnswer(refusal("UNKNOWN_PRODUCER_ID"), alone).kind).toBe("unknown-producer");
    expect(judgeAnswer(refusal("PRODUCER_FENCED"), alone).kind).toBe("fenced");
    expect(judgeAnswer(refusal("INVALID_PRODUCER_EPOCH"), alone).kind).toBe("fenced");
    expect(judgeAnswer(refusal("MESSAGE_TOO_LARGE"), alone)).toMatchObject({ kind: "refused", error: { code: "MESSAGE_TOO_LARGE" } });
  });
});
