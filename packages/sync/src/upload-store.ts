// The uploader's persisted state for one outbox partition, one versioned document written by
// compare-and-set: the producer identity the edge knows this partition by, and the upload cursor.
// The identity is written before it is first used, so every later host derives the same requests
// from it. The cursor only moves forward, except on a deliberate rewind (the edge lost data).

import { RillError, type Storage } from "@rill/core";

export const SYNC_NAMESPACE = "rill-sync";

export interface UploadDoc {
  edgeTopic: string;
  /** The edge topic's id when this identity was taken (a re-created topic has a new one). */
  edgeTopicId: string;
  /** The local topic's id (an outbox deleted and created again restarts its offsets). */
  localTopicId: string;
  transactionalId: string;
  producerId: number;
  producerEpoch: number;
  /** The local offset whose edge sequence number is 0 in this epoch. */
  epochBase: number;
  /** Next local offset to upload: everything below it is on the edge. */
  acked: number;
  /** Edge offset of the last record uploaded, -1 when unknown. */
  lastEdgeOffset: number;
}

export interface UploadStore {
  load(): Promise<UploadDoc | null>;
  /** The document as last read or written. */
  current(): UploadDoc | null;
  /** Writes a new identity (after initProducer) with its cursor; false if another writer changed it first. */
  replace(next: UploadDoc): Promise<boolean>;
  /**
   * Moves the cursor forward (never back) under the current identity. Returns the stored document;
   * when another writer changed the identity meanwhile, returns theirs without writing.
   */
  advance(acked: number, lastEdgeOffset: number): Promise<UploadDoc>;
  /** Moves the cursor back (the edge lost acknowledged data). */
  rewind(acked: number): Promise<void>;
}

function sameIdentity(a: UploadDoc, b: UploadDoc): boolean {
  return a.producerId === b.producerId && a.producerEpoch === b.producerEpoch && a.epochBase === b.epochBase;
}

export function createUploadStore(storage: Storage, id: string): UploadStore {
  let doc: UploadDoc | null = null;
  let version = 0;

  async function load(): Promise<UploadDoc | null> {
    const stored = await storage.getDocument<UploadDoc>(SYNC_NAMESPACE, id);
    doc = stored?.value ?? null;
    version = stored?.version ?? 0;
    return doc;
  }

  async function write(next: UploadDoc): Promise<boolean> {
    if (await storage.putDocument(SYNC_NAMESPACE, id, version, next)) {
      doc = next;
      version++;
      return true;
    }
    return false;
  }

  return {
    load,
    current: () => doc,
    async replace(next) {
      if (await write(next)) return true;
      await load();
      return false;
    },
    async advance(acked, lastEdgeOffset) {
      for (let attempt = 0; attempt < 10; attempt++) {
        const mine = doc;
        if (!mine) throw new RillError("INVALID_REQUEST", `upload state ${id} has no identity to advance`);
        if (mine.acked >= acked && (lastEdgeOffset <= mine.lastEdgeOffset || mine.acked > acked)) return mine;
        const next = {
          ...mine,
          acked: Math.max(mine.acked, acked),
          lastEdgeOffset: mine.acked > acked ? mine.lastEdgeOffset : lastEdgeOffset,
        };
        if (await write(next)) return next;
        const before = mine;
        const stored = await load();
        if (!stored || !sameIdentity(stored, before)) return stored ?? before;
      }
      throw new RillError("CONCURRENT_APPEND", `upload state ${id} keeps changing under this writer`);
    },
    async rewind(acked) {
      for (let attempt = 0; attempt < 10; attempt++) {
        const mine = doc;
        if (!mine || mine.acked <= acked) return;
        if (await write({ ...mine, acked })) return;
        await load();
      }
    },
  };
}
