// Committed consumer-group offsets, keyed [group, topic, partition] so one group's offsets (or one
// topic's within it) are a single key range.

import type { CommittedOffset } from "@rill/core";
import type { KeyRanges } from "./keys.ts";
import type { Db } from "./schema.ts";
import { collectWrites, inTransaction } from "./transaction.ts";

export interface OffsetStore {
  commitOffsets(group: string, offsets: CommittedOffset[]): Promise<void>;
  fetchOffsets(group: string): Promise<CommittedOffset[]>;
  deleteOffsets(group: string, topic?: string): Promise<void>;
}

export function createOffsetStore(db: Db, ranges: KeyRanges): OffsetStore {
  return {
    commitOffsets: (group, offsets) =>
      inTransaction(db, ["offsets"], "readwrite", async (tx) => {
        const writes = collectWrites();
        for (const o of offsets) writes.add(tx.objectStore("offsets").put(o, [group, o.topic, o.partition]));
        await writes.settle();
      }),

    fetchOffsets: (group) => inTransaction(db, ["offsets"], "readonly", (tx) => tx.objectStore("offsets").getAll(ranges.prefix(group))),

    deleteOffsets: (group, topic) =>
      inTransaction(db, ["offsets"], "readwrite", async (tx) => {
        await tx.objectStore("offsets").delete(topic === undefined ? ranges.prefix(group) : ranges.prefix(group, topic));
      }),
  };
}
