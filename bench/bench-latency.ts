// End-to-end latency at fixed rates, timed from each record's scheduled send time (as the
// OpenMessaging Benchmark does): a producer sends one record per request on a fixed schedule,
// whatever the answers do (open loop), and a consumer tailing the stream notes when each arrives.
// A slow answer delays nothing else, so it cannot hide behind the schedule. Rates are shares of the
// target's own peak for one record per request, measured earlier in the same run.
import { loadAverage, percentile } from "./bench-stats.ts";
import type { BenchTarget } from "./peers/types.ts";
import { leadingNumber, padded } from "./peers/types.ts";

export interface LatencyFigure {
  target: string;
  system: string;
  /** Share of peak (0.25, 0.5, 0.75) and the rate it came to, records/s. */
  share: number;
  rate: number;
  sent: number;
  received: number;
  p50ms: number | undefined;
  p99ms: number | undefined;
  p999ms: number | undefined;
  load: number;
  error?: string;
}

export interface LatencyOptions {
  shares: number[];
  /** Seconds per rate. */
  seconds: number;
  /** Most records per rate (quick runs). */
  maxRecords: number;
  log: (line: string) => void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function oneRate(
  target: BenchTarget,
  stream: string,
  rate: number,
  options: LatencyOptions,
): Promise<Omit<LatencyFigure, "share" | "load">> {
  const latencies: number[] = [];
  const tail = await target.tail(stream, (values, seenAt) => {
    for (const v of values) latencies.push(seenAt - leadingNumber(v));
  });
  const total = Math.max(1, Math.min(options.maxRecords, Math.round(rate * options.seconds)));
  const sends: Promise<void>[] = [];
  let failures = 0;
  try {
    // a moment for the tail's first poll to be waiting
    await sleep(50);
    const start = performance.now() + 5;
    for (let i = 0; i < total; i++) {
      const due = start + (i * 1000) / rate;
      const wait = due - performance.now();
      // sleep to the send time (a timer is late by a millisecond at most, counted against the
      // system); behind schedule, yield once all the same: answers and the tail must run
      // meanwhile, or at thousands of records/s nothing would be read until the schedule ends
      if (wait >= 1) await sleep(wait);
      else await new Promise((r) => setImmediate(r));
      sends.push(target.sendText(stream, padded(due.toFixed(3), 100)).catch(() => void failures++));
    }
    await Promise.all(sends);
    const deadline = performance.now() + 5_000;
    while (latencies.length < total - failures && performance.now() < deadline) await sleep(10);
  } finally {
    await tail.stop();
  }
  const sorted = latencies.sort((a, b) => a - b);
  return {
    target: target.name,
    system: target.system,
    rate,
    sent: total,
    received: sorted.length,
    p50ms: percentile(sorted, 50),
    p99ms: percentile(sorted, 99),
    p999ms: percentile(sorted, 99.9),
    ...(failures > 0 ? { error: `${failures} sends failed` } : {}),
  };
}

/** `peaks`: each target's records/s at one record per request (from the produce rounds). */
export async function measureLatency(
  targets: readonly BenchTarget[],
  peaks: Map<string, number>,
  options: LatencyOptions,
): Promise<LatencyFigure[]> {
  const figures: LatencyFigure[] = [];
  const run = Math.random().toString(36).slice(2, 7);
  for (const [t, target] of targets.entries()) {
    const peak = peaks.get(target.name);
    if (!peak) continue;
    for (const share of options.shares) {
      const rate = Math.max(1, Math.round(peak * share));
      const stream = `l${run}t${t}s${Math.round(share * 100)}`;
      options.log(`latency ${target.name} at ${Math.round(share * 100)} % of peak (${rate} records/s)`);
      try {
        await target.create(stream, 1);
        const figure = await oneRate(target, stream, rate, options);
        figures.push({ ...figure, share, load: await loadAverage() });
      } catch (error) {
        figures.push({
          target: target.name,
          system: target.system,
          share,
          rate,
          sent: 0,
          received: 0,
          p50ms: undefined,
          p99ms: undefined,
          p999ms: undefined,
          load: await loadAverage(),
          error: String(error).slice(0, 200),
        });
      }
    }
  }
  return figures;
}
