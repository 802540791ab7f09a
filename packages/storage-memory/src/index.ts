// In-memory backend of the storage seam: for tests, tools and embedding. Arrays sorted by offset,
// binary search for reads. Values are copied in and out so callers cannot mutate stored state.

import {
  type AppendRequest,
  type BatchMeta,
  type CommittedOffset,
  checkAppend,
  checkReset,
  type EpochStart,
  emptyPartitionState,
  type PartitionState,
  type ProducerEntry,
  type Storage,
  type StoredBatch,
  type StoredDocument,
} from "@rill/core";

interface MemoryPartition {
  logStartOffset: number;
  logEndOffset: number;
  sizeInBytes: number;
  batches: StoredBatch[];
  producers: Map<number, ProducerEntry>;
  epochs: EpochStart[];
}

/** Index of the first batch with lastOffset >= offset (batches.length if none). */
function firstEndingAtOrAfter(batches: StoredBatch[], offset: number): number {
  let lo = 0;
  let hi = batches.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((batches[mid] as StoredBatch).lastOffset < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const clone = <T>(value: T): T => structuredClone(value);

/** Creates an empty in-memory storage. */
export function createMemoryStorage(): Storage {
  const partitions = new Map<string, MemoryPartition>();
  const offsets = new Map<string, Map<string, CommittedOffset>>();
  const documents = new Map<string, StoredDocument>();

  function partitionOf(name: string): MemoryPartition {
    let p = partitions.get(name);
    if (!p) {
      p = { logStartOffset: 0, logEndOffset: 0, sizeInBytes: 0, batches: [], producers: new Map(), epochs: [] };
      partitions.set(name, p);
    }
    return p;
  }

  const docKey = (namespace: string, id: string) => `${namespace}\u0000${id}`;

  return {
    async loadPartition(name): Promise<PartitionState> {
      const p = partitions.get(name);
      if (!p) return emptyPartitionState();
      const last = p.batches[p.batches.length - 1];
      return {
        logStartOffset: p.logStartOffset,
        logEndOffset: p.logEndOffset,
        sizeInBytes: p.sizeInBytes,
        timeIndex: last ? last.timeIndex : -1,
        producers: clone([...p.producers.values()]),
        epochs: clone(p.epochs),
      };
    },

    async append(name, request: AppendRequest) {
      const p = partitionOf(name);
      const end = checkAppend(p.logEndOffset, request);
      for (const b of request.batches) {
        p.batches.push({ ...b, bytes: b.bytes.slice() });
        p.sizeInBytes += b.bytes.length;
      }
      p.logEndOffset = end;
      for (const id of request.expiredProducers ?? []) p.producers.delete(id);
      for (const entry of request.producers) p.producers.set(entry.producerId, clone(entry));
      if (request.epochStart) p.epochs.push({ ...request.epochStart });
    },

    async read(name, fromOffset, maxBytes) {
      const p = partitions.get(name);
      if (!p) return [];
      const out: StoredBatch[] = [];
      let size = 0;
      for (let i = firstEndingAtOrAfter(p.batches, fromOffset); i < p.batches.length && (out.length === 0 || size < maxBytes); i++) {
        const b = p.batches[i] as StoredBatch;
        out.push({ ...b, bytes: b.bytes.slice() });
        size += b.bytes.length;
      }
      return out;
    },

    async scan(name, fromOffset, limit) {
      const p = partitions.get(name);
      if (!p) return [];
      const start = firstEndingAtOrAfter(p.batches, fromOffset);
      return p.batches
        .slice(start, start + limit)
        .map(
          (b): BatchMeta => ({ baseOffset: b.baseOffset, lastOffset: b.lastOffset, timeIndex: b.timeIndex, sizeInBytes: b.bytes.length }),
        );
    },

    async findByTime(name, timestamp) {
      const batches = partitions.get(name)?.batches ?? [];
      let lo = 0;
      let hi = batches.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if ((batches[mid] as StoredBatch).timeIndex < timestamp) lo = mid + 1;
        else hi = mid;
      }
      const b = batches[lo];
      return b ? { ...b, bytes: b.bytes.slice() } : null;
    },

    async truncateHead(name, newStartOffset) {
      const p = partitionOf(name);
      const target = Math.min(newStartOffset, p.logEndOffset);
      if (target <= p.logStartOffset) return;
      const cut = firstEndingAtOrAfter(p.batches, target);
      for (const b of p.batches.slice(0, cut)) p.sizeInBytes -= b.bytes.length;
      p.batches.splice(0, cut);
      p.logStartOffset = target;
    },

    async truncateTail(name, fromOffset, producers) {
      const p = partitionOf(name);
      if (fromOffset >= p.logEndOffset) return;
      p.producers = new Map(producers.map((e) => [e.producerId, clone(e)]));
      const keep = p.batches.findIndex((b) => b.baseOffset >= fromOffset);
      const cut = keep === -1 ? p.batches.length : keep;
      for (const b of p.batches.slice(cut)) p.sizeInBytes -= b.bytes.length;
      p.batches.splice(cut);
      p.logEndOffset = Math.max(fromOffset, p.logStartOffset);
      p.epochs = p.epochs.filter((e) => e.startOffset < fromOffset);
    },

    async replace(name, fromOffset, toOffset, batches) {
      const p = partitionOf(name);
      const kept = p.batches.filter((b) => b.baseOffset < fromOffset || b.lastOffset > toOffset);
      const merged = [...kept, ...batches.map((b) => ({ ...b, bytes: b.bytes.slice() }))];
      merged.sort((a, b) => a.baseOffset - b.baseOffset);
      p.batches = merged;
      p.sizeInBytes = merged.reduce((n, b) => n + b.bytes.length, 0);
    },

    async resetTo(name, offset, options) {
      const p = partitionOf(name);
      checkReset(p.logEndOffset, offset, options);
      Object.assign(p, { logStartOffset: offset, logEndOffset: offset, sizeInBytes: 0, batches: [], producers: new Map(), epochs: [] });
    },

    async dropPartition(name) {
      partitions.delete(name);
    },

    async commitOffsets(group, entries) {
      let g = offsets.get(group);
      if (!g) offsets.set(group, (g = new Map()));
      for (const o of entries) g.set(`${o.topic}\u0000${o.partition}`, { ...o });
    },

    async fetchOffsets(group) {
      return [...(offsets.get(group)?.values() ?? [])].map((o) => ({ ...o }));
    },

    async deleteOffsets(group, topic) {
      const g = offsets.get(group);
      if (!g) return;
      if (topic === undefined) offsets.delete(group);
      else for (const [k, o] of g) if (o.topic === topic) g.delete(k);
    },

    async getDocument<T>(namespace: string, id: string) {
      const d = documents.get(docKey(namespace, id));
      return d ? (clone(d) as StoredDocument<T>) : null;
    },

    async putDocument(namespace, id, expectedVersion, value) {
      const key = docKey(namespace, id);
      const current = documents.get(key)?.version ?? 0;
      if (current !== expectedVersion) return false;
      documents.set(key, { version: expectedVersion + 1, value: clone(value) });
      return true;
    },

    async deleteDocument(namespace, id) {
      documents.delete(docKey(namespace, id));
    },

    async listDocuments<T>(namespace: string) {
      const prefix = `${namespace}\u0000`;
      const out: Array<{ id: string } & StoredDocument<T>> = [];
      for (const [k, d] of documents) {
        if (k.startsWith(prefix)) out.push({ id: k.slice(prefix.length), ...(clone(d) as StoredDocument<T>) });
      }
      return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    },

    async close() {},
  };
}
