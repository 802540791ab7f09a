// Test fixtures for the sync engine: a local side (@rill/node's in-process broker on memory or fake
// IndexedDB storage, with the engine's retention floor), an edge reached through a misbehaving
// TCP proxy, record ids the fault checker understands, and reads of both logs.

import type { Storage } from "@rill/core";
import { createNodeBroker } from "@rill/node";
import type { LocalBroker } from "@rill/server";
import { createMemoryStorage } from "@rill/storage-memory";
import { createRetentionFloor, createSyncEngine, type SyncEngine, type SyncEngineOptions } from "../src/index.ts";

export interface LocalSide {
  storage: Storage;
  broker: LocalBroker;
  fetch: (input: string, init?: RequestInit) => Promise<Response>;
  close(): Promise<void>;
}

/** An in-process broker over `storage`, whose retention keeps what the outboxes have not uploaded. */
export function createLocalSide(storage: Storage = createMemoryStorage(), outboxes: string[] = []): LocalSide {
  const node = createNodeBroker({ storage, retentionFloor: createRetentionFloor(storage, outboxes), maintenanceIntervalMs: 3_600_000 });
  return {
    storage,
    broker: node.broker,
    fetch: (input, init) => node.fetch(new URL(input, "http://rill.local"), init),
    // the storage outlives a broker in these tests (a restart reopens it), so closing is the caller's choice
    close: async () => undefined,
  };
}

export function engineOn(
  local: LocalSide,
  edgeUrls: string[],
  sync: SyncEngineOptions["sync"],
  extra: Partial<SyncEngineOptions> = {},
): SyncEngine {
  return createSyncEngine({
    broker: local.broker,
    storage: local.storage,
    edge: { brokers: edgeUrls, requestTimeoutMs: 2_000 },
    sync,
    pollWaitMs: 500,
    maxBackoffMs: 400,
    warn: () => undefined,
    ...extra,
  });
}

export async function createTopic(
  fetchFn: (input: string, init?: RequestInit) => Promise<Response>,
  base: string,
  name: string,
  partitions: number,
  config: Record<string, string> = {},
): Promise<void> {
  const response = await fetchFn(`${base}/v1/topics`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name, partitions, replicationFactor: 1, config }),
  });
  if (response.status !== 201) throw new Error(`create ${name}: ${response.status} ${await response.text()}`);
}

export interface Sent {
  id: string;
  producer: number;
  seq: number;
  partition: number;
  offset: number;
}

/**
 * Produces `count` records to a local topic in requests of `perRequest` (one local batch per
 * partition per request), ids p<producer>-<seq>, and returns the local acknowledgements.
 */
export async function produceLocal(
  local: LocalSide,
  topic: string,
  options: { producer: number; from: number; count: number; perRequest: number; partitions: number },
): Promise<Sent[]> {
  const sent: Sent[] = [];
  for (let start = options.from; start < options.from + options.count; start += options.perRequest) {
    const seqs = Array.from({ length: Math.min(options.perRequest, options.from + options.count - start) }, (_, i) => start + i);
    const records = seqs.map((seq) => ({ key: `k${seq % 7}`, value: `p${options.producer}-${seq}`, partition: seq % options.partitions }));
    const response = await local.fetch(`/v1/topics/${topic}/records`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ records, acks: "all" }),
    });
    if (!response.ok) throw new Error(`local produce: ${response.status} ${await response.text()}`);
    const { offsets } = (await response.json()) as { offsets: Array<{ partition: number; offset: number }> };
    offsets.forEach((o, i) => {
      const seq = seqs[i] as number;
      sent.push({ id: `p${options.producer}-${seq}`, producer: options.producer, seq, partition: o.partition, offset: o.offset });
    });
  }
  return sent;
}

export interface ReadBack {
  id: string;
  partition: number;
  offset: number;
  key: string | null;
}

/** Every record of a topic, read as JSON from `base` (an edge URL, or a local side's fetch). */
export async function readTopic(
  fetchFn: (input: string, init?: RequestInit) => Promise<Response>,
  base: string,
  topic: string,
  partitions: number,
): Promise<ReadBack[]> {
  const out: ReadBack[] = [];
  for (let p = 0; p < partitions; p++) {
    const describe = (await (await fetchFn(`${base}/v1/topics/${topic}`)).json()) as { partitions: Array<{ logStartOffset: number }> };
    let offset = describe.partitions[p]?.logStartOffset ?? 0;
    for (;;) {
      const response = await fetchFn(`${base}/v1/topics/${topic}/partitions/${p}/records?offset=${offset}&maxBytes=1048576`);
      if (!response.ok) throw new Error(`read ${topic}/${p}@${offset}: ${response.status} ${await response.text()}`);
      const answer = (await response.json()) as {
        records: Array<{ offset: number; key: string | null; value: string }>;
        nextOffset: number;
        highWatermark: number;
      };
      for (const r of answer.records) out.push({ id: r.value, partition: p, offset: r.offset, key: r.key });
      if (answer.nextOffset >= answer.highWatermark || answer.nextOffset === offset) break;
      offset = answer.nextOffset;
    }
  }
  return out;
}

/** Stored batches of a partition as bytes, keyed by base offset (for byte-equality of replicas). */
export async function batchesOf(
  fetchFn: (input: string, init?: RequestInit) => Promise<Response>,
  base: string,
  topic: string,
  partition: number,
  from: number,
): Promise<Map<number, string>> {
  const { splitBatches } = await import("@rill/core");
  const out = new Map<number, string>();
  let offset = from;
  for (;;) {
    const response = await fetchFn(`${base}/v1/topics/${topic}/partitions/${partition}/records?offset=${offset}&maxBytes=1048576`, {
      headers: { accept: "application/vnd.rill.batches" },
    });
    if (!response.ok) throw new Error(`read ${topic}/${partition}@${offset}: ${response.status}`);
    const bytes = new Uint8Array(await response.arrayBuffer());
    const next = Number(response.headers.get("rill-next-offset"));
    const hw = Number(response.headers.get("rill-high-watermark"));
    for (const b of bytes.length ? splitBatches(bytes) : []) out.set(b.header.baseOffset, Buffer.from(b.bytes).toString("hex"));
    if (next >= hw || next === offset) return out;
    offset = next;
  }
}

/**
 * A storage that can "crash": from crash() on, every call fails and nothing more is written, as
 * when a browser process is killed. The underlying storage keeps what was written before, for the
 * next broker and engine to reopen.
 */
export function crashable(storage: Storage): { storage: Storage; crash(): void } {
  let crashed = false;
  const wrapped = new Proxy(storage, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        if (crashed) return Promise.reject(new Error("storage gone: the process crashed"));
        if (name === "close") return Promise.resolve();
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return {
    storage: wrapped,
    crash() {
      crashed = true;
    },
  };
}
