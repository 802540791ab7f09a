// The soak's closing verdict on made-up windows: which windows it compares, and that a last window
// cut short by the end of the run still gives its memory figures (measured at its end) while its
// few latency samples are left out. No run, no timing: the figures are given.
import { describe, expect, it } from "vitest";
import { newWindow, verdict, type WindowStats } from "./soak-metrics.ts";

const MB = 1e6;

function window(index: number, seconds: [number, number], fill: Partial<WindowStats>): WindowStats {
  return { ...newWindow(index, seconds[0], false), to: seconds[1], ...fill };
}

const exact = { errors: 0, readersExact: true, tailsExact: true, groupComplete: true };
const latencies = (p99: number) => [...Array.from({ length: 99 }, () => 10), p99];
const runtime = (mb: number) => ({ "workerd-runtime(1)": mb * MB, "workerd-proxy(2)": 50 * MB });

describe("soak verdict", () => {
  it("takes the heap and RSS of a cut-short last window, and the p99 of the last full one", () => {
    const windows = [
      window(1, [0, 30], { warmup: true, heapLive: 9 * MB, rss: runtime(200), produceMs: latencies(500) }),
      window(2, [30, 60], { heapLive: 18 * MB, rss: runtime(400), produceMs: latencies(100), bytesProduced: 10 * MB }),
      window(3, [60, 90], { rss: runtime(500), produceMs: latencies(90), bytesProduced: 10 * MB }),
      // cut short: 10 s of a 30 s window; its p99 of 5000 ms must not be judged, its heap must
      window(4, [90, 100], { heapLive: 63 * MB, rss: runtime(880), produceMs: latencies(5000), bytesProduced: 3 * MB }),
    ];
    const { pass, line } = verdict(windows, exact);
    expect(pass).toBe(false);
    expect(line).toMatch(/^verdict \(window 2 vs 3\): MISS/);
    expect(line).toContain("MISS JS heap 18.0 → 63.0 MB (windows 2 → 4, 250.0%, peak 63.0)");
    expect(line).toContain("MISS broker RSS +480.0 MB (windows 2 → 4; all wrangler dev processes +480.0 MB) for 13.0 MB written");
    expect(line).toContain("ok produce p99 100 → 90 ms (0.90×)");
  });

  it("passes a flat run and misses on errors or a record not read", () => {
    const flat = [
      window(1, [0, 30], { warmup: true, heapLive: 10 * MB, rss: runtime(300) }),
      window(2, [30, 60], { heapLive: 10 * MB, rss: runtime(400), produceMs: latencies(80), bytesProduced: 100 * MB }),
      window(3, [60, 90], { rss: runtime(420), produceMs: latencies(70), bytesProduced: 100 * MB }),
      window(4, [90, 120], { heapLive: 10.5 * MB, rss: runtime(430), produceMs: latencies(90), bytesProduced: 100 * MB }),
    ];
    expect(verdict(flat, exact).pass).toBe(true);
    expect(verdict(flat, exact).line).toMatch(/^verdict \(window 2 vs 4\): PASS/);
    expect(verdict(flat, { ...exact, errors: 3 }).line).toContain("MISS errors 3");
    expect(verdict(flat, { ...exact, groupComplete: false }).pass).toBe(false);
  });

  it("says when the heap was measured in one window only", () => {
    const once = [
      window(1, [0, 30], { warmup: true }),
      window(2, [30, 60], { heapLive: 10 * MB, produceMs: latencies(80) }),
      window(3, [60, 90], { produceMs: latencies(80) }),
    ];
    expect(verdict(once, exact).line).toContain("MISS JS heap not measured in two windows after warm-up");
  });
});
