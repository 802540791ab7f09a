// The producer identity of one outbox partition: taken from the edge (POST /v1/producers with this
// device's transactional id), persisted before first use, and renewed only deliberately: when the
// edge forgot it (UNKNOWN_PRODUCER_ID: look first for what already landed, so nothing is written
// twice), when the local outbox was re-created, or when records were lost before upload.

import { RillError } from "@rill/core";
import type { PartitionRef } from "@rill/server";
import type { LoopContext } from "./loop-context.ts";
import { backoffMs, pause } from "./sleep.ts";
import { type CloneVerdict, compareWithEdge, type FoundBatch, sameRecords, scanForProducer } from "./upload-recovery.ts";
import type { UploadDoc, UploadStore } from "./upload-store.ts";

export interface UploadIdentityOptions extends Pick<LoopContext, "broker" | "edge" | "hub" | "signal" | "maxBackoffMs" | "warn"> {
  store: UploadStore;
  local: string;
  edgeTopic: string;
  partition: number;
  transactionalId: string;
}

export interface UploadIdentity {
  doc(): UploadDoc | null;
  /** Loads the identity, taking a new one when there is none or the old one cannot serve. */
  ensure(localTopicId: string, localLogStart: number): Promise<UploadDoc>;
  advance(acked: number, lastEdgeOffset: number): Promise<void>;
  rewind(acked: number): Promise<void>;
  /** After UNKNOWN_PRODUCER_ID: skip what already landed, then a new epoch from there. */
  recover(at: { cursor: number; lastEdgeOffset: number; scan: boolean }): Promise<UploadDoc>;
  /** A new epoch whose sequence 0 is local offset `cursor`. */
  reinitAt(cursor: number, lastEdgeOffset: number): Promise<UploadDoc>;
  /** The stored identity if another writer replaced ours with a newer one, else null. */
  reloadNewer(): Promise<UploadDoc | null>;
  /** Compares a batch answered `duplicate: true` with what the edge stores at its offset. */
  checkClone(bytes: Uint8Array, edgeBaseOffset: number): Promise<CloneVerdict>;
}

export function createUploadIdentity(o: UploadIdentityOptions): UploadIdentity {
  const where = { topic: o.local, partition: o.partition };
  let localTopicId = "";

  /** Retries an edge call until it succeeds or the engine stops. */
  async function persistently<T>(fn: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        const result = await fn();
        o.hub.contact();
        return result;
      } catch (error) {
        if (o.signal.aborted) throw error;
        o.hub.failure(error, where);
        await pause(backoffMs(attempt, o.maxBackoffMs), o.signal);
      }
    }
  }

  async function reinitAt(cursor: number, lastEdgeOffset: number): Promise<UploadDoc> {
    for (;;) {
      const info = await persistently(() => o.edge.describeTopic(o.edgeTopic, o.signal));
      const before = o.store.current();
      const id = await persistently(() => o.edge.initProducer(o.transactionalId, o.signal));
      const next: UploadDoc = {
        edgeTopic: o.edgeTopic,
        edgeTopicId: info.topicId,
        localTopicId,
        transactionalId: o.transactionalId,
        producerId: id.producerId,
        producerEpoch: id.producerEpoch,
        epochBase: cursor,
        acked: cursor,
        lastEdgeOffset,
      };
      if (await o.store.replace(next)) {
        if (before) o.hub.counters.reinits++;
        return next;
      }
      // another writer got there first: its identity stands if it is newer than what we had
      const theirs = o.store.current();
      if (theirs && theirs !== before) return theirs;
    }
  }

  /** The local batch at `offset`, if the local log still has one starting there. */
  async function localBatchAt(offset: number): Promise<Uint8Array | null> {
    const topic = await o.broker.topic(o.local);
    const ref: PartitionRef = { topic, partition: o.partition };
    const read = await o.broker.fetch(ref, { offset, maxBytes: 1, minBytes: 1, maxWaitMs: 0 }).catch(() => null);
    const batch = read?.batches.find((b) => b.baseOffset === offset);
    return batch?.bytes ?? null;
  }

  /** The longest run of found batches that continues the cursor and matches the local records. */
  async function confirmed(found: FoundBatch[], cursor: number): Promise<{ cursor: number; lastEdgeOffset: number | null }> {
    let at = cursor;
    let lastEdgeOffset: number | null = null;
    for (const batch of found.sort((a, b) => a.localBase - b.localBase)) {
      if (batch.localBase + batch.recordCount <= at) continue; // already behind the cursor
      if (batch.localBase !== at) break;
      const local = await localBatchAt(batch.localBase);
      if (!local || sameRecords(local, batch.bytes) !== "same") break;
      at = batch.localBase + batch.recordCount;
      lastEdgeOffset = batch.edgeLastOffset;
    }
    return { cursor: at, lastEdgeOffset };
  }

  return {
    doc: () => o.store.current(),

    async ensure(topicId, localLogStart) {
      localTopicId = topicId;
      const doc = await o.store.load();
      if (!doc) return reinitAt(localLogStart, -1);
      if (doc.localTopicId !== topicId) {
        o.warn(`rill sync: outbox ${o.local} was re-created; uploading its new records under a new epoch`);
        return reinitAt(localLogStart, -1);
      }
      if (doc.edgeTopic !== o.edgeTopic) {
        o.warn(
          `rill sync: outbox ${o.local} now uploads to ${o.edgeTopic} (was ${doc.edgeTopic}); records from local offset ${doc.acked} go there`,
        );
        return reinitAt(doc.acked, -1);
      }
      if (doc.acked < localLogStart) {
        o.hub.error(
          new RillError(
            "OFFSET_OUT_OF_RANGE",
            `outbox ${o.local}/${o.partition} deleted records ${doc.acked}..${localLogStart - 1} before they were uploaded`,
          ),
          where,
        );
        return reinitAt(localLogStart, doc.lastEdgeOffset);
      }
      return doc;
    },

    async advance(acked, lastEdgeOffset) {
      await o.store.advance(acked, lastEdgeOffset);
    },

    rewind: (acked) => o.store.rewind(acked),

    async recover(at) {
      const doc = o.store.current();
      if (!doc) return reinitAt(at.cursor, at.lastEdgeOffset);
      const info = await persistently(() => o.edge.describeTopic(o.edgeTopic, o.signal));
      const partition = info.partitions[o.partition];
      if (!partition) throw new RillError("UNKNOWN_TOPIC_OR_PARTITION", `edge topic ${o.edgeTopic} has no partition ${o.partition}`);
      const sameTopic = info.topicId === doc.edgeTopicId;
      let from = sameTopic && at.lastEdgeOffset >= 0 ? at.lastEdgeOffset + 1 : partition.logStartOffset;
      from = Math.min(Math.max(from, partition.logStartOffset), partition.highWatermark);
      let cursor = at.cursor;
      let lastEdgeOffset = sameTopic ? at.lastEdgeOffset : -1;
      if (at.scan && from < partition.highWatermark) {
        const found = await persistently(() =>
          scanForProducer(o.edge, { topic: o.edgeTopic, partition: o.partition, from }, doc, o.signal),
        );
        const run = await confirmed(found, cursor);
        if (run.cursor > cursor) {
          o.warn(
            `rill sync: ${o.edgeTopic}/${o.partition} already holds local records ${cursor}..${run.cursor - 1}; not sending them again`,
          );
        }
        cursor = run.cursor;
        lastEdgeOffset = run.lastEdgeOffset ?? lastEdgeOffset;
      }
      o.warn(`rill sync: the edge does not know the producer of ${o.edgeTopic}/${o.partition}; new epoch from local offset ${cursor}`);
      return reinitAt(cursor, lastEdgeOffset);
    },

    reinitAt,

    async reloadNewer() {
      const mine = o.store.current();
      const stored = await o.store.load();
      if (!stored || !mine) return null;
      const newer = stored.producerId !== mine.producerId || stored.producerEpoch > mine.producerEpoch;
      return newer ? stored : null;
    },

    async checkClone(bytes, edgeBaseOffset) {
      o.hub.counters.cloneChecks++;
      return compareWithEdge(o.edge, { topic: o.edgeTopic, partition: o.partition, edgeBaseOffset }, bytes, o.signal);
    },
  };
}
