// npm run bench — Rill beside what a user would pick instead, on one machine in one run: every
// system started on 127.0.0.1 (bench-systems.ts), driven by the same load generator in this
// process (keep-alive HTTP, or the system's own Node client), progress on stderr, Markdown on
// stdout, the throughput chart as SVG files. Workloads: produce (100 B and 1 KB records, 1, 100
// and 1000 per request, 1 and 8 partitions) in alternating rounds; end-to-end latency at 25, 50
// and 75 % of each system's own peak, from the scheduled send time; catch-up read of 1M records;
// consumer group join → first record and rebalance pause; the edge's cost per million records.
// Nothing is asserted about speed. `--quick`: a smoke run of every part in well under a minute.
//   --only rill-edge,redis      systems to run (default: all; see ALL_SYSTEMS)
//   --versions <c1,c2,...>      only the edge, as of each commit and the working tree: before/after ratios
//   --svg-dir <dir>             where the charts go (default docs/bench; --quick: .tmp/bench)
//   --catch-up-only [records]   only the catch-up read (default 1M records), 3 rounds in alternating order;
//                               with --versions 9 rounds, each version's read against the one before it
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { catchUpRatioTable, measureCatchUp } from "./bench-catchup.ts";
import { measureCost } from "./bench-cost.ts";
import { type GroupFigure, peerGroups, rillGroups } from "./bench-groups.ts";
import { measureLatency } from "./bench-latency.ts";
import { measureProduce, type ProduceCell } from "./bench-produce.ts";
import {
  catchUpTable,
  costTable,
  groupsTable,
  latencyTable,
  produceTable,
  ratioTable,
  systemsTable,
  throughputSvg,
} from "./bench-report.ts";
import { loadAverage } from "./bench-stats.ts";
import { ALL_SYSTEMS, type SystemName, startSystems } from "./bench-systems.ts";
import type { BenchTarget } from "./peers/types.ts";

const root = new URL("..", import.meta.url).pathname;

export interface BenchOptions {
  quick?: boolean;
  systems?: SystemName[];
  /** Commits whose edge runs beside the working tree's (produce only). */
  versions?: string[];
  svgDir?: string;
  /** Only the catch-up read of this many records (3 rounds; with versions, before/after ratios). */
  catchUpOnly?: number;
  log?: (line: string) => void;
}

export interface BenchResult {
  markdown: string;
  svgFiles: string[];
  seconds: number;
}

function cells(quick: boolean, versions: boolean): ProduceCell[] {
  if (versions) return [1, 1000].map((perRequest) => ({ valueSize: 100, perRequest, partitions: 1 }));
  const out: ProduceCell[] = [];
  for (const partitions of [1, 8])
    for (const valueSize of [100, 1024]) for (const perRequest of [1, 100, 1000]) out.push({ valueSize, perRequest, partitions });
  return quick ? out.filter((c) => c.perRequest !== 100 || c.valueSize === 100) : out;
}

/** The catch-up read alone, in alternating rounds; each commit's edge against the one before it. */
async function catchUpOnly(targets: readonly BenchTarget[], records: number, rounds: number, log: (line: string) => void): Promise<string> {
  // the versions of one format read one after another, so a round's ratio compares neighbours
  const format = (t: BenchTarget) => (t.name.endsWith("(json)") ? 1 : 0);
  const readers = targets
    .filter((t) => t.system !== "ceiling" && t.system !== "rill-wrangler" && t.name !== "redis (appendfsync everysec)")
    .sort((a, b) => format(a) - format(b));
  const figures = await measureCatchUp(readers, {
    records,
    rounds,
    log,
    shareStream: (t) => (t.system.startsWith("rill") ? t.system : undefined),
  });
  const md = [
    `### Catch-up read of ${records.toLocaleString("en-US")} records of 100 B from the start (median of rounds)`,
    "",
    catchUpTable(figures),
  ];
  const names = readers.map((t) => t.name);
  const pairs: Array<[string, string]> = [];
  for (const format of ["binary", "json"]) {
    const chain = names.filter((n) => n.startsWith("rill edge") && n.endsWith(`(${format})`));
    // commits in the order given, the working tree last
    const ordered = [...chain.filter((n) => n.includes("@")), ...chain.filter((n) => !n.includes("@"))];
    for (let i = 1; i < ordered.length; i++) pairs.push([ordered[i] as string, ordered[i - 1] as string]);
  }
  if (pairs.length > 0)
    md.push("", "Each version against the one before it (median of per-round ratios):", "", catchUpRatioTable(figures, pairs));
  return md.join("\n");
}

export async function runBench(options: BenchOptions = {}): Promise<BenchResult> {
  const quick = options.quick ?? false;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const started = performance.now();
  const versions = options.versions ?? [];
  const wanted: SystemName[] =
    versions.length > 0 ? ["rill-edge"] : (options.systems ?? (quick ? ALL_SYSTEMS.filter((s) => s !== "rill-wrangler") : ALL_SYSTEMS));
  const systems = await startSystems(wanted, log, { baselines: versions });
  const md: string[] = [];
  const svgFiles: string[] = [];
  try {
    const targets = systems.running.flatMap((s) => s.targets);
    md.push(
      `Run ${new Date().toISOString()}, load average at start ${(await loadAverage()).toFixed(1)}${quick ? " (--quick: volumes too small to mean anything)" : ""}.`,
    );
    md.push("", "### Systems", "", systemsTable(systems.running, systems.missing));
    if (options.catchUpOnly !== undefined) {
      md.push("", await catchUpOnly(targets, options.catchUpOnly, quick ? 1 : versions.length > 0 ? 9 : 3, log));
      return { markdown: md.join("\n"), svgFiles, seconds: (performance.now() - started) / 1000 };
    }

    const produce = await measureProduce(targets, {
      cells: cells(quick, versions.length > 0),
      inFlight: 8,
      rounds: quick ? 1 : versions.length > 0 ? 7 : 3,
      roundMs: quick ? 50 : 500,
      maxRequests: quick ? 4 : 1e9,
      warmupRequests: quick ? 2 : 16,
      log,
    });
    md.push("", "### Produce, records/s (8 requests in flight, acknowledged as each system's row above says)", "", produceTable(produce));
    const rill = targets.filter((t) => t.system.startsWith("rill") && !t.system.includes("@")).map((t) => t.name);
    if (versions.length > 0) {
      const names = targets.map((t) => t.name);
      const pairs: string[] = [];
      for (const format of ["binary", "json"]) {
        const chain = names.filter((n) => n.endsWith(`(${format})`));
        // commits in the order given, the working tree last
        const ordered = [...chain.filter((n) => n.includes("@")), ...chain.filter((n) => !n.includes("@"))];
        for (let i = 1; i < ordered.length; i++) pairs.push(`${ordered[i]}|${ordered[i - 1]}`);
      }
      md.push("", "### Before/after: each version against the one before it (median of per-round ratios)", "");
      for (const pair of pairs) {
        const [after, before] = pair.split("|") as [string, string];
        md.push(`#### ${after} vs ${before}`, "", ratioTable(produce, [after], [before]), "");
      }
    } else {
      const peers = targets.filter((t) => !t.system.startsWith("rill")).map((t) => t.name);
      const edge = rill.filter((n) => n.startsWith("rill edge ("));
      md.push(
        "",
        "### Produce: Rill at the edge against each peer (median over rounds of the rates in the same round)",
        "",
        ratioTable(produce, edge, peers),
      );
      const others = rill.filter((n) => !n.startsWith("rill edge ("));
      if (others.length > 0) md.push("", "Rill's other runtimes against the same peers:", "", ratioTable(produce, others, peers));
      const dir = options.svgDir ?? join(root, quick ? ".tmp/bench" : "docs/bench");
      mkdirSync(dir, { recursive: true });
      for (const [valueSize, partitions] of [
        [100, 1],
        [100, 8],
        [1024, 1],
      ] as const) {
        const file = join(dir, `throughput-${valueSize === 1024 ? "1KB" : `${valueSize}B`}-${partitions}p.svg`);
        const size = valueSize === 1024 ? "1 KB" : `${valueSize} B`;
        writeFileSync(
          file,
          throughputSvg(
            produce,
            valueSize,
            partitions,
            `Produce, ${size} records, ${partitions} partition${partitions > 1 ? "s" : ""}: records/s by records per request`,
          ),
        );
        svgFiles.push(file);
      }

      // one consumer per system: Rill's binary fetch (the client's), Durable Streams' JSON messages
      const tailing = targets.filter(
        (t) =>
          t.system !== "ceiling" && !(t.system.startsWith("rill") && t.name.endsWith("(json)")) && t.name !== "durable-streams (binary)",
      );
      const peaks = new Map(
        produce
          .filter((f) => f.cell.perRequest === 1 && f.cell.partitions === 1 && f.cell.valueSize === 100 && !f.error)
          .map((f) => [f.target, f.recordsPerSec]),
      );
      const latency = await measureLatency(tailing, peaks, {
        shares: [0.25, 0.5, 0.75],
        seconds: quick ? 0.2 : 3,
        maxRecords: quick ? 10 : 20_000,
        log,
      });
      md.push(
        "",
        "### End-to-end latency at fixed rates (one record per request, open loop, from the scheduled send time to the consumer)",
        "",
        latencyTable(latency),
      );

      const readers = targets.filter(
        (t) => t.system !== "ceiling" && t.system !== "rill-wrangler" && t.name !== "redis (appendfsync everysec)",
      );
      const catchUp = await measureCatchUp(readers, {
        records: quick ? 2_000 : 1_000_000,
        // the median of 3 reads in alternating order: a single first read also times the load
        // generator's JIT warming up on answers of this size
        rounds: quick ? 1 : 3,
        log,
        shareStream: (t) => (t.system.startsWith("rill") ? t.system : undefined),
      });
      md.push(
        "",
        `### Catch-up read of ${quick ? "2,000" : "1,000,000"} records of 100 B from the start${quick ? "" : " (median of 3 reads)"}`,
        "",
        catchUpTable(catchUp),
      );

      const groups: GroupFigure[] = [];
      const urlOf = (system: string) =>
        systems.running.find((s) => s.system === system)?.targets[0] as (BenchTarget & { url?: string }) | undefined;
      for (const system of ["rill-edge", "rill-node"]) {
        const target = urlOf(system);
        const url = target?.url;
        if (url) groups.push(await rillGroups(system, url, { trials: quick ? 1 : 10, rebalanceRounds: quick ? 0 : 2, log }));
      }
      for (const t of targets.filter((x) => x.joinFirstRecord && x.name !== "redis (appendfsync everysec)"))
        groups.push(await peerGroups(t, { trials: quick ? 1 : 10, log }));
      md.push("", "### Consumer groups", "", groupsTable(groups));

      if (systems.edge) {
        const cost = await measureCost(systems.edge, {
          requests: (perRequest) => (quick ? 3 : perRequest === 1 ? 2000 : perRequest === 100 ? 500 : 200),
          log,
        });
        md.push("", "### Cost per million records at the edge (counted by the partition object)", "", costTable(cost));
      }
    }
  } finally {
    await systems.stop();
  }
  const seconds = (performance.now() - started) / 1000;
  md.push("", `Took ${seconds.toFixed(0)} s.`);
  return { markdown: md.join("\n"), svgFiles, seconds };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const flag = (name: string) => {
    const at = process.argv.indexOf(name);
    return at >= 0 ? process.argv[at + 1] : undefined;
  };
  runBench({
    quick: process.argv.includes("--quick"),
    systems: flag("--only")?.split(",") as SystemName[] | undefined,
    versions: flag("--versions")?.split(","),
    svgDir: flag("--svg-dir"),
    catchUpOnly: process.argv.includes("--catch-up-only")
      ? Number(/^\d+$/.test(flag("--catch-up-only") ?? "") ? flag("--catch-up-only") : process.argv.includes("--quick") ? 2000 : 1_000_000)
      : undefined,
  })
    .then((result) => {
      process.stdout.write(`${result.markdown}\n`);
      for (const f of result.svgFiles) process.stderr.write(`chart: ${f}\n`);
    })
    .catch((error: unknown) => {
      process.stderr.write(`${(error as Error)?.stack ?? error}\n`);
      process.exitCode = 1;
    });
}
