// npm run bench:edge — the local edge broker (wrangler dev + workerd, SQLite on disk) measured over
// HTTP from this process: produce throughput (JSON and binary batches) at 100 B and 1 KB with 1, 100
// and 1000 records per request; catch-up fetch throughput; end-to-end latency from produce to a
// long-polling consumer and to an SSE consumer at a fixed rate. `--quick` runs a small version.
import { decodeBatches, encodeBatch } from "@rill/core";
import { startLocalBroker } from "../test/harness/local-broker.ts";

const quick = process.argv.includes("--quick");
const log = (...args: unknown[]) => console.error(...args);

interface Row {
  scenario: string;
  records: number;
  seconds: number;
  recordsPerSec: number;
  mbPerSec: number;
  /** Request latency, 8 requests in flight. */
  p50ms?: number;
  p99ms?: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

async function post(url: string, body: BodyInit, type: string): Promise<Response> {
  const res = await fetch(url, { method: "POST", headers: { "content-type": type }, body });
  if (!res.ok) throw new Error(`${url}: ${res.status} ${await res.text()}`);
  return res;
}

/** Per-request latencies of the last drive(), in ms. */
let lastLatencies: number[] = [];

/** Runs `requests` produce calls with `inFlight` concurrency; returns elapsed seconds. */
async function drive(requests: number, inFlight: number, send: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  lastLatencies = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < requests) {
        const t = performance.now();
        await send(next++);
        lastLatencies.push(performance.now() - t);
      }
    }),
  );
  return (performance.now() - started) / 1000;
}

function latencyOf(): { p50ms: number; p99ms: number } {
  const sorted = [...lastLatencies].sort((a, b) => a - b);
  return { p50ms: percentile(sorted, 50), p99ms: percentile(sorted, 99) };
}

export async function runEdgeBench(
  options: { quick?: boolean } = {},
): Promise<{ throughput: Row[]; latency: Array<Record<string, number | string>> }> {
  const small = options.quick ?? quick;
  const broker = await startLocalBroker();
  const rows: Row[] = [];
  const latency: Array<Record<string, number | string>> = [];
  try {
    const create = (name: string, replicationFactor = 1) =>
      post(`${broker.url}/v1/topics`, JSON.stringify({ name, partitions: 1, replicationFactor }), "application/json");
    // the price of replication: one partition, replication factor 3, acks=1 against acks=all
    for (const perRequest of [1, 100, 1000]) {
      for (const [rf, acks] of [
        [1, "all"],
        [3, "1"],
        [3, "all"],
      ] as const) {
        const topic = `bench-rf${rf}-acks${acks}-${perRequest}`;
        await create(topic, rf);
        const requests = small ? 10 : perRequest === 1 ? 400 : perRequest === 100 ? 300 : 150;
        const batch = encodeBatch(Array.from({ length: perRequest }, () => ({ value: new TextEncoder().encode("x".repeat(100)) })));
        log(`produce binary 100 B x ${perRequest}/request, replication factor ${rf}, acks=${acks}: ${requests} requests`);
        const seconds = await drive(requests, 8, () =>
          post(`${broker.url}/v1/topics/${topic}/partitions/0/batches?acks=${acks}`, batch.slice(), "application/octet-stream"),
        );
        const records = requests * perRequest;
        rows.push({
          scenario: `replication factor ${rf}, acks=${acks}, 100 B, ${perRequest}/req`,
          records,
          seconds,
          recordsPerSec: records / seconds,
          mbPerSec: (records * 100) / seconds / 1e6,
          ...latencyOf(),
        });
      }
    }
    if (process.argv.includes("--replication-only")) return { throughput: rows, latency };
    for (const size of [100, 1024]) {
      for (const perRequest of [1, 100, 1000]) {
        const target = small ? Math.min(2_000, perRequest * 20) : Math.min(perRequest === 1 ? 3_000 : 200_000, perRequest * 400);
        const requests = Math.max(1, Math.floor(target / perRequest));
        const value = "x".repeat(size);
        for (const mode of ["json", "binary"] as const) {
          const topic = `bench-${mode}-${size}-${perRequest}`;
          await create(topic);
          log(`produce ${mode} ${size} B x ${perRequest}/request: ${requests} requests`);
          const body = JSON.stringify({ records: Array.from({ length: perRequest }, () => ({ value, partition: 0 })), acks: "all" });
          const batch = encodeBatch(Array.from({ length: perRequest }, () => ({ value: new TextEncoder().encode(value) })));
          const seconds = await drive(requests, 8, () =>
            mode === "json"
              ? post(`${broker.url}/v1/topics/${topic}/records`, body, "application/json")
              : post(`${broker.url}/v1/topics/${topic}/partitions/0/batches?acks=all`, batch.slice(), "application/octet-stream"),
          );
          const records = requests * perRequest;
          rows.push({
            scenario: `produce ${mode} ${size} B, ${perRequest}/req`,
            records,
            seconds,
            recordsPerSec: records / seconds,
            mbPerSec: (records * size) / seconds / 1e6,
            ...latencyOf(),
          });
        }
      }
    }
    // catch-up fetch: read back the largest binary topic from offset 0
    for (const format of ["binary", "json"] as const) {
      const topic = "bench-binary-100-1000";
      let offset = 0;
      let records = 0;
      const started = performance.now();
      for (;;) {
        const url = `${broker.url}/v1/topics/${topic}/partitions/0/records?offset=${offset}&maxBytes=4000000`;
        if (format === "binary") {
          const res = await fetch(url, { headers: { accept: "application/vnd.rill.batches" } });
          const got = decodeBatches([new Uint8Array(await res.arrayBuffer())]).filter((r) => r.offset >= offset).length;
          records += got;
          offset = Number(res.headers.get("rill-next-offset"));
          if (offset >= Number(res.headers.get("rill-high-watermark"))) break;
        } else {
          const page = (await (await fetch(url)).json()) as { records: unknown[]; nextOffset: number; highWatermark: number };
          records += page.records.length;
          offset = page.nextOffset;
          if (offset >= page.highWatermark) break;
        }
      }
      const seconds = (performance.now() - started) / 1000;
      rows.push({
        scenario: `catch-up fetch ${format} 100 B`,
        records,
        seconds,
        recordsPerSec: records / seconds,
        mbPerSec: (records * 100) / seconds / 1e6,
      });
    }
    // end-to-end latency at a fixed rate: produce one record every `interval` ms, timestamped
    const samples = small ? 40 : 400;
    const interval = 10;
    for (const consumer of ["long-poll", "sse"] as const) {
      const topic = `bench-latency-${consumer}`;
      await create(topic);
      const seen: number[] = [];
      const controller = new AbortController();
      const done = (async () => {
        if (consumer === "long-poll") {
          let offset = 0;
          while (seen.length < samples) {
            const page = (await (
              await fetch(`${broker.url}/v1/topics/${topic}/partitions/0/records?offset=${offset}&maxWaitMs=5000`)
            ).json()) as {
              records: Array<{ value: string }>;
              nextOffset: number;
            };
            const now = performance.now();
            for (const r of page.records) seen.push(now - Number(r.value));
            offset = page.nextOffset;
          }
        } else {
          const res = await fetch(`${broker.url}/v1/topics/${topic}/partitions/0/records?offset=0&live=sse`, { signal: controller.signal });
          const reader = (res.body as ReadableStream<Uint8Array>).getReader();
          let buffer = "";
          while (seen.length < samples) {
            const { value } = await reader.read();
            const now = performance.now();
            buffer += new TextDecoder().decode(value);
            for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
              const data = /^data: (.*)$/m.exec(buffer.slice(0, end))?.[1];
              buffer = buffer.slice(end + 2);
              if (data) seen.push(now - Number(JSON.parse(data).value));
            }
          }
          controller.abort();
        }
      })();
      log(`latency ${consumer}: ${samples} records, one every ${interval} ms`);
      for (let i = 0; i < samples; i++) {
        await post(
          `${broker.url}/v1/topics/${topic}/records`,
          JSON.stringify({ records: [{ value: String(performance.now()) }], acks: "all" }),
          "application/json",
        );
        await new Promise((r) => setTimeout(r, interval));
      }
      await done.catch(() => undefined);
      const sorted = seen.slice(0, samples).sort((a, b) => a - b);
      latency.push({
        consumer,
        samples: sorted.length,
        p50ms: percentile(sorted, 50),
        p99ms: percentile(sorted, 99),
        maxMs: sorted[sorted.length - 1] ?? Number.NaN,
      });
    }
  } finally {
    await broker.stop();
  }
  return { throughput: rows, latency };
}

export function printEdgeBench(result: Awaited<ReturnType<typeof runEdgeBench>>): void {
  console.log("\n| scenario | records | seconds | records/s | MB/s | request p50 ms | p99 ms |\n|---|---:|---:|---:|---:|---:|---:|");
  const ms = (v: number | undefined) => (v === undefined ? "" : v.toFixed(1));
  for (const r of result.throughput) {
    const rate = Math.round(r.recordsPerSec).toLocaleString("en-US");
    console.log(
      `| ${r.scenario} | ${r.records} | ${r.seconds.toFixed(2)} | ${rate} | ${r.mbPerSec.toFixed(1)} | ${ms(r.p50ms)} | ${ms(r.p99ms)} |`,
    );
  }
  console.log("\n| end-to-end (produce acks=all → consumer) | samples | p50 ms | p99 ms | max ms |\n|---|---:|---:|---:|---:|");
  for (const l of result.latency) {
    console.log(
      `| ${l.consumer} | ${l.samples} | ${Number(l.p50ms).toFixed(1)} | ${Number(l.p99ms).toFixed(1)} | ${Number(l.maxMs).toFixed(1)} |`,
    );
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  printEdgeBench(await runEdgeBench({ quick }));
}
