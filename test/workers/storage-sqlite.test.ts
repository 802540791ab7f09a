// The storage conformance suite on Durable Object SQLite inside workerd. Every storage call runs
// inside a real SQLite-backed Durable Object (one transactionSync per call). A second run folds
// idempotent producer changes into the producer table after every other append, so the suite's
// producer, retention, compaction and restart cases also cover changes both folded and carried.
import { env, runInDurableObject } from "cloudflare:test";
import type { Storage } from "@rill/core";
import { runStorageConformance } from "@rill/storage-conformance";
import { createSqliteStorage, type SqliteStorageOptions } from "@rill/storage-sqlite";

function registerConformance(name: string, options: SqliteStorageOptions): void {
  const opened = new WeakMap<DurableObjectStorage, Storage>();

  function storageIn(stub: DurableObjectStub): Storage {
    return new Proxy({} as Storage, {
      // "then" must stay undefined, or `await storage` would treat the proxy as a promise
      get: (_target, method: keyof Storage | "then") =>
        method === "then"
          ? undefined
          : (...args: unknown[]) =>
              runInDurableObject(stub, (_instance, state: DurableObjectState) => {
                let storage = opened.get(state.storage);
                if (!storage) opened.set(state.storage, (storage = createSqliteStorage(state.storage, options)));
                return (storage[method] as (...a: unknown[]) => Promise<unknown>)(...args);
              }),
    });
  }

  const stubs = new WeakMap<Storage, DurableObjectStub>();

  runStorageConformance({
    name,
    async create() {
      const stub = env.STORAGE_TEST.get(env.STORAGE_TEST.newUniqueId());
      const storage = storageIn(stub);
      stubs.set(storage, stub);
      return storage;
    },
    async reopen(storage) {
      const stub = stubs.get(storage) as DurableObjectStub;
      // forget the storage object so the next call builds a new one over the same SQLite file
      await runInDurableObject(stub, (_i, state: DurableObjectState) => opened.delete(state.storage));
      const again = storageIn(stub);
      stubs.set(again, stub);
      return again;
    },
  });
}

registerConformance("durable object sqlite (workerd)", {});
registerConformance("durable object sqlite (workerd), producer changes folded every 2 appends", { producerFoldEvery: 2 });
