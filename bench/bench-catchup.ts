// Catch-up read: a stream of N records of 100 B, produced beforehand in requests of 1000 records
// (untimed), read back from its start by one reader as fast as it goes.
import { loadAverage } from "./bench-stats.ts";
import type { BenchTarget } from "./peers/types.ts";

export interface CatchUpFigure {
  target: string;
  system: string;
  records: number;
  seconds: number;
  recordsPerSec: number;
  mbPerSec: number;
  load: number;
  error?: string;
}

export async function measureCatchUp(
  targets: readonly BenchTarget[],
  options: { records: number; log: (line: string) => void; shareStream?: (target: BenchTarget) => string | undefined },
): Promise<CatchUpFigure[]> {
  const figures: CatchUpFigure[] = [];
  const run = Math.random().toString(36).slice(2, 7);
  // targets of one system and format family may share a stream (Rill's JSON and binary reads of one topic)
  const filled = new Map<string, string>();
  for (const [t, target] of targets.entries()) {
    const shared = options.shareStream?.(target);
    try {
      let stream = shared ? filled.get(shared) : undefined;
      if (!stream) {
        stream = `c${run}t${t}`;
        options.log(`catch-up ${target.name}: writing ${options.records.toLocaleString("en-US")} records`);
        await target.create(stream, 1);
        const send = target.prepare({ valueSize: 100, perRequest: 1000 });
        const requests = Math.ceil(options.records / 1000);
        let next = 0;
        await Promise.all(
          Array.from({ length: 8 }, async () => {
            while (next < requests) {
              next++;
              await send(stream as string, 0);
            }
          }),
        );
        if (shared) filled.set(shared, stream);
      }
      options.log(`catch-up ${target.name}: reading`);
      const started = performance.now();
      const read = await target.catchUp(stream, options.records);
      const seconds = (performance.now() - started) / 1000;
      figures.push({
        target: target.name,
        system: target.system,
        records: read.records,
        seconds,
        recordsPerSec: read.records / seconds,
        mbPerSec: (read.records * 100) / seconds / 1e6,
        load: await loadAverage(),
      });
    } catch (error) {
      options.log(`  ${target.name}: ${String(error).slice(0, 200)}`);
      figures.push({
        target: target.name,
        system: target.system,
        records: 0,
        seconds: 0,
        recordsPerSec: 0,
        mbPerSec: 0,
        load: await loadAverage(),
        error: String(error).slice(0, 200),
      });
    }
  }
  return figures;
}
