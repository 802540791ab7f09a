// The offline test app: a page on @rill/browser with sync to the edge, driven by the test through
// window.rillTest. Every local acknowledgement is reported to the test at once (an exposed binding),
// so a SIGKILL can come at any moment and the test still knows what was promised.

import { type BrowserBroker, createBrowserBroker } from "@rill/browser";

declare global {
  interface Window {
    rillTest: typeof api;
    reportAcks?: (acks: Array<{ id: string; partition: number; offset: number }>) => Promise<void>;
  }
}

const DB = "offline-test";
let broker: BrowserBroker | undefined;
let producing = false;

function workerFor(mode: "shared" | "dedicated"): SharedWorker | Worker {
  return mode === "shared"
    ? new SharedWorker("/worker.js", { type: "module", name: `rill:${DB}` })
    : new Worker("/worker.js", { type: "module", name: `rill:${DB}` });
}

function opened(): BrowserBroker {
  if (!broker) throw new Error("open() first");
  return broker;
}

const api = {
  async open(o: {
    edge: string;
    mode?: "shared" | "dedicated";
    partitions: number;
    download?: boolean;
    outboxConfig?: Record<string, string>;
  }) {
    broker = await createBrowserBroker({
      name: DB,
      mode: o.mode,
      worker: workerFor,
      edge: { brokers: [o.edge], requestTimeoutMs: 3_000 },
      sync: { upload: [{ local: "outbox", edge: "orders" }], download: o.download === false ? [] : [{ edge: "orders" }] },
    });
    const created = await broker.fetch("/v1/topics", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "outbox", partitions: o.partitions, replicationFactor: 1, config: o.outboxConfig ?? {} }),
    });
    if (created.status !== 201 && created.status !== 409) throw new Error(`create outbox: ${created.status} ${await created.text()}`);
    return broker.status().host;
  },

  /** Produces records p<producer>-<seq> from `from` in requests of `perRequest` until `count` or stop(). */
  async produce(o: { producer: number; from: number; count: number; perRequest: number; partitions: number; pauseMs?: number }) {
    producing = true;
    let seq = o.from;
    while (producing && seq < o.from + o.count) {
      const seqs = Array.from({ length: Math.min(o.perRequest, o.from + o.count - seq) }, (_, i) => seq + i);
      const records = seqs.map((s) => ({ key: `k${s % 11}`, value: `p${o.producer}-${s}`, partition: s % o.partitions }));
      const response = await opened().fetch("/v1/topics/outbox/records", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ records, acks: "all" }),
      });
      if (response.status === 503) {
        // the host changed under the request (a tab closed): whether it landed is unknown, so these
        // ids are never acknowledged and never sent again (a repeat would be the app's duplicate)
        seq += seqs.length;
        await new Promise((r) => setTimeout(r, 100));
        continue;
      }
      if (!response.ok) throw new Error(`local produce: ${response.status} ${await response.text()}`);
      const { offsets } = (await response.json()) as { offsets: Array<{ partition: number; offset: number }> };
      await window.reportAcks?.(offsets.map((x, i) => ({ id: records[i]?.value as string, partition: x.partition, offset: x.offset })));
      seq += seqs.length;
      if (o.pauseMs) await new Promise((r) => setTimeout(r, o.pauseMs));
    }
    producing = false;
    return seq;
  },

  stop() {
    producing = false;
  },

  /**
   * Writes records with `valueBytes` of random (incompressible) data until the disk is full; returns
   * how many went in and the refusal. Stops after `max` records if the disk never fills.
   */
  async fill(o: { producer: number; valueBytes: number; partitions: number; max: number }) {
    let seq = 0;
    const letters = "abcdefghijklmnopqrstuvwxyz0123456789";
    while (seq < o.max) {
      const seqs = Array.from({ length: 10 }, (_, i) => seq + i);
      const records = seqs.map((s) => {
        const random = new Uint8Array(o.valueBytes);
        crypto.getRandomValues(random);
        const filler = Array.from(random, (b) => letters[b % letters.length]).join("");
        return { key: `k${s % 11}`, value: `p${o.producer}-${s}`, headers: { filler }, partition: s % o.partitions };
      });
      const response = await opened().fetch("/v1/topics/outbox/records", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ records, acks: "all" }),
      });
      if (!response.ok) return { written: seq, status: response.status, refusal: await response.text() };
      const { offsets } = (await response.json()) as { offsets: Array<{ partition: number; offset: number }> };
      await window.reportAcks?.(offsets.map((x, i) => ({ id: records[i]?.value as string, partition: x.partition, offset: x.offset })));
      seq += 10;
    }
    return { written: seq, status: 200, refusal: "" };
  },

  status: () => opened().status(),

  /** The local outbox as its broker describes it (offsets per partition). */
  async describeOutbox() {
    return (await (await opened().fetch("/v1/topics/outbox")).json()) as {
      topicId: string;
      partitions: Array<{ logStartOffset: number; highWatermark: number }>;
    };
  },

  /** uploaded() for local records: their edge offsets (-1 when the host cannot know). */
  async uploaded(records: Array<{ partition: number; offset: number }>) {
    const b = opened();
    return Promise.all(
      records.map(async (r) => (await b.uploaded({ topicName: "outbox", ...r }, { signal: AbortSignal.timeout(60_000) })).edgeOffset),
    );
  },

  async syncNow(timeoutMs: number) {
    const status = await opened().syncNow({ signal: AbortSignal.timeout(timeoutMs) });
    return { outboxRecords: status.upload.outboxRecords, counters: status.counters, gaps: status.download.gaps.length };
  },

  /** The replica's stored batches as hex, keyed by base offset, for byte comparison with the edge. */
  async replicaBatches(partition: number) {
    const out: Array<[number, string]> = [];
    let offset = 0;
    for (;;) {
      const response = await opened().fetch(`/v1/topics/edge.orders/partitions/${partition}/records?offset=${offset}&maxBytes=1048576`, {
        headers: { accept: "application/vnd.rill.batches" },
      });
      if (!response.ok) throw new Error(`replica read: ${response.status} ${await response.text()}`);
      const bytes = new Uint8Array(await response.arrayBuffer());
      const next = Number(response.headers.get("rill-next-offset"));
      const hw = Number(response.headers.get("rill-high-watermark"));
      let at = 0;
      while (at < bytes.length) {
        const view = new DataView(bytes.buffer, bytes.byteOffset + at);
        const base = Number(view.getBigInt64(0));
        const size = view.getInt32(8) + 12;
        out.push([base, Array.from(bytes.subarray(at, at + size), (b) => b.toString(16).padStart(2, "0")).join("")]);
        at += size;
      }
      if (next >= hw || next === offset) return out;
      offset = next;
    }
  },

  /** The replica's records (id = value), to check they sit at their edge offsets. */
  async replicaRecords(partition: number) {
    const out: Array<{ id: string; partition: number; offset: number }> = [];
    let offset = 0;
    for (;;) {
      const response = await opened().fetch(`/v1/topics/edge.orders/partitions/${partition}/records?offset=${offset}&maxBytes=1048576`);
      if (!response.ok) throw new Error(`replica read: ${response.status} ${await response.text()}`);
      const answer = (await response.json()) as {
        records: Array<{ offset: number; value: string }>;
        nextOffset: number;
        highWatermark: number;
      };
      for (const r of answer.records) out.push({ id: r.value, partition, offset: r.offset });
      if (answer.nextOffset >= answer.highWatermark || answer.nextOffset === offset) return out;
      offset = answer.nextOffset;
    }
  },

  async close() {
    producing = false;
    await broker?.close();
    broker = undefined;
  },
};

window.rillTest = api;

/** What the test calls in the page. */
export type RillTestApi = typeof api;
document.title = "rill offline test";
