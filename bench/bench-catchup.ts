// Catch-up read: a stream of N records of 100 B, produced beforehand in requests of 1000 records
// (untimed), read back from its start by one reader as fast as it goes. With several rounds every
// target reads its stream once per round, in an order reversed each round, and its figure is the
// median round: before/after ratios are then taken within a round (catchUpRatioTable).
import { loadAverage, median, medianRatio, type Round } from "./bench-stats.ts";
import type { BenchTarget } from "./peers/types.ts";

export interface CatchUpFigure {
  target: string;
  system: string;
  records: number;
  seconds: number;
  recordsPerSec: number;
  mbPerSec: number;
  load: number;
  /** Every round's read, in round order. */
  rounds: Round[];
  error?: string;
}

export interface CatchUpOptions {
  records: number;
  log: (line: string) => void;
  /** Targets of one system and format family may share a stream (Rill's JSON and binary reads of one topic). */
  shareStream?: (target: BenchTarget) => string | undefined;
  /** Reads per target (default 1). */
  rounds?: number;
}

async function fill(target: BenchTarget, stream: string, records: number): Promise<void> {
  await target.create(stream, 1);
  const send = target.prepare({ valueSize: 100, perRequest: 1000 });
  const requests = Math.ceil(records / 1000);
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < requests) {
        next++;
        await send(stream, 0);
      }
    }),
  );
}

export async function measureCatchUp(targets: readonly BenchTarget[], options: CatchUpOptions): Promise<CatchUpFigure[]> {
  const run = Math.random().toString(36).slice(2, 7);
  const rounds = Math.max(1, options.rounds ?? 1);
  const filled = new Map<string, string>();
  const streams = new Map<BenchTarget, string>();
  const state = targets.map((target) => ({ target, rounds: [] as Round[], loads: [] as number[], error: undefined as string | undefined }));
  const failed = (s: (typeof state)[number], error: unknown) => {
    s.error = String(error).slice(0, 200);
    options.log(`  ${s.target.name}: ${s.error}`);
  };
  for (const [t, s] of state.entries()) {
    const shared = options.shareStream?.(s.target);
    try {
      let stream = shared ? filled.get(shared) : undefined;
      if (!stream) {
        stream = `c${run}t${t}`;
        options.log(`catch-up ${s.target.name}: writing ${options.records.toLocaleString("en-US")} records`);
        await fill(s.target, stream, options.records);
        if (shared) filled.set(shared, stream);
      }
      streams.set(s.target, stream);
    } catch (error) {
      failed(s, error);
    }
  }
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? state : [...state].reverse();
    for (const s of order) {
      const stream = streams.get(s.target);
      if (s.error || !stream) continue;
      options.log(`catch-up ${s.target.name}: reading${rounds > 1 ? ` (round ${r + 1} of ${rounds})` : ""}`);
      try {
        const started = performance.now();
        const read = await s.target.catchUp(stream, options.records);
        const round = { records: read.records, ms: performance.now() - started };
        s.rounds[r] = round;
        options.log(`  ${(round.ms / 1000).toFixed(2)} s`);
        s.loads.push(await loadAverage());
      } catch (error) {
        failed(s, error);
      }
    }
  }
  return state.map((s): CatchUpFigure => {
    if (s.error || s.rounds.length === 0) {
      return {
        target: s.target.name,
        system: s.target.system,
        records: 0,
        seconds: 0,
        recordsPerSec: 0,
        mbPerSec: 0,
        load: 0,
        rounds: [],
        error: s.error ?? "no read",
      };
    }
    const middle = median(s.rounds.map((x) => x.ms)) as number;
    const round = s.rounds.find((x) => x.ms === middle) ?? (s.rounds[0] as Round);
    const seconds = middle / 1000;
    return {
      target: s.target.name,
      system: s.target.system,
      records: round.records,
      seconds,
      recordsPerSec: round.records / seconds,
      mbPerSec: (round.records * 100) / seconds / 1e6,
      load: median(s.loads) ?? 0,
      rounds: s.rounds,
    };
  });
}

/** Each `after` against its `before`: the median over rounds of the two read rates in the same round. */
export function catchUpRatioTable(
  figures: readonly CatchUpFigure[],
  pairs: ReadonlyArray<readonly [after: string, before: string]>,
): string {
  const lines = ["| after | before | after records/s | before records/s | after / before |", "|---|---|---:|---:|---:|"];
  const byName = new Map(figures.map((f) => [f.target, f]));
  for (const [after, before] of pairs) {
    const a = byName.get(after);
    const b = byName.get(before);
    if (!a || !b || a.error || b.error) {
      lines.push(`| ${after} | ${before} | ${a?.error ?? ""} | ${b?.error ?? ""} | – |`);
      continue;
    }
    const ratio = medianRatio(a.rounds, b.rounds);
    const rate = (f: CatchUpFigure) => Math.round(f.recordsPerSec).toLocaleString("en-US");
    lines.push(`| ${after} | ${before} | ${rate(a)} | ${rate(b)} | ${ratio === undefined ? "–" : `${ratio.toFixed(2)}x`} |`);
  }
  return lines.join("\n");
}
