// Smoke test of `npm run soak -- --quick`: a short soak against the local edge broker (wrangler
// dev + workerd) with every kind of reader. Only counts are asserted: every acknowledged record
// read once by the long-pollers and the tails, all of them by the group, nothing failed, and a
// report with windows and a verdict line. No timing or memory figure is judged here (this machine
// is shared); the heap is only checked to have been measured.
import { describe, expect, it } from "vitest";
import { DEFAULTS, QUICK, runSoak } from "./soak.ts";

describe("npm run soak -- --quick", () => {
  it("produces, reads every record once through long-polls, SSE and WebSocket tails and a group, and reports windows", {
    timeout: 180_000,
  }, async () => {
    const lines: string[] = [];
    const result = await runSoak({ ...DEFAULTS, ...QUICK }, (line) => lines.push(line));
    expect(result.errorSamples).toEqual([]);
    expect([result.errors, result.uncertain]).toEqual([0, 0]);
    expect(result.produced).toBeGreaterThan(0);
    expect(result.ackedPerPartition.reduce((a, b) => a + b, 0)).toBe(result.produced);
    expect(result.readerSets).toEqual([{ exact: true, duplicates: 0 }]);
    for (const f of result.followers) {
      expect(f.disorder, `${f.kind} of partition ${f.partition}`).toBe(0);
      expect(f.position, `${f.kind} of partition ${f.partition}`).toBe(result.ackedPerPartition[f.partition]);
    }
    expect(result.followers.map((f) => f.kind).sort()).toEqual(["long-poll", "long-poll", "sse", "ws"]);
    expect([result.tailsExact, result.groupComplete]).toEqual([true, true]);
    expect(result.restarts).toBe(0);

    expect(result.windows.length).toBeGreaterThanOrEqual(3);
    for (const w of result.windows) {
      expect(Object.keys(w.rss).some((label) => label.startsWith("workerd-runtime"))).toBe(true);
      expect(typeof w.heapLive).toBe("number");
    }
    expect(lines.filter((l) => l.startsWith("window ")).length).toBe(result.windows.length);
    expect(lines.some((l) => l.startsWith("heap snapshot (end)"))).toBe(true);
    expect(lines.at(-1)).toMatch(/^verdict \(window \d+ vs \d+\): (PASS|MISS)/);
  });
});
