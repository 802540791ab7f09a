// Produce throughput of every target on the same workloads, in alternating rounds: for each shape
// (value size, records per request, partitions) every target writes into a fresh stream of its own
// with the same number of requests in flight; round r runs the targets in order, round r+1 in the
// reverse order, so a slow patch of the machine is shared rather than landing on one target.
import { loadAverage, percentile, type Round } from "./bench-stats.ts";
import type { BenchTarget, SendRequest } from "./peers/types.ts";

export interface ProduceCell {
  valueSize: number;
  perRequest: number;
  partitions: number;
}

export interface ProduceFigure {
  target: string;
  system: string;
  cell: ProduceCell;
  records: number;
  seconds: number;
  recordsPerSec: number;
  mbPerSec: number;
  /** Per request, with `inFlight` outstanding. */
  p50ms: number | undefined;
  p99ms: number | undefined;
  rounds: Round[];
  /** 1-minute load average when the cell ended. */
  load: number;
  error?: string;
}

export interface ProduceOptions {
  cells: ProduceCell[];
  inFlight: number;
  rounds: number;
  /** Time per target per round. */
  roundMs: number;
  /** Cap on requests per target per round (quick runs). */
  maxRequests: number;
  warmupRequests: number;
  log: (line: string) => void;
}

export const cellLabel = (c: ProduceCell) =>
  `${c.valueSize === 1024 ? "1 KB" : `${c.valueSize} B`} x${c.perRequest}/req, ${c.partitions} partition${c.partitions > 1 ? "s" : ""}`;

/** Sends for `ms` (or `maxRequests`) with `inFlight` outstanding, spreading requests over partitions. */
async function drive(
  send: SendRequest,
  stream: string,
  partitions: number,
  inFlight: number,
  ms: number,
  maxRequests: number,
  latencies: number[],
): Promise<{ requests: number; ms: number }> {
  let next = 0;
  const started = performance.now();
  const deadline = started + ms;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < maxRequests && performance.now() < deadline) {
        const i = next++;
        const t = performance.now();
        await send(stream, i % partitions);
        latencies.push(performance.now() - t);
      }
    }),
  );
  return { requests: next, ms: performance.now() - started };
}

export async function measureProduce(targets: readonly BenchTarget[], options: ProduceOptions): Promise<ProduceFigure[]> {
  const figures: ProduceFigure[] = [];
  const run = Math.random().toString(36).slice(2, 7);
  for (const [c, cell] of options.cells.entries()) {
    options.log(`produce ${cellLabel(cell)}: ${targets.length} targets, ${options.rounds} rounds`);
    const prepared = new Map<BenchTarget, { send: SendRequest; stream: string; rounds: Round[]; latencies: number[]; error?: string }>();
    for (const [t, target] of targets.entries()) {
      const stream = `p${run}c${c}t${t}`;
      try {
        await target.create(stream, cell.partitions);
        const send = target.prepare(cell);
        await drive(send, stream, cell.partitions, options.inFlight, 60_000, options.warmupRequests, []);
        prepared.set(target, { send, stream, rounds: [], latencies: [] });
      } catch (error) {
        prepared.set(target, { send: async () => undefined, stream, rounds: [], latencies: [], error: String(error).slice(0, 200) });
        options.log(`  ${target.name}: ${String(error).slice(0, 200)}`);
      }
    }
    for (let r = 0; r < options.rounds; r++) {
      const order = r % 2 === 0 ? targets : [...targets].reverse();
      for (const target of order) {
        const p = prepared.get(target);
        if (!p || p.error) continue;
        try {
          const done = await drive(p.send, p.stream, cell.partitions, options.inFlight, options.roundMs, options.maxRequests, p.latencies);
          p.rounds.push({ records: done.requests * cell.perRequest, ms: done.ms });
        } catch (error) {
          p.error = String(error).slice(0, 200);
          options.log(`  ${target.name}: ${p.error}`);
        }
      }
    }
    const load = await loadAverage();
    for (const target of targets) {
      const p = prepared.get(target);
      if (!p) continue;
      const records = p.rounds.reduce((n, x) => n + x.records, 0);
      const ms = p.rounds.reduce((n, x) => n + x.ms, 0);
      const sorted = p.latencies.sort((a, b) => a - b);
      const figure: ProduceFigure = {
        target: target.name,
        system: target.system,
        cell,
        records,
        seconds: ms / 1000,
        recordsPerSec: ms > 0 ? (records / ms) * 1000 : 0,
        mbPerSec: ms > 0 ? (records * cell.valueSize) / ms / 1000 : 0,
        p50ms: percentile(sorted, 50),
        p99ms: percentile(sorted, 99),
        rounds: p.rounds,
        load,
        ...(p.error ? { error: p.error } : {}),
      };
      figures.push(figure);
      options.log(`  ${target.name.padEnd(34)} ${Math.round(figure.recordsPerSec).toLocaleString("en-US").padStart(11)} records/s`);
    }
  }
  return figures;
}
