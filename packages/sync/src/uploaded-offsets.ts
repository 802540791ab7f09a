// What the uploader tells callers about uploaded records: where recent local batches landed on the
// edge, and who waits for a local offset to be uploaded.

import type { RillError } from "@rill/core";

/** Enough for any record an app still holds an acknowledgement of; older ones answer -1. */
const REMEMBERED_BATCHES = 10_000;

export interface UploadedOffsets {
  /** Local batch [base, last] is on the edge from `edgeBase` (-1: stored, its offsets not known). */
  remember(base: number, last: number, edgeBase: number): void;
  /** The edge offset of an uploaded local offset, -1 when not known. */
  edgeOffsetOf(localOffset: number): number;
  /** Resolves once a settle passes `localOffset`; rejects with a settle's failure, or on abort. */
  wait(localOffset: number, signal?: AbortSignal): Promise<void>;
  /** Resolves the waiters below `acked`; with `failure`, rejects the others with what it makes. */
  settle(acked: number, failure: (() => RillError) | null): void;
}

export function createUploadedOffsets(): UploadedOffsets {
  const landed: Array<{ base: number; last: number; edgeBase: number }> = [];
  const waiters = new Set<{ offset: number; resolve: () => void; reject: (e: unknown) => void }>();
  return {
    remember(base, last, edgeBase) {
      landed.push({ base, last, edgeBase });
      if (landed.length > REMEMBERED_BATCHES) landed.splice(0, landed.length - REMEMBERED_BATCHES);
    },
    edgeOffsetOf(localOffset) {
      for (let i = landed.length - 1; i >= 0; i--) {
        const e = landed[i] as (typeof landed)[number];
        if (localOffset >= e.base && localOffset <= e.last) return e.edgeBase < 0 ? -1 : e.edgeBase + (localOffset - e.base);
        if (e.last < localOffset) break;
      }
      return -1;
    },
    wait(localOffset, signal) {
      return new Promise<void>((resolve, reject) => {
        const waiter = { offset: localOffset, resolve, reject };
        waiters.add(waiter);
        signal?.addEventListener(
          "abort",
          () => {
            waiters.delete(waiter);
            reject(signal.reason);
          },
          { once: true },
        );
      });
    },
    settle(acked, failure) {
      for (const w of waiters) {
        if (acked > w.offset) {
          waiters.delete(w);
          w.resolve();
        } else if (failure) {
          waiters.delete(w);
          w.reject(failure());
        }
      }
    },
  };
}
