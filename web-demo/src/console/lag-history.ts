// Consumer-group lag sampled while the console is open: one series per group (its total lag), kept
// for a bounded window so a page left open for hours stays small.

export interface LagPoint {
  at: number;
  value: number;
}

export interface LagHistory {
  /** Adds one sample: every group's total lag at `at`. Groups not in `lags` get no point. */
  add(at: number, lags: ReadonlyMap<string, number>): void;
  /** Each group's points, oldest first, groups in the order first seen. */
  series(): Array<{ group: string; points: LagPoint[] }>;
  /** How many samples were taken. */
  readonly samples: number;
}

export function createLagHistory(windowMs: number): LagHistory {
  const byGroup = new Map<string, LagPoint[]>();
  let samples = 0;
  return {
    add(at, lags) {
      samples++;
      for (const [group, value] of lags) {
        const points = byGroup.get(group) ?? [];
        points.push({ at, value });
        byGroup.set(group, points);
      }
      for (const [group, points] of byGroup) {
        const kept = points.filter((p) => p.at >= at - windowMs);
        if (kept.length === 0) byGroup.delete(group);
        else byGroup.set(group, kept);
      }
    },
    series: () => [...byGroup].map(([group, points]) => ({ group, points: [...points] })),
    get samples() {
      return samples;
    },
  };
}
