// Key ranges over the compound keys of the schema. Arrays sort after every number and string in
// IndexedDB's key order, so `[...prefix, []]` is an upper bound above every key that starts with
// prefix; and a longer key sorts after its own prefix, so the same trick makes an inclusive upper
// bound hold for the batch store's keys and for the longer keys of its `meta` index alike.

/** The ranges each store is read and deleted by. */
export interface KeyRanges {
  /** Batches (or producers) of one partition whose second key part lies in [from, to] (or [from, to)). */
  partition(partition: string, from?: number, to?: number, toOpen?: boolean): IDBKeyRange;
  /** Every key that starts with `prefix` (a group's offsets, a namespace's documents). */
  prefix(...prefix: Array<string | number>): IDBKeyRange;
}

/**
 * Builds the ranges with the host's IDBKeyRange. idb itself checks values against the host's IDB*
 * classes, so the key range class has to come from the same place as the factory's objects.
 */
export function createKeyRanges(keyRange: typeof IDBKeyRange | undefined = globalThis.IDBKeyRange): KeyRanges {
  if (!keyRange) {
    throw new TypeError("IndexedDB storage needs the IDB* globals (in Node, import 'fake-indexeddb/auto' first)");
  }
  return {
    partition: (partition, from = -Infinity, to = Infinity, toOpen = false) =>
      toOpen ? keyRange.bound([partition, from], [partition, to], false, true) : keyRange.bound([partition, from], [partition, to, []]),
    prefix: (...prefix) => keyRange.bound(prefix, [...prefix, []]),
  };
}
