// `npm run bench:client [-- --quick] [-- --broker URL]`: what the client costs on top of the HTTP
// protocol, measured against a hand-written baseline in the same run, over the same HTTP hop:
//   produce, raw:    encodeBatch + POST .../batches by hand: plain batches of the client's default
//                    batch size, 5 in flight like the client
//   produce, client: producer.send() with defaults (16 KiB batches, linger 5 ms, idempotent,
//                    5 in flight), once with 1000 messages per send and once with one per send
//   consume, raw:    GET .../records in the binary format + decodeBatches, in a loop
//   consume, client: consumer.run() with eachMessage, deserializing nothing (bytes)
// Each path is warmed up untimed, then timed over two rounds of half the records each, the second
// in the opposite order; a path's figure is its records over its two rounds' time.
// The broker is the in-process one (memory storage) served by @rill/node on 127.0.0.1, or
// the one at --broker (e.g. `npm start`'s http://127.0.0.1:8787). Progress on stderr, table on stdout.

import { pathToFileURL } from "node:url";
import { createClient, type Producer } from "@rill/client";
import { decodeBatches, encodeBatch, type RecordInput, splitBatches } from "@rill/core";
import { startNodeBroker } from "@rill/node";

export interface ClientBenchRow {
  op: "produce" | "consume";
  valueSize: number;
  path: string;
  records: number;
  recordsPerSec: number;
  mbPerSec: number;
  /** path / raw of the same op and value size. */
  ratio: number;
}

const BATCH_BYTES = 16_384;
const IN_FLIGHT = 5;

async function timed(fn: () => Promise<void>): Promise<number> {
  const started = performance.now();
  await fn();
  return (performance.now() - started) / 1000;
}

function makeValues(count: number, size: number): Uint8Array[] {
  const base = new Uint8Array(size);
  for (let i = 0; i < size; i++) base[i] = 97 + (i % 26);
  return Array.from({ length: count }, (_, i) => {
    const v = base.slice();
    new DataView(v.buffer).setUint32(0, i);
    return v;
  });
}

async function createTopic(broker: string, topic: string): Promise<void> {
  await createClient({ brokers: [broker] })
    .admin()
    .createTopics({ topics: [{ topic }] });
}

/**
 * Hand-made batches of about BATCH_BYTES, posted with IN_FLIGHT outstanding. Plain batches (no
 * producer id): sequenced ones would be refused whenever HTTP requests overtake each other, and
 * handling that is exactly the client's job, so the baseline is the cheapest loop that can run.
 */
async function rawProduce(broker: string, topic: string, values: Uint8Array[]): Promise<void> {
  const perBatch = Math.max(1, Math.floor(BATCH_BYTES / ((values[0]?.length ?? 0) + 40)));
  const outstanding = new Set<Promise<unknown>>();
  for (let next = 0; next < values.length; next += perBatch) {
    const now = Date.now();
    const records: RecordInput[] = values.slice(next, next + perBatch).map((value) => ({ value, timestamp: now }));
    const bytes = encodeBatch(records);
    const post = (async () => {
      const response = await fetch(`${broker}/v1/topics/${topic}/partitions/0/batches?acks=all`, {
        method: "POST",
        headers: { "content-type": "application/octet-stream" },
        body: bytes as Uint8Array<ArrayBuffer>,
      });
      if (!response.ok) throw new Error(`raw produce: HTTP ${response.status} ${await response.text()}`);
      await response.arrayBuffer();
    })();
    outstanding.add(post);
    void post.finally(() => outstanding.delete(post)).catch(() => undefined);
    while (outstanding.size >= IN_FLIGHT) await Promise.race(outstanding);
  }
  await Promise.all(outstanding);
}

/** Sends with at most `window` sends outstanding (a counter, not Promise.race: that is O(window) per send). */
async function clientProduce(producer: Producer, topic: string, values: Uint8Array[], perSend: number, window: number): Promise<void> {
  let outstanding = 0;
  let failure: unknown;
  let wake: (() => void) | undefined;
  const settle = (error?: unknown) => {
    if (error !== undefined) failure ??= error;
    outstanding--;
    wake?.();
  };
  for (let i = 0; i < values.length && failure === undefined; i += perSend) {
    outstanding++;
    producer.send({ topic, messages: values.slice(i, i + perSend).map((value) => ({ value })) }).then(() => settle(), settle);
    while (outstanding >= window) await new Promise<void>((resolve) => (wake = resolve));
  }
  while (outstanding > 0) await new Promise<void>((resolve) => (wake = resolve));
  if (failure !== undefined) throw failure;
}

async function rawConsume(broker: string, topic: string, expected: number): Promise<void> {
  let offset = 0;
  let seen = 0;
  while (seen < expected) {
    const response = await fetch(`${broker}/v1/topics/${topic}/partitions/0/records?offset=${offset}&maxBytes=1048576`, {
      headers: { accept: "application/vnd.rill.batches" },
    });
    const body = new Uint8Array(await response.arrayBuffer());
    const records = body.length ? decodeBatches(splitBatches(body).map((b) => b.bytes)).filter((r) => r.offset >= offset) : [];
    seen += records.length;
    offset = Number(response.headers.get("rill-next-offset"));
  }
}

async function clientConsume(broker: string, topic: string, expected: number): Promise<void> {
  const consumer = createClient({ brokers: [broker] }).consumer({ autoOffsetReset: "earliest", fetchMaxWaitMs: 100 });
  await consumer.assign([{ topic, partitions: [0] }]);
  let seen = 0;
  await consumer.run({
    eachMessage: () => {
      if (++seen === expected) void consumer.stop();
    },
  });
}

export interface ClientBenchOptions {
  /** A running broker's URL; default: the in-process broker served by @rill/node. */
  broker?: string;
  /** Tiny volumes: a smoke test of a few seconds, figures not meaningful. */
  quick?: boolean;
  /** Progress lines (default: stderr). */
  progress?: (line: string) => void;
}

export async function runClientBench(options: ClientBenchOptions = {}): Promise<ClientBenchRow[]> {
  const log = options.progress ?? ((line: string) => process.stderr.write(`${line}\n`));
  let broker = options.broker;
  let close = async (): Promise<void> => undefined;
  if (!broker) {
    const served = await startNodeBroker();
    broker = served.url;
    close = served.close;
  }
  const run = Math.random().toString(36).slice(2, 8);
  let topicCounter = 0;
  const freshTopic = async (label: string) => {
    const topic = `bench-${label}-${run}-${++topicCounter}`;
    await createTopic(broker as string, topic);
    return topic;
  };
  const produceBy: Record<string, (topic: string, values: Uint8Array[]) => Promise<void>> = {
    "raw HTTP batches": (topic, values) => rawProduce(broker as string, topic, values),
    "client, 1000 msgs/send": async (topic, values) => {
      const producer = createClient({ brokers: [broker as string] }).producer();
      await clientProduce(producer, topic, values, 1000, 16);
      await producer.disconnect();
    },
    "client, 1 msg/send": async (topic, values) => {
      const producer = createClient({ brokers: [broker as string] }).producer();
      await clientProduce(producer, topic, values, 1, 5_000);
      await producer.disconnect();
    },
  };
  const consumeBy: Record<string, (topic: string, count: number) => Promise<void>> = {
    "raw HTTP fetch loop": (topic, count) => rawConsume(broker as string, topic, count),
    "client, eachMessage": (topic, count) => clientConsume(broker as string, topic, count),
  };
  const rows: ClientBenchRow[] = [];
  try {
    const sizes: ReadonlyArray<readonly [number, number]> = options.quick
      ? [[100, 5_000]]
      : [
          [100, 200_000],
          [1024, 50_000],
        ];
    for (const [valueSize, count] of sizes) {
      const values = makeValues(count, valueSize);
      const half = Math.floor(count / 2);
      const rounds = [values.slice(0, half), values.slice(half)];
      // warm-up (JIT, connections), untimed, then two rounds in opposite orders (A B C, C B A) so
      // neither path always runs first on a colder or emptier broker
      const warm = await freshTopic("warm");
      for (const fn of Object.values(produceBy)) await fn(warm, values.slice(0, Math.min(2_000, count)));
      for (const fn of Object.values(consumeBy)) await fn(warm, Math.min(2_000, count));
      const seconds = new Map<string, number>();
      const add = (path: string, s: number) => seconds.set(path, (seconds.get(path) ?? 0) + s);
      let readable = "";
      for (const [round, part] of rounds.entries()) {
        const order = round === 0 ? Object.keys(produceBy) : Object.keys(produceBy).reverse();
        for (const path of order) {
          log(`produce ${part.length} x ${valueSize} B, round ${round + 1}: ${path}`);
          const topic = await freshTopic("produce");
          add(path, await timed(() => (produceBy[path] as (t: string, v: Uint8Array[]) => Promise<void>)(topic, part)));
          if (path === "client, 1000 msgs/send" && round === 0) readable = topic;
        }
      }
      for (const round of [0, 1]) {
        const order = round === 0 ? Object.keys(consumeBy) : Object.keys(consumeBy).reverse();
        for (const path of order) {
          log(`consume ${half} x ${valueSize} B, round ${round + 1}: ${path}`);
          add(path, await timed(() => (consumeBy[path] as (t: string, n: number) => Promise<void>)(readable, half)));
        }
      }
      const rate = (path: string, records: number) => records / (seconds.get(path) as number);
      for (const [op, paths, records] of [
        ["produce", Object.keys(produceBy), count],
        ["consume", Object.keys(consumeBy), 2 * half],
      ] as const) {
        const raw = rate(paths[0] as string, records);
        for (const path of paths) {
          const recordsPerSec = rate(path, records);
          rows.push({
            op,
            valueSize,
            path,
            records,
            recordsPerSec,
            mbPerSec: (recordsPerSec * valueSize) / 1e6,
            ratio: recordsPerSec / raw,
          });
        }
      }
    }
  } finally {
    await close();
  }
  return rows;
}

const fmt = (n: number, digits = 0) => n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** The rows as a Markdown table (MB/s of record values, 1 MB = 10^6 bytes). */
export function formatClientTable(rows: readonly ClientBenchRow[]): string {
  const head = ["op", "value", "path", "records", "records/s", "MB/s", "vs raw"];
  const body = rows.map((r) => [
    r.op,
    r.valueSize >= 1024 ? `${r.valueSize / 1024} KiB` : `${r.valueSize} B`,
    r.path,
    fmt(r.records),
    fmt(r.recordsPerSec),
    fmt(r.mbPerSec, 1),
    `${r.ratio.toFixed(2)}x`,
  ]);
  const numeric = new Set([3, 4, 5, 6]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((cells) => (cells[i] as string).length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (numeric.has(i) ? c.padStart(widths[i] as number) : c.padEnd(widths[i] as number))).join(" | ")} |`;
  // the rule row as biome formats Markdown tables, so the output pastes into BENCHMARKS.md as it is
  const rule = `| ${widths.map((w, i) => (numeric.has(i) ? `${"-".repeat(w - 1)}:` : "-".repeat(w))).join(" | ")} |`;
  return [line(head), rule, ...body.map(line)].join("\n");
}

async function main(): Promise<void> {
  const quick = process.argv.includes("--quick");
  const at = process.argv.indexOf("--broker");
  const broker = at >= 0 ? process.argv[at + 1] : undefined;
  const started = performance.now();
  const rows = await runClientBench({ broker, quick });
  process.stdout.write(`${formatClientTable(rows)}\n`);
  process.stderr.write(
    `bench:client${quick ? " --quick" : ""} against ${broker ?? "the in-process broker over HTTP"} took ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    process.stderr.write(`${(error as Error)?.stack ?? error}\n`);
    process.exitCode = 1;
  });
}
