// Consumer groups side by side: join → first record for every system that has groups, and the
// rebalance pause for those that assign partitions (Rill; Redis Streams and JetStream consumers
// share one stream's entries without an assignment, so a member joining or leaving pauses nobody).
// Rill's figures come from bench:groups' own scenarios (groups-scenarios.ts, groups-metrics.ts).

import { percentile } from "./bench-stats.ts";
import { eventFigures } from "./groups-metrics.ts";
import { joinTrials, rebalance } from "./groups-scenarios.ts";
import type { BenchTarget } from "./peers/types.ts";

export interface GroupFigure {
  system: string;
  trials: number;
  joinP50ms: number | undefined;
  joinP99ms: number | undefined;
  /** Worst stall of an unaffected member's kept partitions during a join or leave; undefined: not measured. */
  pauseMs: number | undefined;
  note: string;
  error?: string;
}

export async function rillGroups(
  system: string,
  url: string,
  options: { trials: number; rebalanceRounds: number; log: (line: string) => void },
): Promise<GroupFigure> {
  const run = `${system}-${Math.random().toString(36).slice(2, 7)}`;
  const warn = (m: string) => options.log(`  warning: ${m}`);
  try {
    options.log(`groups ${system}: ${options.trials} joins`);
    const trials = await joinTrials(url, { trials: options.trials, run, log: options.log, warn });
    const sorted = trials.map((t) => t.firstRecordMs).sort((a, b) => a - b);
    let pauseMs: number | undefined;
    if (options.rebalanceRounds > 0) {
      options.log(`groups ${system}: rebalance, ${options.rebalanceRounds} join+leave rounds`);
      const run2 = await rebalance(url, {
        run: `${run}-r`,
        members: 4,
        partitions: 16,
        intervalMs: 200,
        slots: 4,
        rounds: options.rebalanceRounds,
        settleMs: 1000,
        crashSessionTimeoutMs: 3000,
        log: options.log,
        warn,
      });
      const stalls = eventFigures(run2)
        .filter((e) => e.kind !== "crash")
        .map((e) => e.stallMs)
        .filter((v): v is number => v !== undefined);
      pauseMs = stalls.length > 0 ? Math.max(...stalls) : undefined;
    }
    return {
      system,
      trials: trials.length,
      joinP50ms: percentile(sorted, 50),
      joinP99ms: percentile(sorted, 99),
      pauseMs,
      note: "KIP-848 heartbeats, server-side assignment; pause: worst stall of a kept partition, 4 members, 16 partitions, a record per partition every 200 ms",
    };
  } catch (error) {
    return {
      system,
      trials: 0,
      joinP50ms: undefined,
      joinP99ms: undefined,
      pauseMs: undefined,
      note: "",
      error: String(error).slice(0, 200),
    };
  }
}

/** Redis and NATS: a fresh group (consumer group, durable consumer) per trial on a stream that holds records. */
export async function peerGroups(target: BenchTarget, options: { trials: number; log: (line: string) => void }): Promise<GroupFigure> {
  const join = target.joinFirstRecord?.bind(target);
  if (!join) throw new Error(`${target.name} has no groups`);
  const stream = `g${Math.random().toString(36).slice(2, 7)}`;
  try {
    options.log(`groups ${target.system}: ${options.trials} joins`);
    await target.create(stream, 1);
    await target.prepare({ valueSize: 100, perRequest: 100 })(stream, 0);
    const times: number[] = [];
    for (let i = 0; i < options.trials; i++) times.push(await join(stream, `group-${i}`));
    times.sort((a, b) => a - b);
    return {
      system: target.system,
      trials: times.length,
      joinP50ms: percentile(times, 50),
      joinP99ms: percentile(times, 99),
      pauseMs: undefined,
      note:
        target.system === "redis"
          ? "XGROUP CREATE + XREADGROUP; members share entries, no partition assignment: no rebalance pause"
          : "durable pull consumer created + first fetch; members share messages, no partition assignment: no rebalance pause",
    };
  } catch (error) {
    return {
      system: target.system,
      trials: 0,
      joinP50ms: undefined,
      joinP99ms: undefined,
      pauseMs: undefined,
      note: "",
      error: String(error).slice(0, 200),
    };
  }
}
