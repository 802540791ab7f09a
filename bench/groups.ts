// `npm run bench:groups [-- --quick] [-- --in-process-only]`: consumer groups through @rill/client,
// against the in-process broker (memory storage served by @rill/node on 127.0.0.1) and the
// local edge broker (wrangler dev + workerd, test/harness/local-broker.ts):
//   join:      a lone member's subscribe + run → first record, on a topic with records in it, a
//              fresh group per trial (p50/p99)
//   rebalance: 8 members on 64 partitions under a fixed-rate producer (send time in each value);
//              a 9th joins, an old one leaves (close()), later one crashes (its requests cut off,
//              no leave: its session timeout dominates, reported apart). For the members not
//              joining or leaving: the longest gap and stall on the partitions they kept, steady
//              vs during the rebalance; the time until every partition is owned again; and
//              whether any record was lost or processed twice within one epoch.
// Progress on stderr, Markdown tables and PASS/MISS lines against the targets on stdout.
// Experiments: `--edge-only`, `--assignor range|roundrobin|sticky`, `--fetch-max-wait <ms>`,
// `--every <ms>` (the producer's spacing per partition, instead of the defaults below).

import { pathToFileURL } from "node:url";
import type { AssignorName } from "@rill/client";
import { startNodeBroker } from "@rill/node";
import { startLocalBroker } from "../test/harness/local-broker.ts";
import { correctness, eventFigures } from "./groups-metrics.ts";
import { type BrokerKind, type BrokerResult, formatGroupsReport, type RebalanceResult } from "./groups-report.ts";
import { joinTrials, rebalance } from "./groups-scenarios.ts";

export {
  type BrokerKind,
  type BrokerResult,
  formatGroupsReport,
  NO_SAMPLE,
  type RebalanceResult,
  TARGETS,
  type Verdict,
  verdicts,
} from "./groups-report.ts";

export interface GroupsBenchOptions {
  /** Tiny volumes: a smoke test of a few seconds, figures not meaningful. */
  quick?: boolean;
  /** Which brokers (default: both). */
  brokers?: BrokerKind[];
  /** Progress lines (default: stderr). */
  progress?: (line: string) => void;
  /** Experiments: the group's assignor (default: the broker's, sticky) and the members' fetchMaxWaitMs (default 500). */
  assignor?: AssignorName;
  fetchMaxWaitMs?: number;
  /** Overrides the producer rates: ms between two records of one partition. */
  intervalMs?: number;
}

/**
 * Producer rates (ms between two records of one partition). Every record is one fetch answer, and
 * the HTTP stack costs about a millisecond of CPU per request on each side, so these are what each
 * broker sustains on this 2-core machine: in-process (broker, 9 members and the producer on one
 * event loop) ~35% and ~75% of a core; the edge (workerd on the other core) ~200 records/s.
 */
const RATES: Record<BrokerKind, { full: number[]; quick: number }> = {
  "in-process": { full: [200, 100], quick: 100 },
  edge: { full: [320], quick: 320 },
};

async function startInProcess(): Promise<{ url: string; stop(): Promise<void> }> {
  const served = await startNodeBroker();
  return { url: served.url, stop: served.close };
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
      // members long-poll heartbeats for a third of their session, which leaves two thirds for the
      // round trip: 1 s (the broker's minimum) is too tight for a busy 2-core machine, where the
      // victim would then expire before its crash and muddle what the run measures
      const crashSessionTimeoutMs = 3000;
      const rebalances: RebalanceResult[] = [];
      const rates = options.intervalMs ? [options.intervalMs] : quick ? [RATES[kind].quick] : RATES[kind].full;
      for (const intervalMs of rates) {
        const rebalanced = await rebalance(broker.url, {
          run: `${run}-${intervalMs}`,
          members: 8,
          partitions: 64,
          intervalMs,
          slots: 8,
          rounds: quick ? 1 : 5,
          settleMs: quick ? 500 : 1500,
          crashSessionTimeoutMs,
          assignor: options.assignor,
          fetchMaxWaitMs: options.fetchMaxWaitMs,
          log,
          warn,
        });
        rebalances.push({
          intervalMs,
          events: eventFigures(rebalanced),
          correctness: correctness(rebalanced),
          drained: rebalanced.drained,
        });
      }
      results.push({ broker: kind, join: trials, rebalances, crashSessionTimeoutMs, warnings });
    } finally {
      await broker.stop();
    }
  }
  return results;
}

async function main(): Promise<void> {
  const quick = process.argv.includes("--quick");
  const only = process.argv.includes("--in-process-only") ? "in-process" : process.argv.includes("--edge-only") ? "edge" : undefined;
  const brokers: BrokerKind[] = only ? [only] : ["in-process", "edge"];
  const flag = (name: string) => {
    const at = process.argv.indexOf(name);
    return at >= 0 ? process.argv[at + 1] : undefined;
  };
  const assignor = flag("--assignor") as AssignorName | undefined;
  const fetchMaxWaitMs = flag("--fetch-max-wait") !== undefined ? Number(flag("--fetch-max-wait")) : undefined;
  const intervalMs = flag("--every") !== undefined ? Number(flag("--every")) : undefined;
  const started = performance.now();
  const results = await runGroupsBench({ quick, brokers, assignor, fetchMaxWaitMs, intervalMs });
  process.stdout.write(`${formatGroupsReport(results)}\n`);
  process.stderr.write(`bench:groups${quick ? " --quick" : ""} took ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    process.stderr.write(`${(error as Error)?.stack ?? error}\n`);
    process.exitCode = 1;
  });
}
