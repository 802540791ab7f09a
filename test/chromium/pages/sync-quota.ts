// The page of the quota-exhausted-mid-sync test (sync-quota.test.ts): @rill/browser with an outbox
// uploaded to the edge, driven through window.rillQuota. Records carry ids p<producer>-<seq> as
// their values (what test/faults/check.ts reads back); every local acknowledgement is reported to
// the test at once through the exposed binding reportAcks.
import { type BrowserBroker, createBrowserBroker } from "@rill/browser";

export interface Ack {
  id: string;
  partition: number;
  offset: number;
}

declare global {
  interface Window {
    rillQuota: typeof api;
    reportAcks?: (acks: Ack[]) => Promise<void>;
  }
}

const DB = "sync-quota";
let broker: BrowserBroker | undefined;

const opened = (): BrowserBroker => {
  if (!broker) throw new Error("open() first");
  return broker;
};

/** `bytes` random letters: incompressible enough that the disk fills at the rate the test writes. */
function filler(bytes: number): string {
  const random = new Uint8Array(bytes);
  for (let at = 0; at < bytes; at += 65_536) crypto.getRandomValues(random.subarray(at, Math.min(bytes, at + 65_536)));
  const letters = "abcdefghijklmnopqrstuvwxyz0123456789";
  return Array.from(random, (b) => letters[b % letters.length]).join("");
}

const api = {
  /** Opens the broker syncing local topic "outbox" to edge topic "orders", and creates the outbox. */
  async open(o: { edge: string; partitions: number; outboxConfig: Record<string, string> }) {
    broker = await createBrowserBroker({
      name: DB,
      worker: () => new SharedWorker("/sync-quota-worker.js", { type: "module", name: `rill:${DB}` }),
      edge: { brokers: [o.edge], requestTimeoutMs: 3_000 },
      sync: { upload: [{ local: "outbox", edge: "orders" }] },
    });
    const created = await broker.fetch("/v1/topics", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "outbox", partitions: o.partitions, replicationFactor: 1, config: o.outboxConfig }),
    });
    if (created.status !== 201 && created.status !== 409) throw new Error(`create outbox: ${created.status} ${await created.text()}`);
  },

  /**
   * Sends `count` records from `from` (at most; ids p<producer>-<seq>, partition seq % partitions,
   * `fillerBytes` of random letters in a header), `perRequest` to a request, until a request is
   * refused. Acknowledged records are reported as they come, including the partitions a refused
   * request still stored. Answers how many were sent and the refusal, if any.
   */
  async send(o: { producer: number; from: number; count: number; perRequest: number; partitions: number; fillerBytes: number }) {
    let seq = o.from;
    while (seq < o.from + o.count) {
      const seqs = Array.from({ length: Math.min(o.perRequest, o.from + o.count - seq) }, (_, i) => seq + i);
      const records = seqs.map((s) => ({
        key: `k${s % 7}`,
        value: `p${o.producer}-${s}`,
        partition: s % o.partitions,
        headers: o.fillerBytes > 0 ? { filler: filler(o.fillerBytes) } : {},
      }));
      const response = await opened().fetch("/v1/topics/outbox/records", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ records, acks: "all" }),
      });
      const answer = (await response.json()) as {
        offsets?: Array<{ partition: number; offset: number | null }>;
        error?: { code: string; message: string; retriable: boolean; quotaExceeded?: boolean };
      };
      // records of one partition go in one batch, so a partition's offset is stored or not as a whole
      const acks = (answer.offsets ?? []).flatMap((x, i) =>
        x.offset === null ? [] : [{ id: records[i]?.value as string, partition: x.partition, offset: x.offset }],
      );
      if (acks.length > 0) await window.reportAcks?.(acks);
      if (!response.ok) return { sent: seq - o.from, refusal: { status: response.status, error: answer.error ?? null } };
      seq += seqs.length;
    }
    return { sent: seq - o.from, refusal: null };
  },

  status: () => opened().status(),

  async syncNow(timeoutMs: number) {
    const status = await opened().syncNow({ signal: AbortSignal.timeout(timeoutMs) });
    return { outboxRecords: status.upload.outboxRecords, errors: status.errors.map((e) => e.code) };
  },

  /** The outbox's partitions as the local broker describes them. */
  async describeOutbox() {
    const described = (await (await opened().fetch("/v1/topics/outbox")).json()) as {
      partitions: Array<{ partition: number; logStartOffset: number; highWatermark: number; sizeInBytes: number }>;
    };
    return described.partitions;
  },
};

window.rillQuota = api;
document.body.dataset.ready = "true";
