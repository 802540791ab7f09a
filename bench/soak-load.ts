// The soak's writers: producers at a fixed total rate (open loop: requests leave on schedule, a
// bounded number in flight), over JSON produce requests or @rill/client's idempotent producer.
// Each record's value names its producer, its sequence and its send time, so readers can check
// "every record once" and measure end to end. The ledger remembers what was acknowledged.
import { createClient, type Producer } from "@rill/client";
import { newWindow, type WindowStats } from "./soak-metrics.ts";

/** A growable set of small integers (record sequences of one producer). */
export interface Bits {
  /** Adds n; false when it was there already. */
  add(n: number): boolean;
  has(n: number): boolean;
  readonly count: number;
}

export function createBits(): Bits {
  let bytes = new Uint8Array(1024);
  let count = 0;
  return {
    add(n) {
      if (n >= bytes.length * 8) {
        const grown = new Uint8Array(Math.max(bytes.length * 2, (n >> 3) + 1));
        grown.set(bytes);
        bytes = grown;
      }
      const bit = 1 << (n & 7);
      if ((bytes[n >> 3] as number) & bit) return false;
      bytes[n >> 3] = (bytes[n >> 3] as number) | bit;
      count++;
      return true;
    },
    has: (n) => n < bytes.length * 8 && ((bytes[n >> 3] as number) & (1 << (n & 7))) !== 0,
    get count() {
      return count;
    },
  };
}

/** The shared state of a run: the current window, the pause gate, and what was acknowledged. */
export interface SoakContext {
  url: string;
  topic: string;
  partitions: number;
  window: WindowStats;
  /** Acknowledged sequences per producer. */
  acked: Bits[];
  /** Acknowledged records per partition (their offsets are 0..n-1: the topic is fresh). */
  ackedPerPartition: number[];
  /** Records of failed requests: they may or may not be in the log. */
  uncertain: number;
  errors: number;
  /** Errors' messages, the first few, for the report. */
  errorSamples: string[];
  /** Resolves when the load may go on (the run pauses it while it measures the heap). */
  gate: Promise<void>;
  stopping: boolean;
}

export function createContext(url: string, topic: string, partitions: number, producers: number): SoakContext {
  return {
    url,
    topic,
    partitions,
    window: newWindow(0, 0, true),
    acked: Array.from({ length: producers }, () => createBits()),
    ackedPerPartition: new Array<number>(partitions).fill(0),
    uncertain: 0,
    errors: 0,
    errorSamples: [],
    gate: Promise.resolve(),
    stopping: false,
  };
}

export function noteError(ctx: SoakContext, error: unknown): void {
  ctx.errors++;
  ctx.window.errors++;
  const cause = (error as { cause?: { message?: string; code?: string } })?.cause;
  const because = cause ? ` (${cause.code ?? ""} ${cause.message ?? ""})` : "";
  const sample = `${String((error as Error)?.message ?? error).slice(0, 160)}${because}`;
  // the distinct kinds, with the window each first showed in
  if (ctx.errorSamples.length < 8 && !ctx.errorSamples.some((s) => s.endsWith(sample)))
    ctx.errorSamples.push(`window ${ctx.window.index}: ${sample}`);
}

/** `<producer>.<sequence>.<sent at, in 10 µs>.` padded with x to `size` bytes. */
export function recordValue(producer: number, sequence: number, size: number): string {
  const head = `${producer}.${sequence}.${Math.round(performance.now() * 100)}.`;
  return head.length >= size ? head : head + "x".repeat(size - head.length);
}

export function parseValue(value: string): { producer: number; sequence: number; sentAt: number } | undefined {
  const [p, s, t] = value.split(".", 3);
  const producer = Number(p);
  const sequence = Number(s);
  if (!Number.isInteger(producer) || !Number.isInteger(sequence)) return undefined;
  return { producer, sequence, sentAt: Number(t) / 100 };
}

export interface ProducerOptions {
  index: number;
  /** Records per second for this producer. */
  rate: number;
  /** Records per request (JSON) or per send() call (client). */
  batch: number;
  valueBytes: number;
  keys: number;
  kind: "json" | "client";
  maxInFlight: number;
}

export interface RunningProducer {
  /** Resolves once it stopped sending and everything in flight is answered. */
  done: Promise<void>;
  inFlight(): number;
}

/** Starts one producer; it stops when ctx.stopping is set. */
export function startProducer(ctx: SoakContext, options: ProducerOptions): RunningProducer {
  let inFlight = 0;
  let sequence = 0;
  const waiters: Array<() => void> = [];
  const released = () => {
    inFlight--;
    waiters.shift()?.();
  };
  const client: Producer<string, string> | undefined =
    options.kind === "client" ? createClient({ brokers: [ctx.url] }).producer<string, string>({ lingerMs: 5 }) : undefined;
  const intervalMs = (1000 * options.batch) / options.rate;
  const keyOf = () => `key-${Math.floor(Math.random() * options.keys)}`;

  async function send(first: number): Promise<void> {
    const records = Array.from({ length: options.batch }, (_, i) => ({
      key: keyOf(),
      value: recordValue(options.index, first + i, options.valueBytes),
    }));
    const started = performance.now();
    try {
      const placed = client
        ? (await client.send({ topic: ctx.topic, messages: records })).map((m) => m.partition)
        : await sendJson(ctx, records);
      const window = ctx.window;
      window.produceMs.push(performance.now() - started);
      window.produced += records.length;
      for (const r of records) window.bytesProduced += r.key.length + r.value.length;
      placed.forEach((partition, i) => {
        ctx.ackedPerPartition[partition] = (ctx.ackedPerPartition[partition] as number) + 1;
        ctx.acked[options.index]?.add(first + i);
      });
    } catch (error) {
      ctx.uncertain += records.length;
      noteError(ctx, error);
    }
  }

  const done = (async () => {
    let next = performance.now();
    const pending = new Set<Promise<void>>();
    while (!ctx.stopping) {
      await ctx.gate;
      if (ctx.stopping) break;
      const wait = next - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      // open loop, but never more than maxInFlight requests out: a slow broker shows as latency
      if (inFlight >= options.maxInFlight) await new Promise<void>((r) => waiters.push(r));
      next = Math.max(next + intervalMs, performance.now() - intervalMs * 4);
      if (ctx.stopping) break;
      inFlight++;
      const first = sequence;
      sequence += options.batch;
      const request = send(first).finally(() => {
        released();
        pending.delete(request);
      });
      pending.add(request);
    }
    await Promise.all(pending);
    await client?.disconnect();
  })();
  return { done, inFlight: () => inFlight };
}

async function sendJson(ctx: SoakContext, records: Array<{ key: string; value: string }>): Promise<number[]> {
  const response = await fetch(`${ctx.url}/v1/topics/${ctx.topic}/records`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ records, acks: "all" }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`produce: ${response.status} ${text.slice(0, 200)}`);
  const body = JSON.parse(text) as { offsets: Array<{ partition: number; offset: number }> };
  return body.offsets.map((o) => o.partition);
}
