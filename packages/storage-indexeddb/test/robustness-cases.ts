// IndexedDB robustness cases, shared by fake-indexeddb in Node and Chromium: a full disk, an
// upgrade blocked by an old tab, a connection closed under the storage, strict durability. What
// only one implementation can simulate comes in through `hooks`.
import { isRillError, type RillError, type Storage, type StoredBatch } from "@rill/core";
import { makeBatch } from "@rill/storage-conformance";
import { afterEach, describe, expect, it } from "vitest";
import { openRillDb } from "../src/connection.ts";
import { createIndexedDbStorage, type IndexedDbCloseEvent } from "../src/index.ts";

export interface RobustnessHooks {
  /** Closes a raw connection the way the browser does when it must (fires `close`). */
  forceClose?: (db: IDBDatabase) => void;
  /** Aborts a transaction with a QuotaExceededError as a commit that ran out of space would. */
  abortWithQuota?: (tx: IDBTransaction) => void;
}

const MB = 1 << 20;
let counter = 0;
const run = Math.random().toString(36).slice(2, 8);
const freshName = () => `rill-robustness-${run}-${++counter}`;

/** A raw connection, as an old version of the app holds it: it never closes on versionchange. */
function rawOpen(factory: IDBFactory, name: string, version: number): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = factory.open(name, version);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

/** A database at version 1 with Rill's schema, held open by an old tab that ignores versionchange. */
async function oldTab(factory: IDBFactory, name: string): Promise<IDBDatabase> {
  await (await createIndexedDbStorage({ dbName: name, indexedDB: factory })).close();
  return rawOpen(factory, name, 1);
}

/** Opens `version` and tells whether it went through at once or was blocked on the way. */
function openOrBlocked(factory: IDBFactory, name: string, version: number): Promise<"opened" | "blocked"> {
  return new Promise((resolve, reject) => {
    const request = factory.open(name, version);
    request.onblocked = () => resolve("blocked");
    request.onsuccess = () => {
      request.result.close();
      resolve("opened");
    };
    request.onerror = () => reject(request.error);
  });
}

/** Replaces `put` on every object store for one test; `afterEach` puts the original back. */
function patchPut(patch: (original: IDBObjectStore["put"]) => IDBObjectStore["put"]): void {
  const proto = globalThis.IDBObjectStore.prototype;
  const original = proto.put;
  proto.put = patch(original);
  restore.push(() => {
    proto.put = original;
  });
}
const restore: Array<() => void> = [];

export function robustnessCases(name: string, factory: IDBFactory, hooks: RobustnessHooks = {}): void {
  describe(`indexeddb robustness: ${name}`, () => {
    const opened: Array<Storage | IDBDatabase> = [];
    afterEach(async () => {
      for (const undo of restore.splice(0)) undo();
      for (const o of opened.splice(0)) await o.close();
    });
    const open = async (dbName: string, onClose?: (e: IndexedDbCloseEvent) => void) => {
      const storage = await createIndexedDbStorage({ dbName, indexedDB: factory, onClose });
      opened.push(storage);
      return storage;
    };
    const batch = (base: number): StoredBatch => makeBatch(base, 2);

    describe("quota", () => {
      async function expectQuotaRefusal(storage: Storage, p: string) {
        const before = await storage.loadPartition(p);
        const error = await storage.append(p, { expectedEndOffset: 2, batches: [batch(2)], producers: [] }).catch((e) => e);
        expect(isRillError(error, "KAFKA_STORAGE_ERROR")).toBe(true);
        expect((error as RillError).details).toEqual({ quotaExceeded: true });
        expect((error as RillError).retriable).toBe(true);
        for (const undo of restore.splice(0)) undo();
        // nothing of the refused write is there, and the same write goes through once space is back
        expect(await storage.loadPartition(p)).toEqual(before);
        expect((await storage.read(p, 0, MB)).map((b) => b.baseOffset)).toEqual([0]);
        await storage.append(p, { expectedEndOffset: 2, batches: [batch(2)], producers: [] });
        expect((await storage.read(p, 0, MB)).map((b) => b.baseOffset)).toEqual([0, 2]);
      }

      it("turns a request's QuotaExceededError into KAFKA_STORAGE_ERROR { quotaExceeded }, storing nothing", async () => {
        const storage = await open(freshName());
        await storage.append("q/0", { expectedEndOffset: 0, batches: [batch(0)], producers: [] });
        patchPut(
          (original) =>
            function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore["put"]>) {
              if (this.name === "batches") throw new DOMException("The quota has been exceeded.", "QuotaExceededError");
              return original.apply(this, args);
            },
        );
        await expectQuotaRefusal(storage, "q/0");
      });

      const abortWithQuota = hooks.abortWithQuota;
      if (abortWithQuota) {
        it("turns a commit aborted for quota into KAFKA_STORAGE_ERROR { quotaExceeded }, storing nothing", async () => {
          const storage = await open(freshName());
          await storage.append("q/0", { expectedEndOffset: 0, batches: [batch(0)], producers: [] });
          // every write of the append succeeds; then the transaction fails as a commit out of space does
          patchPut(
            (original) =>
              function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore["put"]>) {
                const request = original.apply(this, args);
                if (this.name === "partitions") request.addEventListener("success", () => abortWithQuota(this.transaction));
                return request;
              },
          );
          await expectQuotaRefusal(storage, "q/0");
        });
      }
    });

    describe("upgrades and closes", () => {
      it("fails an upgrade blocked by an old connection with STORAGE_UPGRADE_BLOCKED, and closes the late connection", async () => {
        const dbName = freshName();
        const old = await oldTab(factory, dbName);
        const error = await openRillDb(factory, dbName, { version: 2, upgradeBlockedTimeoutMs: 50 }).catch((e) => e);
        expect(isRillError(error, "STORAGE_UPGRADE_BLOCKED")).toBe(true);
        expect(error.details).toEqual({ upgradeBlocked: true });
        expect(error.retriable).toBe(true);
        // once the old tab goes, the abandoned open completes; its connection must not block the next upgrade
        old.close();
        expect(await openOrBlocked(factory, dbName, 3)).toBe("opened");
      });

      it("waits out a block that ends before the deadline", async () => {
        const dbName = freshName();
        const old = await oldTab(factory, dbName);
        // an old tab that gives way, but only after the upgrade has been blocked for a while
        old.onversionchange = () => setTimeout(() => old.close(), 50);
        const db = await openRillDb(factory, dbName, { version: 2, upgradeBlockedTimeoutMs: 30_000 });
        opened.push(db as unknown as IDBDatabase);
        expect(db.version).toBe(2);
        expect([...db.objectStoreNames].sort()).toEqual(["batches", "documents", "offsets", "partitions", "producers"]);
      });

      it("gives way to a newer version at once, then answers STORAGE_CLOSED { versionChange }", async () => {
        const dbName = freshName();
        const events: IndexedDbCloseEvent[] = [];
        const storage = await open(dbName, (e) => events.push(e));
        await storage.append("v/0", { expectedEndOffset: 0, batches: [batch(0)], producers: [] });
        // a write already running when the newer tab asks still completes
        const running = storage.append("v/0", { expectedEndOffset: 2, batches: [batch(2)], producers: [] });
        const newer = await rawOpen(factory, dbName, 2);
        opened.push(newer);
        await running;
        expect(events).toEqual([{ reason: "versionchange" }]);
        for (const call of [() => storage.loadPartition("v/0"), () => storage.getDocument("ns", "x"), () => storage.resetTo("v/0", 9)]) {
          const error = await call().catch((e) => e);
          expect(isRillError(error, "STORAGE_CLOSED")).toBe(true);
          expect(error.details).toEqual({ reason: "versionchange", versionChange: true });
          expect(error.retriable).toBe(false);
        }
        const row = await new Promise((resolve) => {
          const get = newer.transaction("partitions").objectStore("partitions").get("v/0");
          get.onsuccess = () => resolve(get.result);
        });
        expect(row).toMatchObject({ logEndOffset: 4 });
        // this code's schema is now older than the database: opening says so, typed
        const stale = await createIndexedDbStorage({ dbName, indexedDB: factory }).catch((e) => e);
        expect(isRillError(stale, "STORAGE_CLOSED")).toBe(true);
        expect(stale.details).toMatchObject({ versionChange: true, newerSchema: true });
      });

      it("answers STORAGE_CLOSED after close(), without calling onClose", async () => {
        const events: IndexedDbCloseEvent[] = [];
        const storage = await createIndexedDbStorage({ dbName: freshName(), indexedDB: factory, onClose: (e) => events.push(e) });
        await storage.close();
        const error = await storage.append("c/0", { expectedEndOffset: 0, batches: [batch(0)], producers: [] }).catch((e) => e);
        expect(isRillError(error, "STORAGE_CLOSED")).toBe(true);
        expect(error.details).toEqual({ reason: "closed" });
        expect(events).toEqual([]);
      });

      const forceClose = hooks.forceClose;
      if (forceClose) {
        it("reports a connection the browser closed, then answers STORAGE_CLOSED", async () => {
          let raw: IDBDatabase | undefined;
          const spying = {
            open(dbName: string, version?: number) {
              const request = factory.open(dbName, version);
              request.addEventListener("success", () => {
                raw = request.result;
              });
              return request;
            },
          } as IDBFactory;
          let closed!: (e: IndexedDbCloseEvent) => void;
          const reported = new Promise<IndexedDbCloseEvent>((resolve) => {
            closed = resolve;
          });
          const storage = await createIndexedDbStorage({ dbName: freshName(), indexedDB: spying, onClose: closed });
          opened.push(storage);
          forceClose(raw as IDBDatabase);
          expect(await reported).toEqual({ reason: "forced" });
          const error = await storage.loadPartition("f/0").catch((e) => e);
          expect(isRillError(error, "STORAGE_CLOSED")).toBe(true);
          expect(error.details).toEqual({ reason: "forced" });
        });
      }
    });

    it("asks every read-write transaction for strict durability", async () => {
      const proto = globalThis.IDBDatabase.prototype;
      const original = proto.transaction;
      const seen: Array<[IDBTransactionMode | undefined, string]> = [];
      proto.transaction = function (this: IDBDatabase, ...args: Parameters<IDBDatabase["transaction"]>) {
        const tx = original.apply(this, args);
        seen.push([args[1], tx.durability]);
        return tx;
      } as IDBDatabase["transaction"];
      restore.push(() => {
        proto.transaction = original;
      });
      const storage = await open(freshName());
      const producer = { producerId: 1, epoch: 0, batches: [], lastTimestamp: 0 };
      await storage.append("d/0", { expectedEndOffset: 0, batches: [batch(0)], producers: [producer] });
      await storage.append("d/0", { expectedEndOffset: 2, batches: [batch(5)], producers: [], allowGaps: true });
      await storage.replace("d/0", 5, 6, []);
      await storage.truncateTail("d/0", 5, []);
      await storage.truncateHead("d/0", 1);
      await storage.resetTo("d/0", 10);
      await storage.dropPartition("d/0");
      await storage.commitOffsets("g", [{ topic: "t", partition: 0, offset: 1, metadata: null, leaderEpoch: 0, commitTimestamp: 1 }]);
      await storage.deleteOffsets("g");
      await storage.putDocument("ns", "x", 0, 1);
      await storage.deleteDocument("ns", "x");
      await storage.loadPartition("d/0");
      const writes = seen.filter(([mode]) => mode === "readwrite");
      // the eleven methods, and the reserve written at open (reserve.ts)
      expect(writes.length).toBe(12);
      expect(writes.every(([, durability]) => durability === "strict")).toBe(true);
      expect(seen.some(([mode]) => mode === "readonly")).toBe(true);
    });
  });
}
