// npm run bench:push — push delivery at the edge beside a polling consumer, in one run. The broker
// Worker and a target Worker run in workerd (Miniflare started from this process, a service binding
// between them); a webhook receiver runs in this process on 127.0.0.1. Over the same backlog of a
// 4-partition topic, each consumer drains it in turn under a group of its own, in alternating
// rounds (polling, service, webhook, then the reverse):
//   polling:   @rill/client's group consumer over HTTP (eachBatch), the baseline
//   service:   a push subscription to the target Worker's rill() over the service binding
//   webhook:   a push subscription POSTing signed JSON to the receiver
// then all three run side by side while records are produced at a fixed rate, for end-to-end
// latency (record timestamp to handler). Figures: records/s, MB/s, ratio to polling, p50/p99.
// No figure is asserted. `--quick` runs a small version (smoke test).

import { mkdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { createClient } from "@rill/client";
import { encodeBatch } from "@rill/core";
import { build } from "esbuild";
import { Miniflare } from "miniflare";
import { freePort } from "../test/harness/local-broker.ts";
import type { ConsumerSnapshot } from "../test/harness/push-consumer.ts";
import { startWebhookReceiver, type WebhookReceiver } from "../test/harness/webhook-receiver.ts";

const root = new URL("..", import.meta.url).pathname;
const PARTITIONS = 4;
const VALUE_BYTES = 100;

export interface PushRow {
  consumer: "polling" | "service" | "webhook";
  records: number;
  seconds: number;
  recordsPerSec: number;
  mbPerSec: number;
  /** This consumer's records/s over the polling consumer's, same backlog, same run. */
  vsPolling: number;
}

export interface LatencyRow {
  consumer: "polling" | "service" | "webhook";
  samples: number;
  p50ms: number | undefined;
  p99ms: number | undefined;
}

export interface PushBenchResult {
  throughput: PushRow[];
  latency: LatencyRow[];
  /** Verdicts of the drains: every record reached each consumer (redeliveries counted). */
  delivered: Record<string, { expected: number; processed: number }>;
}

async function bundle(entry: string, name: string): Promise<string> {
  const outfile = join(root, ".tmp", "bench", `${name}.${process.pid}.js`);
  mkdirSync(dirname(outfile), { recursive: true });
  await build({
    entryPoints: [join(root, entry)],
    outfile,
    bundle: true,
    format: "esm",
    platform: "neutral",
    target: "es2022",
    external: ["cloudflare:*", "node:*"],
    conditions: ["workerd", "worker", "browser", "import", "default"],
    mainFields: ["module", "main"],
    logLevel: "warning",
  });
  return outfile;
}

async function startEdge(): Promise<{ mf: Miniflare; url: string; bundles: string[] }> {
  const bundles = await Promise.all([
    bundle("workers/src/index.ts", "push-broker"),
    bundle("test/workers/push-target-worker.ts", "push-target"),
  ]);
  const [broker, target] = bundles as [string, string];
  const port = await freePort();
  const sqlite = (className: string) => ({ className, useSQLite: true });
  const mf = new Miniflare({
    host: "127.0.0.1",
    port,
    workers: [
      {
        name: "rill",
        modules: true,
        scriptPath: broker,
        compatibilityDate: "2026-04-01",
        compatibilityFlags: ["nodejs_compat"],
        durableObjects: {
          CONTROLLER: sqlite("ControllerObject"),
          PARTITIONS: sqlite("PartitionObject"),
          GROUPS: sqlite("GroupObject"),
          QUOTAS: sqlite("QuotaObject"),
          SUBSCRIPTIONS: sqlite("SubscriptionObject"),
          SUBSCRIPTION_INDEX: sqlite("SubscriptionIndexObject"),
        },
        serviceBindings: { PUSH_TARGET: "rill-push-target" },
      },
      {
        name: "rill-push-target",
        modules: true,
        scriptPath: target,
        compatibilityDate: "2026-04-01",
        compatibilityFlags: ["nodejs_compat"],
      },
    ],
    cf: false,
  });
  await mf.ready;
  return { mf, url: `http://127.0.0.1:${port}`, bundles };
}

function percentile(sorted: number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function call(url: string, method: string, body?: unknown): Promise<unknown> {
  const res = await fetch(url, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

/** Writes `perPartition` records of VALUE_BYTES to each partition, 1000 per binary batch. */
async function produce(url: string, topic: string, perPartition: number): Promise<void> {
  const value = new TextEncoder().encode("x".repeat(VALUE_BYTES));
  await Promise.all(
    Array.from({ length: PARTITIONS }, async (_, p) => {
      for (let done = 0; done < perPartition; done += 1000) {
        const n = Math.min(1000, perPartition - done);
        const batch = encodeBatch(Array.from({ length: n }, () => ({ value })));
        const res = await fetch(`${url}/v1/topics/${topic}/partitions/${p}/batches?acks=1`, {
          method: "POST",
          headers: { "content-type": "application/vnd.rill.batches" },
          body: batch as Uint8Array<ArrayBuffer>,
        });
        if (!res.ok) throw new Error(`produce: ${res.status} ${await res.text()}`);
      }
    }),
  );
}

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs: number, explain?: () => Promise<string>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`bench gave up waiting for ${what}${explain ? `: ${await explain()}` : ""}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export async function runPushBench(options: { quick?: boolean; progress?: (line: string) => void } = {}): Promise<PushBenchResult> {
  const log = options.progress ?? ((line: string) => process.stderr.write(`${line}\n`));
  const quick = options.quick ?? false;
  const perPartition = quick ? 500 : 25_000;
  const total = perPartition * PARTITIONS;
  const { mf, url, bundles } = await startEdge();
  const receiver: WebhookReceiver = await startWebhookReceiver();
  const targetWorker = await mf.getWorker("rill-push-target");
  const targetState = async () => (await (await targetWorker.fetch("http://target/state")).json()) as ConsumerSnapshot;
  await targetWorker.fetch("http://target/configure", { method: "POST", body: JSON.stringify({ keepRecords: false }) });
  receiver.consumer.configure({ keepRecords: false });
  const pushed = (snapshot: ConsumerSnapshot, id: string) => snapshot.subscriptions[id]?.processed ?? 0;
  const subscriptionBody = (group: string, topic: string, target: unknown) => ({
    group,
    name: "bench",
    topics: [topic],
    target,
    startAt: "earliest",
    batchSize: 1000,
    maxConcurrency: PARTITIONS,
  });
  const delivered: PushBenchResult["delivered"] = {};
  try {
    const topic = "push-bench";
    await call(`${url}/v1/topics`, "POST", { name: topic, partitions: PARTITIONS });
    log(`producing ${total} records of ${VALUE_BYTES} B over ${PARTITIONS} partitions`);
    await produce(url, topic, perPartition);
    const drains: Array<{ consumer: PushRow["consumer"]; seconds: number }> = [];

    /** The baseline: a polling group consumer over HTTP (binary fetches, eachBatch). */
    async function drainPolling(round: number): Promise<void> {
      const group = `bench-poll-${round}`;
      const consumer = createClient({ brokers: [url], clientId: group }).consumer({
        groupId: group,
        autoOffsetReset: "earliest",
        fetchMaxWaitMs: 100,
      });
      await consumer.subscribe({ topics: [topic] });
      let seen = 0;
      const started = performance.now();
      await consumer.run({
        eachBatch: async ({ batch }) => {
          seen += batch.messages.length;
          if (seen >= total) void consumer.stop();
        },
      });
      drains.push({ consumer: "polling", seconds: (performance.now() - started) / 1000 });
      delivered[`polling ${round}`] = { expected: total, processed: seen };
      await consumer.disconnect();
    }

    /** A push subscription from the start of the backlog until its target has every record. */
    async function drainPush(consumer: "service" | "webhook", round: number): Promise<void> {
      const target = consumer === "service" ? { type: "service", binding: "PUSH_TARGET" } : { type: "webhook", url: receiver.url };
      const group = `bench-${consumer}-${round}`;
      const state = consumer === "service" ? targetState : async () => receiver.consumer.snapshot();
      const started = performance.now();
      const created = (await call(`${url}/v1/subscriptions`, "POST", subscriptionBody(group, topic, target))) as { secret: string };
      receiver.secrets.set(`${group}/bench`, created.secret);
      await waitFor(
        async () => pushed(await state(), `${group}/bench`) >= total,
        `${consumer} to drain`,
        quick ? 60_000 : 600_000,
        async () => JSON.stringify((await call(`${url}/v1/subscriptions/${group}/bench`, "GET")) as object).slice(0, 2000),
      );
      drains.push({ consumer, seconds: (performance.now() - started) / 1000 });
      delivered[`${consumer} ${round}`] = { expected: total, processed: pushed(await state(), `${group}/bench`) };
      await call(`${url}/v1/subscriptions/${group}/bench`, "DELETE");
    }

    // alternating rounds (polling, service, webhook, then the reverse), so drift on a shared machine evens out
    const order = ["polling", "service", "webhook"] as const;
    const rounds = quick ? 1 : 2;
    for (let round = 0; round < rounds; round++) {
      for (const consumer of round % 2 === 0 ? order : [...order].reverse()) {
        log(`round ${round + 1}: ${consumer} draining the backlog`);
        if (consumer === "polling") await drainPolling(round);
        else await drainPush(consumer, round);
      }
    }

    const secondsOf = (consumer: PushRow["consumer"]) => drains.filter((d) => d.consumer === consumer).reduce((n, d) => n + d.seconds, 0);
    const baseline = secondsOf("polling");
    const throughput = order.map((consumer) => {
      const seconds = secondsOf(consumer);
      const records = total * rounds;
      return {
        consumer,
        records,
        seconds,
        recordsPerSec: records / seconds,
        mbPerSec: (records * VALUE_BYTES) / seconds / 1e6,
        vsPolling: baseline / seconds,
      };
    });

    // all three side by side under a steady load: record timestamp to handler
    const rate = quick ? 200 : 1000;
    const seconds = quick ? 2 : 10;
    const live = "push-bench-live";
    await call(`${url}/v1/topics`, "POST", { name: live, partitions: PARTITIONS });
    log(`latency: ${rate} records/s for ${seconds} s, the three consumers side by side`);
    const pollLatency: number[] = [];
    const consumer = createClient({ brokers: [url], clientId: "bench-poll-live" }).consumer({
      groupId: "bench-poll-live",
      autoOffsetReset: "earliest",
      fetchMaxWaitMs: 500,
    });
    await consumer.subscribe({ topics: [live] });
    let polled = 0;
    const running = consumer.run({
      eachBatch: async ({ batch }) => {
        const now = Date.now();
        for (const m of batch.messages) pollLatency.push(now - m.timestamp);
        polled += batch.messages.length;
      },
    });
    for (const [name, target] of [
      ["service", { type: "service", binding: "PUSH_TARGET" }],
      ["webhook", { type: "webhook", url: receiver.url }],
    ] as const) {
      const created = (await call(`${url}/v1/subscriptions`, "POST", {
        ...subscriptionBody(`live-${name}`, live, target),
        batchSize: 100,
      })) as {
        secret: string;
      };
      receiver.secrets.set(`live-${name}/bench`, created.secret);
    }
    const value = new TextEncoder().encode("x".repeat(VALUE_BYTES));
    const perTick = Math.max(1, Math.round(rate / 50));
    const ticks = Math.round((seconds * rate) / perTick);
    const start = Date.now();
    for (let i = 0; i < ticks; i++) {
      const wait = start + (i * 1000 * perTick) / rate - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const batch = encodeBatch(Array.from({ length: perTick }, () => ({ value, timestamp: Date.now() })));
      await fetch(`${url}/v1/topics/${live}/partitions/${i % PARTITIONS}/batches?acks=1`, {
        method: "POST",
        headers: { "content-type": "application/vnd.rill.batches" },
        body: batch as Uint8Array<ArrayBuffer>,
      });
    }
    const sent = ticks * perTick;
    await waitFor(
      async () =>
        polled >= sent &&
        pushed(await targetState(), "live-service/bench") >= sent &&
        pushed(receiver.consumer.snapshot(), "live-webhook/bench") >= sent,
      "the live records everywhere",
      120_000,
    );
    await consumer.stop();
    await running;
    await consumer.disconnect();
    const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
    const row = (name: LatencyRow["consumer"], xs: number[]): LatencyRow => {
      const s = sorted(xs);
      return { consumer: name, samples: s.length, p50ms: percentile(s, 50), p99ms: percentile(s, 99) };
    };
    const latency = [
      row("polling", pollLatency),
      row("service", (await targetState()).subscriptions["live-service/bench"]?.latencyMs ?? []),
      row("webhook", receiver.consumer.snapshot().subscriptions["live-webhook/bench"]?.latencyMs ?? []),
    ];
    return { throughput, latency, delivered };
  } finally {
    await receiver.close();
    await mf.dispose();
    for (const file of bundles) rmSync(file, { force: true });
  }
}

export function formatPushReport(result: PushBenchResult): string {
  const fmt = (n: number | undefined, digits = 0) => (n === undefined || !Number.isFinite(n) ? "no sample" : n.toFixed(digits));
  const lines = [
    "Drain of one backlog (4 partitions, 100 B records; push batches of up to 1000), each consumer in its own group, alternating rounds:",
    "",
    "| consumer | records | seconds | records/s | MB/s | vs polling |",
    "|---|---:|---:|---:|---:|---:|",
    ...result.throughput.map(
      (r) =>
        `| ${r.consumer} | ${r.records} | ${fmt(r.seconds, 2)} | ${fmt(r.recordsPerSec)} | ${fmt(r.mbPerSec, 2)} | ${fmt(r.vsPolling, 2)} |`,
    ),
    "",
    "End-to-end latency, the three side by side at a fixed rate (record timestamp to handler):",
    "",
    "| consumer | samples | p50 ms | p99 ms |",
    "|---|---:|---:|---:|",
    ...result.latency.map((r) => `| ${r.consumer} | ${r.samples} | ${fmt(r.p50ms)} | ${fmt(r.p99ms)} |`),
  ];
  return `${lines.join("\n")}\n`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await runPushBench({ quick: process.argv.includes("--quick") });
  process.stdout.write(formatPushReport(result));
}
