// Write rates from successive high watermarks: records per second per partition between two refreshes.

export interface RateMeter {
  /** Records the high watermark seen now; answers the rate since the previous sample, null on the first. */
  sample(key: string, highWatermark: number, at: number): number | null;
}

export function createRateMeter(): RateMeter {
  const previous = new Map<string, { highWatermark: number; at: number }>();
  return {
    sample(key, highWatermark, at) {
      const before = previous.get(key);
      previous.set(key, { highWatermark, at });
      if (!before || at <= before.at) return null;
      // a re-created topic starts over below the old watermark: no negative rates
      return Math.max(0, ((highWatermark - before.highWatermark) * 1000) / (at - before.at));
    },
  };
}
