// A cache bounded in bytes: least recently used entries go first once the sizes of what it holds
// pass `maxBytes`. For per-isolate caches at the edge (topic metadata), which would otherwise keep
// an entry for every name ever asked for, for as long as the isolate lives.

export interface BoundedCache<K, V> {
  /** The value, marked as just used; undefined when absent. */
  get(key: K): V | undefined;
  /** Stores a value of about `bytes`; one larger than the whole bound is not kept. */
  set(key: K, value: V, bytes: number): void;
  delete(key: K): void;
  clear(): void;
  /** Entries held. */
  readonly size: number;
  /** Sum of the sizes of the entries held. */
  readonly bytes: number;
}

export function createBoundedCache<K, V>(maxBytes: number): BoundedCache<K, V> {
  // a Map iterates in insertion order: re-inserting on use keeps the least recently used first
  const entries = new Map<K, { value: V; bytes: number }>();
  let total = 0;
  const remove = (key: K) => {
    const entry = entries.get(key);
    if (!entry) return;
    entries.delete(key);
    total -= entry.bytes;
  };
  return {
    get(key) {
      const entry = entries.get(key);
      if (!entry) return undefined;
      entries.delete(key);
      entries.set(key, entry);
      return entry.value;
    },
    set(key, value, bytes) {
      remove(key);
      if (bytes > maxBytes) return;
      entries.set(key, { value, bytes });
      total += bytes;
      for (const [oldest] of entries) {
        if (total <= maxBytes) break;
        remove(oldest);
      }
    },
    delete: remove,
    clear() {
      entries.clear();
      total = 0;
    },
    get size() {
      return entries.size;
    },
    get bytes() {
      return total;
    },
  };
}
