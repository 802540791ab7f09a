// Small statistics shared by the parts of npm run bench.

/** The p-th percentile (0-100) of sorted values; undefined for none. */
export function percentile(sorted: readonly number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** The median of values; undefined for none. */
export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** One timed round of one target: what it moved and how long it took. */
export interface Round {
  records: number;
  ms: number;
}

/** The median over rounds of A's rate / B's rate in the same round (A and B alternate within a round). */
export function medianRatio(a: readonly Round[], b: readonly Round[]): number | undefined {
  const ratios: number[] = [];
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i] as Round;
    const y = b[i] as Round;
    if (x.ms > 0 && y.ms > 0 && y.records > 0) ratios.push(x.records / x.ms / (y.records / y.ms));
  }
  return median(ratios);
}

/** The system's load average (1 min), read beside each figure: other jobs share these cores. */
export async function loadAverage(): Promise<number> {
  const { loadavg } = await import("node:os");
  return loadavg()[0] ?? 0;
}
