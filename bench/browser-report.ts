// bench:browser's scenarios, figures and Markdown table.
import type { Measured } from "./core-shared.ts";

export interface BrowserScenario {
  valueSize: number;
  batchSize: number;
  /** Timed ms per side per round. */
  minMs: number;
  rounds: number;
  /** A side stops a round early after this many batch bytes (bounds the disk used). */
  maxRoundBytes: number;
}

export interface Latency {
  p50: number | undefined;
  p99: number | undefined;
}

/** One measured operation beside its ceiling (the raw loop in the same context, same bytes). */
export interface SideBySide {
  batchBytes: number;
  measured: Measured;
  ceiling: Measured;
  /** Median over rounds of measured rate / neighbouring ceiling rate. */
  ratio: number | undefined;
  /** The raw loop with durability "relaxed", once, for reference (worker only). */
  relaxed?: Measured;
  latency?: Latency;
  ceilingLatency?: Latency;
}

export interface ScenarioFigures {
  storage: SideBySide;
  log: SideBySide;
  send: SideBySide;
  send64: SideBySide;
}

export interface BrowserRow extends SideBySide {
  context: "worker" | "page";
  op: string;
  valueSize: number;
  recordsPerBatch: number;
}

export const OPS: Array<{ key: keyof ScenarioFigures; context: BrowserRow["context"]; op: string }> = [
  { key: "storage", context: "worker", op: "storage.append" },
  { key: "log", context: "worker", op: "log.appendBatches" },
  { key: "send", context: "page", op: "producer.send" },
  { key: "send64", context: "page", op: "send, 64 in flight" },
];

const rate = (m: Measured) => (m.ms > 0 ? (m.records / m.ms) * 1000 : 0);
const mbps = (m: Measured, valueSize: number) => (m.ms > 0 ? (m.records * valueSize) / m.ms / 1000 : 0);
const int = (n: number) => Math.round(n).toLocaleString("en-US");
const fixed = (n: number | undefined, digits = 1) => (n === undefined ? "no sample" : n.toFixed(digits));
const size = (n: number) => (n >= 1024 ? `${n / 1024} KB` : `${n} B`);

export function recordsPerSecond(m: Measured): number {
  return rate(m);
}

/** The table: one line per row, figures of record values (1 MB = 10^6 bytes). */
export function formatBrowserTable(rows: readonly BrowserRow[]): string {
  const head = "| context | op | value | rec/batch | records/s | MB/s | raw idb rec/s | raw idb MB/s | ratio | p50 ms | p99 ms |";
  const rule = "|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|";
  const lines = rows.map((r) =>
    [
      "",
      r.context,
      r.op,
      size(r.valueSize),
      r.recordsPerBatch,
      int(rate(r.measured)),
      fixed(mbps(r.measured, r.valueSize)),
      int(rate(r.ceiling)),
      fixed(mbps(r.ceiling, r.valueSize)),
      r.ratio === undefined ? "no sample" : `${r.ratio.toFixed(2)}x`,
      r.latency ? fixed(r.latency.p50, 2) : "",
      r.latency ? fixed(r.latency.p99, 2) : "",
      "",
    ]
      .join(" | ")
      .trim(),
  );
  return [head, rule, ...lines].join("\n");
}

/** The raw loop's strict and relaxed durability side by side (worker, storage scenario). */
export function formatDurabilityTable(rows: readonly BrowserRow[]): string {
  const head = "| value | rec/batch | strict puts/s | relaxed puts/s | relaxed / strict |";
  const rule = "|---|--:|--:|--:|--:|";
  const lines = rows
    .filter((r) => r.relaxed && r.op === "storage.append")
    .map((r) => {
      const strict = rate(r.ceiling) / r.recordsPerBatch;
      const relaxed = rate(r.relaxed as Measured) / r.recordsPerBatch;
      return `| ${size(r.valueSize)} | ${r.recordsPerBatch} | ${int(strict)} | ${int(relaxed)} | ${strict > 0 ? (relaxed / strict).toFixed(2) : "no sample"}x |`;
    });
  return [head, rule, ...lines].join("\n");
}

export function formatBrowserReport(rows: readonly BrowserRow[]): string {
  const send1 = rows.find((r) => r.op === "producer.send" && r.recordsPerBatch === 1 && r.valueSize === 100);
  const latency = send1?.latency
    ? `\none-record producer.send (100 B, acks=all, awaited): p50 ${fixed(send1.latency.p50, 2)} ms, p99 ${fixed(send1.latency.p99, 2)} ms; raw put in the page: p50 ${fixed(send1.ceilingLatency?.p50, 2)} ms, p99 ${fixed(send1.ceilingLatency?.p99, 2)} ms\n`
    : "";
  return `${formatBrowserTable(rows)}\n${latency}\nRaw IndexedDB loop in the worker, durability strict vs relaxed (one put per transaction):\n\n${formatDurabilityTable(rows)}\n`;
}
