// The shared conformance suite on fake-indexeddb in Node. idb checks values against the global IDB*
// classes, so the fake is installed globally rather than only passed in.
import "fake-indexeddb/auto";
import type { Storage } from "@rill/core";
import { runStorageConformance } from "@rill/storage-conformance";
import { createIndexedDbStorage } from "../src/index.ts";

const names = new WeakMap<Storage, string>();
let counter = 0;

async function open(dbName: string): Promise<Storage> {
  const storage = await createIndexedDbStorage({ dbName, indexedDB });
  names.set(storage, dbName);
  return storage;
}

runStorageConformance({
  name: "indexeddb (fake-indexeddb)",
  // a database per storage, so "new, empty" holds even for fixed names like the restart case's
  create: () => open(`rill-conformance-${++counter}`),
  async reopen(storage) {
    const dbName = names.get(storage);
    if (dbName === undefined) throw new Error("reopen: storage was not created by this fixture");
    await storage.close();
    return open(dbName);
  },
});
