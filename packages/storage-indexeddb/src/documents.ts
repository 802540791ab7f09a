// Versioned JSON documents, keyed [namespace, id], written by compare-and-set inside one
// transaction so two writers holding the same version cannot both win.

import type { StoredDocument } from "@rill/core";
import type { KeyRanges } from "./keys.ts";
import type { Db } from "./schema.ts";
import { inTransaction } from "./transaction.ts";

export interface DocumentStore {
  getDocument<T>(namespace: string, id: string): Promise<StoredDocument<T> | null>;
  putDocument<T>(namespace: string, id: string, expectedVersion: number, value: T): Promise<boolean>;
  deleteDocument(namespace: string, id: string): Promise<void>;
  listDocuments<T>(namespace: string): Promise<Array<{ id: string } & StoredDocument<T>>>;
}

export function createDocumentStore(db: Db, ranges: KeyRanges): DocumentStore {
  return {
    getDocument: <T>(namespace: string, id: string) =>
      inTransaction(db, ["documents"], "readonly", async (tx) => {
        const doc = await tx.objectStore("documents").get([namespace, id]);
        return doc ? (doc as StoredDocument<T>) : null;
      }),

    putDocument: (namespace, id, expectedVersion, value) =>
      inTransaction(db, ["documents"], "readwrite", async (tx) => {
        const current = (await tx.objectStore("documents").get([namespace, id]))?.version ?? 0;
        if (current !== expectedVersion) return false;
        await tx.objectStore("documents").put({ version: expectedVersion + 1, value }, [namespace, id]);
        return true;
      }),

    deleteDocument: (namespace, id) =>
      inTransaction(db, ["documents"], "readwrite", async (tx) => {
        await tx.objectStore("documents").delete([namespace, id]);
      }),

    listDocuments: <T>(namespace: string) =>
      inTransaction(db, ["documents"], "readonly", async (tx) => {
        // keys and values of one range in one transaction come back in the same (id) order
        const store = tx.objectStore("documents");
        const range = ranges.prefix(namespace);
        const [keys, docs] = await Promise.all([store.getAllKeys(range), store.getAll(range)]);
        return docs.map((doc, i) => ({ id: (keys[i] as [string, string])[1], ...(doc as StoredDocument<T>) }));
      }),
  };
}
