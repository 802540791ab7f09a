// The shared conformance suite on Chromium's real IndexedDB.
import type { Storage } from "@rill/core";
import { runStorageConformance } from "@rill/storage-conformance";
import { createIndexedDbStorage } from "@rill/storage-indexeddb";

const names = new WeakMap<Storage, string>();
// a run-unique prefix, so databases left in the profile by an earlier run are never reused
const run = Math.random().toString(36).slice(2, 8);
let counter = 0;

async function open(dbName: string): Promise<Storage> {
  const storage = await createIndexedDbStorage({ dbName, indexedDB });
  names.set(storage, dbName);
  return storage;
}

runStorageConformance({
  name: "indexeddb (chromium)",
  // a database per storage, so "new, empty" holds even for fixed names like the restart case's
  create: () => open(`rill-conformance-${run}-${++counter}`),
  async reopen(storage) {
    const dbName = names.get(storage);
    if (dbName === undefined) throw new Error("reopen: storage was not created by this fixture");
    await storage.close();
    return open(dbName);
  },
});
