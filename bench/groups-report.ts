// The report of bench:groups: the result shapes, the PASS/MISS verdicts against the issue's
// targets, and the Markdown tables (rule rows as biome formats them, so they paste as they are).

import type { Correctness, EventFigures } from "./groups-metrics.ts";
import { percentile } from "./groups-metrics.ts";
import type { JoinTrial } from "./groups-scenarios.ts";

export type BrokerKind = "in-process" | "edge";

/** One rebalance run at one producer rate. */
export interface RebalanceResult {
  /** Each partition gets a record this often. */
  intervalMs: number;
  events: EventFigures[];
  correctness: Correctness;
  /** Every acknowledged record came out before the drain deadline. */
  drained: boolean;
}

export interface BrokerResult {
  broker: BrokerKind;
  join: JoinTrial[];
  rebalances: RebalanceResult[];
  crashSessionTimeoutMs: number;
  warnings: number;
}

export interface Verdict {
  broker: BrokerKind;
  what: string;
  /** The figure judged: the worst one (p99 of the join trials; the worst member in the worst round); undefined: no sample. */
  valueMs: number | undefined;
  targetMs: number;
  /** Undefined when there was nothing to judge (no sample): neither a pass nor a miss. */
  pass: boolean | undefined;
  /** Context: the median and the same runs' worst steady-state stall (the noise floor). */
  context: string;
}

export const TARGETS = { joinFirstRecordMs: 100, pauseMs: 50 } as const;

export function verdicts(results: readonly BrokerResult[]): Verdict[] {
  return results.flatMap((r) => {
    const first = r.join.map((t) => t.firstRecordMs);
    const pauses = r.rebalances.flatMap((rb) =>
      (["join", "leave"] as const).map((kind) => {
        const events = rb.events.filter((e) => e.kind === kind);
        const stalls = sampled(events.map((e) => e.stallMs));
        const steady = sampled(events.map((e) => e.steadyStallMs));
        return {
          what: `pause on ${kind}, a record per partition every ${rb.intervalMs} ms, worst member and round`,
          valueMs: most(stalls),
          targetMs: TARGETS.pauseMs,
          context: `median round ${ms(percentile(stalls, 50))} ms; steady-state stall before the same events up to ${ms(most(steady))} ms`,
        };
      }),
    );
    const join = {
      what: "join → first record, p99",
      valueMs: percentile(first, 99),
      targetMs: TARGETS.joinFirstRecordMs,
      context: `p50 ${ms(percentile(first, 50))} ms over ${first.length} trials`,
    };
    return [join, ...pauses].map((v) => {
      const valueMs = v.valueMs !== undefined && Number.isFinite(v.valueMs) ? v.valueMs : undefined;
      return { broker: r.broker, ...v, valueMs, pass: valueMs === undefined ? undefined : valueMs <= v.targetMs };
    });
  });
}

/** The figures that have a sample. */
const sampled = (values: ReadonlyArray<number | undefined>): number[] => values.filter((v): v is number => v !== undefined);
/** The largest, or undefined when there is none. */
const most = (values: readonly number[]): number | undefined => (values.length > 0 ? Math.max(...values) : undefined);

/** What a figure without a sample prints as: absent, not 0. */
export const NO_SAMPLE = "no sample";

const ms = (n: number | undefined) => (n !== undefined && Number.isFinite(n) ? n.toFixed(n >= 100 ? 0 : 1) : NO_SAMPLE);

function table(head: string[], rows: string[][], numericFrom: number): string {
  const widths = head.map((h, i) => Math.max(3, h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (i >= numericFrom ? c.padStart(widths[i] as number) : c.padEnd(widths[i] as number))).join(" | ")} |`;
  // the rule row as biome formats Markdown tables, so the output pastes into BENCHMARKS.md as it is
  const rule = `| ${widths.map((w, i) => (i >= numericFrom ? `${"-".repeat(w - 1)}:` : "-".repeat(w))).join(" | ")} |`;
  return [line(head), rule, ...rows.map(line)].join("\n");
}

/** "p50 / max" over rounds, or the one figure. */
function spread(values: Array<number | undefined>, format: (n: number | undefined) => string = ms): string {
  const known = sampled(values);
  if (known.length === 0) return NO_SAMPLE;
  if (known.length === 1) return format(known[0]);
  return `${format(percentile(known, 50))} / ${format(Math.max(...known))}`;
}

export function formatGroupsReport(results: readonly BrokerResult[]): string {
  const join = table(
    ["broker", "trials", "assigned p50 ms", "first record p50 ms", "p99 ms", "max ms"],
    results.map((r) => {
      const first = r.join.map((t) => t.firstRecordMs);
      const assigned = r.join.map((t) => t.assignedMs);
      return [
        r.broker,
        String(r.join.length),
        ms(percentile(assigned, 50)),
        ms(percentile(first, 50)),
        ms(percentile(first, 99)),
        ms(Math.max(...first)),
      ];
    }),
    1,
  );
  const rebalanceRows = results.flatMap((r) =>
    r.rebalances.flatMap((rb) =>
      (["join", "leave", "crash"] as const).map((kind) => {
        const events = rb.events.filter((e) => e.kind === kind);
        const col = (f: (e: EventFigures) => number | undefined, format?: (n: number | undefined) => string) =>
          spread(events.map(f), format);
        return [
          r.broker,
          String(rb.intervalMs),
          kind === "crash" ? `crash (session ${r.crashSessionTimeoutMs} ms)` : kind,
          String(events.length),
          col((e) => e.stableMs),
          col(
            (e) => e.moved,
            (n) => String(n ?? "-"),
          ),
          col((e) => e.steadyGapMs),
          col((e) => e.gapMs),
          col((e) => e.steadyStallMs),
          col((e) => e.stallMs),
          col((e) => e.steadyProduceMs),
          col((e) => e.produceMs),
          col((e) => e.movedLatencyMs),
          col((e) => e.joinerFirstRecordMs),
        ];
      }),
    ),
  );
  const rebalanceTable = table(
    [
      "broker",
      "every ms",
      "event",
      "n",
      "stable ms",
      "moved",
      "steady gap ms",
      "gap ms",
      "steady stall ms",
      "pause ms",
      "steady produce ms",
      "produce ms",
      "moved latency ms",
      "joiner 1st record ms",
    ],
    rebalanceRows,
    3,
  );
  const counts = table(
    [
      "broker",
      "every ms",
      "produced",
      "processed",
      "lost",
      "duplicates",
      "redelivered after crash or expiry",
      "redelivered other",
      "expired members",
      "producer failures",
    ],
    results.flatMap((r) =>
      r.rebalances.map((rb) => {
        const c = rb.correctness;
        return [
          r.broker,
          rb.intervalMs,
          c.produced,
          c.processed,
          c.lost,
          c.duplicates,
          c.redeliveredAfterCrash,
          c.redeliveredOther,
          c.expiredMembers,
          c.producerFailures,
        ].map(String);
      }),
    ),
    1,
  );
  const lines = verdicts(results).map((v) =>
    v.pass === undefined
      ? `NONE ${v.broker}: ${v.what}: ${NO_SAMPLE} (target ≤ ${v.targetMs} ms; ${v.context})`
      : `${v.pass ? "PASS" : "MISS"} ${v.broker}: ${v.what} ${ms(v.valueMs)} ms (target ≤ ${v.targetMs} ms; ${v.context})`,
  );
  const notes = results.flatMap((r) => [
    ...r.rebalances.map((rb) => `${r.broker}, a record per partition every ${rb.intervalMs} ms: drained ${rb.drained}`),
    `${r.broker}: ${r.warnings} client warnings`,
  ]);
  return [join, "", rebalanceTable, "", counts, "", ...lines, "", ...notes].join("\n");
}
