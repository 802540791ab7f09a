// Reads an outbox partition from the local broker, batch by batch from the send position, and
// long-polls it when there is nothing to send.

import { RillError, type StoredBatch } from "@rill/core";
import type { PartitionRef } from "@rill/server";
import type { LoopContext } from "./loop-context.ts";

const READ_BYTES = 1024 * 1024;

export interface OutboxReaderOptions extends Pick<LoopContext, "broker" | "signal" | "nudge" | "pollWaitMs"> {
  local: string;
  partition: number;
  /** The outbox partition, once the uploader has found it. */
  partitionRef: () => PartitionRef;
}

export interface OutboxReader {
  /** The batch at the send position, moving the position past it; undefined at the log end. */
  next(): Promise<StoredBatch | undefined>;
  /** Sending goes on from `offset`, a batch boundary; what was read ahead is dropped. */
  restartAt(offset: number): void;
  /** Nothing to send: long-polls until the log grows past the send position, a nudge, or a stop. */
  waitForMore(): Promise<void>;
  /** Long-polls (up to pollWaitMs) for the log to grow past its end as last seen. */
  watchEnd(): Promise<void>;
  /** The local log end as last seen. */
  end(): number;
  /** The log end as the partition's state gives it. */
  setEnd(offset: number): void;
}

export function createOutboxReader(o: OutboxReaderOptions): OutboxReader {
  let position = 0;
  let end = 0;
  let buffer: StoredBatch[] = [];

  const read = (offset: number, maxWaitMs: number) =>
    o.broker.fetch(o.partitionRef(), { offset, maxBytes: READ_BYTES, minBytes: 1, maxWaitMs });

  return {
    async next() {
      if (buffer.length === 0) {
        const answer = await read(position, 0);
        end = Math.max(end, answer.highWatermark);
        buffer = answer.batches.filter((b) => b.lastOffset >= position);
      }
      const batch = buffer[0];
      if (!batch) return undefined;
      if (batch.baseOffset !== position) {
        // the position is always at a batch boundary of the local log; if not, the log was rewritten
        throw new RillError("CORRUPT_MESSAGE", `outbox ${o.local}/${o.partition} has no batch starting at ${position}`);
      }
      buffer.shift();
      position = batch.lastOffset + 1;
      return batch;
    },
    restartAt(offset) {
      buffer = [];
      position = offset;
    },
    async waitForMore() {
      const from = position;
      const polling = read(from, o.pollWaitMs);
      polling.catch(() => undefined);
      let onStop = () => {};
      const stopped = new Promise<null>((resolve) => {
        onStop = () => resolve(null);
        if (o.signal.aborted) resolve(null);
        o.signal.addEventListener("abort", onStop, { once: true });
      });
      const answer = await Promise.race([polling, o.nudge.next().then(() => null), stopped]).finally(() =>
        o.signal.removeEventListener("abort", onStop),
      );
      // an abandoned poll changes nothing: the loop may have moved on meanwhile
      if (!answer) return;
      end = Math.max(end, answer.highWatermark);
      if (position === from && buffer.length === 0) buffer = answer.batches.filter((b) => b.lastOffset >= from);
    },
    async watchEnd() {
      const answer = await read(end, o.pollWaitMs);
      end = Math.max(end, answer.highWatermark);
    },
    end: () => end,
    setEnd(offset) {
      end = offset;
    },
  };
}
