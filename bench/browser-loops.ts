// The timed loops of bench:browser, run in the page and in workers: the raw IndexedDB ceiling (one
// readwrite transaction per put of the same batch bytes, awaited to completion), the storage
// backend's append, and the producer's send through the browser broker.

import type { Producer } from "@rill/client";
import type { Storage } from "@rill/core";
import type { Fixture, Loop, Measured } from "./core-shared.ts";

/** Opens (creating) a database with one out-of-line-keyed store, for the raw loop. */
export function openRawDb(name: string): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(name, 1);
    request.onupgradeneeded = () => request.result.createObjectStore("raw");
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

export function deleteDb(name: string): Promise<void> {
  return new Promise((resolve) => {
    const request = indexedDB.deleteDatabase(name);
    request.onsuccess = request.onerror = request.onblocked = () => resolve();
  });
}

/** The ceiling: `put({k, bytes})` of the scenario's batch bytes, one transaction each, awaited until committed. */
export function rawPutLoop(db: IDBDatabase, fixture: Fixture, durability: IDBTransactionDurability, latencies?: number[]): Loop {
  const { batches } = fixture;
  let key = 0;
  return {
    step: (i) =>
      new Promise<void>((resolve, reject) => {
        const started = performance.now();
        const k = key++;
        const tx = db.transaction("raw", "readwrite", { durability });
        tx.objectStore("raw").put({ k, bytes: batches[i % batches.length] }, k);
        tx.oncomplete = () => {
          latencies?.push(performance.now() - started);
          resolve();
        };
        tx.onerror = tx.onabort = () => reject(tx.error);
      }),
    recordsPerStep: fixture.records[0]?.length ?? 0,
    bytesPerStep: fixture.batchBytes,
  };
}

/** The storage backend alone: storage.append of the same bytes, stamped at the log end as the log would. */
export function storageAppendLoop(storage: Storage, partition: string, fixture: Fixture): Loop {
  const { batches, now } = fixture;
  const perBatch = fixture.records[0]?.length ?? 0;
  let end = 0;
  return {
    step(i) {
      const baseOffset = end;
      end += perBatch;
      const batch = { baseOffset, lastOffset: baseOffset + perBatch - 1, timeIndex: now, bytes: batches[i % batches.length] as Uint8Array };
      return storage.append(partition, { expectedEndOffset: baseOffset, batches: [batch], producers: [] });
    },
    recordsPerStep: perBatch,
    bytesPerStep: fixture.batchBytes,
  };
}

/** producer.send of one batch's records, awaited one by one (acks=all); each send's time is kept. */
export function sendLoop(producer: Producer<Uint8Array, Uint8Array>, topic: string, fixture: Fixture, latencies?: number[]): Loop {
  const messages = fixture.records.map((list) => list.map((r) => ({ value: r.value as Uint8Array })));
  return {
    async step(i) {
      const started = performance.now();
      await producer.send({ topic, acks: -1, messages: messages[i % messages.length] as Array<{ value: Uint8Array }> });
      latencies?.push(performance.now() - started);
    },
    recordsPerStep: fixture.records[0]?.length ?? 0,
    bytesPerStep: fixture.batchBytes,
  };
}

/** Keeps `concurrency` calls of `step` running for at least `ms` (or until `maxSteps` started). */
export async function timePool(loop: Loop, concurrency: number, ms: number, maxSteps: number): Promise<Measured> {
  const t0 = performance.now();
  let started = 0;
  const lane = async () => {
    while (started < maxSteps && performance.now() - t0 < ms) await loop.step(started++);
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  const elapsed = performance.now() - t0;
  return { records: started * loop.recordsPerStep, bytes: started * loop.bytesPerStep, ms: elapsed, commitMs: 0 };
}

/** The p-th percentile (0..100) of `values`, or undefined without values. */
export function percentile(values: readonly number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
