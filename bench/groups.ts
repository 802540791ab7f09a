// `npm run bench:groups [-- --quick] [-- --in-process-only]`: consumer groups through @rill/client,
// against the in-process broker (memory storage behind @hono/node-server on 127.0.0.1) and the
// local edge broker (wrangler dev + workerd, test/harness/local-broker.ts):
//   join:      a lone member's subscribe + run → first record, on a topic with records in it, a
//              fresh group per trial (p50/p99)
//   rebalance: 8 members on 64 partitions under a fixed-rate producer (send time in each value);
//              a 9th joins, an old one leaves (close()), later one crashes (its requests cut off,
//              no leave: its session timeout dominates, reported apart). For the members not
//              joining or leaving: the longest gap and stall on the partitions they kept, steady
//              vs during the rebalance; the time until every partition is owned again; and
//              whether any record was lost or processed twice within one epoch.
// Progress on stderr, Markdown tables and PASS/MISS lines against the issue's targets on stdout.

import type { AddressInfo } from "node:net";
import { pathToFileURL } from "node:url";
import { serve } from "@hono/node-server";
import { createBusApp, createLocalBroker } from "@rill/server";
import { createMemoryStorage } from "@rill/storage-memory";
import { startLocalBroker } from "../test/harness/local-broker.ts";
import { type Correctness, correctness, type EventFigures, eventFigures, percentile } from "./groups-metrics.ts";
import { type JoinTrial, joinTrials, rebalance } from "./groups-scenarios.ts";

export type BrokerKind = "in-process" | "edge";

export interface BrokerResult {
  broker: BrokerKind;
  join: JoinTrial[];
  events: EventFigures[];
  correctness: Correctness;
  /** Every acknowledged record came out before the drain deadline. */
  drained: boolean;
  /** Producer spacing per partition, ms. */
  intervalMs: number;
  crashSessionTimeoutMs: number;
  warnings: number;
}

export interface Verdict {
  broker: BrokerKind;
  what: string;
  valueMs: number;
  targetMs: number;
  pass: boolean;
}

export interface GroupsBenchOptions {
  /** Tiny volumes: a smoke test of a few seconds, figures not meaningful. */
  quick?: boolean;
  /** Which brokers (default: both). */
  brokers?: BrokerKind[];
  /** Progress lines (default: stderr). */
  progress?: (line: string) => void;
}

export const TARGETS = { joinFirstRecordMs: 100, pauseMs: 50 } as const;

async function startInProcess(): Promise<{ url: string; stop(): Promise<void> }> {
  const app = createBusApp(createLocalBroker({ storage: createMemoryStorage() }));
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0 }, () => resolve(s));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export async function runGroupsBench(options: GroupsBenchOptions = {}): Promise<BrokerResult[]> {
  const log = options.progress ?? ((line: string) => process.stderr.write(`${line}\n`));
  const quick = options.quick ?? false;
  const results: BrokerResult[] = [];
  for (const kind of options.brokers ?? (["in-process", "edge"] as const)) {
    log(`bench:groups: starting the ${kind} broker`);
    const broker = kind === "edge" ? await startLocalBroker() : await startInProcess();
    let warnings = 0;
    const warn = (message: string) => {
      warnings++;
      if (warnings <= 5) log(`  warning: ${message}`);
    };
    try {
      const run = `${kind}-${Math.random().toString(36).slice(2, 8)}`;
      const trials = await joinTrials(broker.url, { trials: quick ? 3 : 30, run, log, warn });
      const intervalMs = quick ? 40 : kind === "edge" ? 40 : 20;
      const crashSessionTimeoutMs = quick ? 1000 : 3000;
      const rebalanced = await rebalance(broker.url, {
        run,
        members: 8,
        partitions: 64,
        intervalMs,
        slots: 8,
        rounds: quick ? 1 : 5,
        settleMs: quick ? 500 : 1500,
        crashSessionTimeoutMs,
        log,
        warn,
      });
      results.push({
        broker: kind,
        join: trials,
        events: eventFigures(rebalanced),
        correctness: correctness(rebalanced),
        drained: rebalanced.drained,
        intervalMs,
        crashSessionTimeoutMs,
        warnings,
      });
    } finally {
      await broker.stop();
    }
  }
  return results;
}

export function verdicts(results: readonly BrokerResult[]): Verdict[] {
  return results.flatMap((r) => {
    const worst = (kind: string) => Math.max(...r.events.filter((e) => e.kind === kind).map((e) => e.stallMs));
    const joinP99 = percentile(
      r.join.map((t) => t.firstRecordMs),
      99,
    );
    return [
      { what: "join → first record, p99", valueMs: joinP99, targetMs: TARGETS.joinFirstRecordMs },
      { what: "pause on join, worst member and round", valueMs: worst("join"), targetMs: TARGETS.pauseMs },
      { what: "pause on leave, worst member and round", valueMs: worst("leave"), targetMs: TARGETS.pauseMs },
    ].map((v) => ({ broker: r.broker, ...v, pass: v.valueMs <= v.targetMs }));
  });
}

const ms = (n: number) => (Number.isFinite(n) ? n.toFixed(n >= 100 ? 0 : 1) : "-");

function table(head: string[], rows: string[][], numericFrom: number): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (i >= numericFrom ? c.padStart(widths[i] as number) : c.padEnd(widths[i] as number))).join(" | ")} |`;
  // the rule row as biome formats Markdown tables, so the output pastes into BENCHMARKS.md as it is
  const rule = `| ${widths.map((w, i) => (i >= numericFrom ? `${"-".repeat(w - 1)}:` : "-".repeat(w))).join(" | ")} |`;
  return [line(head), rule, ...rows.map(line)].join("\n");
}

/** "p50 / max" over rounds, or the one figure. */
function spread(values: number[]): string {
  if (values.length === 1) return ms(values[0] as number);
  return `${ms(percentile(values, 50))} / ${ms(Math.max(...values))}`;
}

export function formatGroupsReport(results: readonly BrokerResult[]): string {
  const join = table(
    ["broker", "trials", "assigned p50 ms", "first record p50 ms", "p99 ms", "max ms"],
    results.map((r) => {
      const first = r.join.map((t) => t.firstRecordMs);
      return [
        r.broker,
        String(r.join.length),
        ms(
          percentile(
            r.join.map((t) => t.assignedMs),
            50,
          ),
        ),
        ms(percentile(first, 50)),
        ms(percentile(first, 99)),
        ms(Math.max(...first)),
      ];
    }),
    1,
  );
  const rebalanceRows = results.flatMap((r) =>
    (["join", "leave", "crash"] as const).map((kind) => {
      const events = r.events.filter((e) => e.kind === kind);
      const col = (f: (e: EventFigures) => number) => spread(events.map(f));
      const label = kind === "crash" ? `crash (session ${r.crashSessionTimeoutMs} ms)` : kind;
      return [
        r.broker,
        label,
        String(events.length),
        col((e) => e.stableMs),
        col((e) => e.confirmedMs),
        col((e) => e.moved),
        col((e) => e.steadyGapMs),
        col((e) => e.gapMs),
        col((e) => e.steadyStallMs),
        col((e) => e.stallMs),
        col((e) => e.movedLatencyMs),
      ];
    }),
  );
  const rebalanceTable = table(
    [
      "broker",
      "event",
      "n",
      "stable ms",
      "Stable (describe) ms",
      "moved",
      "steady gap ms",
      "gap ms",
      "steady stall ms",
      "pause ms",
      "moved latency ms",
    ],
    rebalanceRows,
    2,
  );
  const counts = table(
    ["broker", "produced", "processed", "lost", "duplicates", "redelivered after crash", "redelivered other", "producer failures"],
    results.map((r) => {
      const c = r.correctness;
      return [r.broker, c.produced, c.processed, c.lost, c.duplicates, c.redeliveredAfterCrash, c.redeliveredOther, c.producerFailures].map(
        String,
      );
    }),
    1,
  );
  const lines = verdicts(results).map(
    (v) => `${v.pass ? "PASS" : "MISS"} ${v.broker}: ${v.what} ${ms(v.valueMs)} ms (target ≤ ${v.targetMs} ms)`,
  );
  const notes = results.map(
    (r) => `${r.broker}: a record per partition every ${r.intervalMs} ms; ${r.warnings} client warnings; drained: ${r.drained}`,
  );
  return [join, "", rebalanceTable, "", counts, "", ...lines, "", ...notes].join("\n");
}

async function main(): Promise<void> {
  const quick = process.argv.includes("--quick");
  const brokers: BrokerKind[] = process.argv.includes("--in-process-only") ? ["in-process"] : ["in-process", "edge"];
  const started = performance.now();
  const results = await runGroupsBench({ quick, brokers });
  process.stdout.write(`${formatGroupsReport(results)}\n`);
  process.stderr.write(`bench:groups${quick ? " --quick" : ""} took ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    process.stderr.write(`${(error as Error)?.stack ?? error}\n`);
    process.exitCode = 1;
  });
}
