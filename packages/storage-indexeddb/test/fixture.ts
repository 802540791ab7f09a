// The conformance fixture for IndexedDB, shared by the fake-indexeddb run (Node) and the Chromium run.
import type { Storage } from "@rill/core";
import type { StorageFixture } from "@rill/storage-conformance";
import { createIndexedDbStorage } from "../src/index.ts";

export function indexedDbFixture(name: string, factory: IDBFactory): StorageFixture {
  const names = new WeakMap<Storage, string>();
  // a run-unique prefix, so databases an earlier run left in a browser profile are never reused
  const run = Math.random().toString(36).slice(2, 8);
  let counter = 0;
  const open = async (dbName: string): Promise<Storage> => {
    const storage = await createIndexedDbStorage({ dbName, indexedDB: factory });
    names.set(storage, dbName);
    return storage;
  };
  return {
    name,
    // a database per storage, so "new, empty" holds even for fixed names like the restart case's
    create: () => open(`rill-conformance-${run}-${++counter}`),
    async reopen(storage) {
      const dbName = names.get(storage);
      if (dbName === undefined) throw new Error("reopen: storage was not created by this fixture");
      await storage.close();
      return open(dbName);
    },
  };
}
