// IndexedDB robustness on fake-indexeddb in Node, with what only the fake can simulate: a commit
// aborted for quota (its internal abort with an error name) and a connection the browser closes.
import "fake-indexeddb/auto";
import { forceCloseDatabase } from "fake-indexeddb";
import { robustnessCases } from "./robustness-cases.ts";

robustnessCases("fake-indexeddb", indexedDB, {
  // its types ask for the class (typeof FDBDatabase) where it takes a connection
  forceClose: (db) => forceCloseDatabase(db as unknown as Parameters<typeof forceCloseDatabase>[0]),
  // fake-indexeddb 6.2.8's FDBTransaction._abort(name) is the spec's "abort a transaction with error"
  abortWithQuota: (tx) => (tx as unknown as { _abort(name: string): void })._abort("QuotaExceededError"),
});
