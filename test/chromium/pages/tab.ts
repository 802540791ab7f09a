// The test page: opens the browser broker and offers the Chromium tests a small API on
// window.rillTab (page.evaluate calls it). Records are JSON { tab, seq } keyed by the test.
import { type BrowserBroker, createBrowserBroker, type HostMode } from "@rill/browser";
import { type Consumer, isRillError, type Producer, serializers } from "@rill/client";

export interface Seen {
  partition: number;
  offset: number;
  key: string;
  value: string;
}

let broker: BrowserBroker | undefined;
let producer: Producer<string, string> | undefined;
const consumers = new Map<string, { consumer: Consumer<string | null, string | null>; seen: Seen[] }>();
const acked: Array<{ key: string; value: string; partition: number; offset: number }> = [];
const failures: string[] = [];
let producing: { stop: boolean; done: Promise<void> } | undefined;

const opened = () => {
  if (!broker) throw new Error("open() first");
  return broker;
};

const api = {
  /** `deploy` names the worker script's version: another value is another script URL, so another SharedWorker. */
  async open(options: { name: string; mode?: HostMode; noLocks?: boolean; deploy?: string }) {
    try {
      const worker = `${options.noLocks ? "/worker-no-locks.js" : "/worker.js"}${options.deploy ? `?deploy=${options.deploy}` : ""}`;
      broker = await createBrowserBroker({
        name: options.name,
        mode: options.mode,
        worker: (mode) =>
          mode === "shared"
            ? new SharedWorker(worker, { type: "module", name: `rill:${options.name}` })
            : new Worker(worker, { type: "module", name: `rill:${options.name}` }),
      });
      producer = broker
        .client({ clientId: "tab" })
        .producer({ lingerMs: 0, serializers: { key: serializers.string, value: serializers.string } });
      return { ok: true as const };
    } catch (error) {
      const e = error as { code?: string; message: string; details?: unknown };
      return { ok: false as const, code: e.code, message: e.message, details: e.details, rill: isRillError(error) };
    }
  },
  status: () => opened().status(),
  async createTopic(topic: string, partitions: number, config: Record<string, string> = {}) {
    const configEntries = Object.entries(config).map(([name, value]) => ({ name, value }));
    return opened()
      .client()
      .admin()
      .createTopics({ topics: [{ topic, numPartitions: partitions, configEntries }] });
  },
  /** Sends records one send() at a time; each acknowledgement is remembered. */
  async produce(topic: string, records: Array<{ key: string; value: string }>) {
    for (const record of records) {
      const [meta] = await (producer as Producer<string, string>).send({ topic, acks: -1, messages: [record] });
      acked.push({ ...record, partition: meta?.partition ?? -1, offset: meta?.offset ?? -1 });
    }
    return acked.length;
  },
  /** Keeps producing `tab-seq` records over `keys` until stop(); failures are remembered, not thrown. */
  startProducing(topic: string, tab: string, keys: string[]) {
    const state = { stop: false, done: Promise.resolve() };
    state.done = (async () => {
      for (let seq = 0; !state.stop; seq++) {
        const record = { key: keys[seq % keys.length] as string, value: `${tab}-${seq}` };
        try {
          const [meta] = await (producer as Producer<string, string>).send({ topic, acks: -1, messages: [record] });
          acked.push({ ...record, partition: meta?.partition ?? -1, offset: meta?.offset ?? -1 });
        } catch (error) {
          failures.push(String((error as Error).message));
        }
      }
    })();
    producing = state;
  },
  async stopProducing() {
    if (!producing) return;
    producing.stop = true;
    await producing.done;
  },
  acked: () => acked,
  failures: () => failures,
  /** A consumer: with groupId, a member of that group; without, every partition from the start. */
  async consume(id: string, topic: string, groupId?: string) {
    const client = opened().client({ clientId: `consumer-${id}` });
    const consumer = client.consumer({
      groupId,
      autoOffsetReset: "earliest",
      fetchMaxWaitMs: 200,
      autoCommitIntervalMs: 100,
      deserializers: { key: (b) => (b ? new TextDecoder().decode(b) : null), value: (b) => (b ? new TextDecoder().decode(b) : null) },
    }) as Consumer<string | null, string | null>;
    const seen: Seen[] = [];
    consumers.set(id, { consumer, seen });
    if (groupId) await consumer.subscribe({ topics: [topic] });
    else {
      const partitions = (await client.admin().fetchTopicOffsets(topic)).map((o) => o.partition);
      consumer.assign(partitions.map((partition) => ({ topic, partition, offset: 0 })));
    }
    void consumer.run({
      eachMessage: async ({ partition, message }) => {
        seen.push({ partition, offset: message.offset, key: message.key ?? "", value: message.value ?? "" });
      },
    });
  },
  seen: (id: string) => consumers.get(id)?.seen ?? [],
  assignment: (id: string) => consumers.get(id)?.consumer.assignment() ?? [],
  async stopConsumer(id: string) {
    await consumers.get(id)?.consumer.disconnect();
  },
  /** Every record of a topic, read through fetch (JSON), partition by partition. */
  async readAll(topic: string) {
    const b = opened();
    const described = await (await b.fetch(`/v1/topics/${topic}`)).json();
    const out: Seen[] = [];
    for (const p of described.partitions as Array<{ partition: number; highWatermark: number }>) {
      let offset = 0;
      while (offset < p.highWatermark) {
        const page = await (await b.fetch(`/v1/topics/${topic}/partitions/${p.partition}/records?offset=${offset}`)).json();
        for (const r of page.records) out.push({ partition: p.partition, offset: r.offset, key: r.key, value: r.value });
        offset = page.nextOffset;
      }
    }
    return out;
  },
  /** One raw request, answered as {status, body}. */
  async request(path: string, init?: { method?: string; json?: unknown; signalAfterMs?: number }) {
    const response = await opened().fetch(path, {
      method: init?.method ?? (init?.json === undefined ? "GET" : "POST"),
      headers: init?.json === undefined ? {} : { "content-type": "application/json" },
      body: init?.json === undefined ? undefined : JSON.stringify(init.json),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null };
  },
  /** Starts a long-poll the test never answers (it ends when the page goes away). */
  hold(path: string) {
    void opened()
      .fetch(path)
      .catch(() => undefined);
  },
  /**
   * Produces records of `size` random bytes (base64 JSON), one per request, until one fails or
   * `max` are written. Answers what was acknowledged (offset and SHA-256 of each value) and the
   * failure, if any.
   */
  async fillWith(topic: string, size: number, max: number) {
    const written: Array<{ offset: number; sha: string }> = [];
    const bytes = new Uint8Array(size);
    for (let i = 0; i < max; i++) {
      for (let at = 0; at < size; at += 65536) crypto.getRandomValues(bytes.subarray(at, Math.min(size, at + 65536)));
      let binary = "";
      for (let j = 0; j < bytes.length; j += 8192) binary += String.fromCharCode(...bytes.subarray(j, j + 8192));
      const answer = await api.request(`/v1/topics/${topic}/records`, { json: { encoding: "base64", records: [{ value: btoa(binary) }] } });
      if (answer.status !== 200) return { written, failure: { status: answer.status, error: answer.body?.error } };
      written.push({ offset: answer.body.offsets[0].offset, sha: await sha256(bytes) });
    }
    return { written, failure: null };
  },
  /** The SHA-256 of every value of partition 0, read back through fetch. */
  async digests(topic: string) {
    const out: Array<{ offset: number; sha: string }> = [];
    for (let offset = 0; ; ) {
      const page = await api.request(`/v1/topics/${topic}/partitions/0/records?offset=${offset}&encoding=base64&maxBytes=4000000`);
      for (const r of page.body.records) {
        out.push({ offset: r.offset, sha: await sha256(Uint8Array.from(atob(r.value), (c) => c.charCodeAt(0))) });
      }
      if (page.body.nextOffset >= page.body.highWatermark) return out;
      offset = page.body.nextOffset;
    }
  },
  close: () => opened().close(),
};

async function sha256(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

declare global {
  interface Window {
    rillTab: typeof api;
  }
}
window.rillTab = api;
document.body.dataset.ready = "true";
