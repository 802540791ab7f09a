// Smoke test of `npm run bench:browser -- --quick` in Chromium: every scenario yields figures that
// are numbers at all, for every operation and its ceiling, and the table prints them. Timing is
// never asserted: this machine's speed is not the code's behaviour.
import { describe, expect, it } from "vitest";
import { formatBrowserReport, runBrowserBench } from "./browser.ts";
import { recordsPerSecond } from "./browser-report.ts";

describe("bench:browser --quick", () => {
  it("measures storage, log and client sends beside the raw IndexedDB loop, and prints the table", async () => {
    const progress: string[] = [];
    const rows = await runBrowserBench({ quick: true, progress: (line) => progress.push(line) });
    const keys = rows.map((r) => `${r.context} ${r.op} ${r.valueSize} x${r.recordsPerBatch}`);
    expect(new Set(keys).size).toBe(24);
    for (const value of [100, 1024]) {
      for (const batch of [1, 100, 1000]) {
        for (const op of ["worker storage.append", "worker log.appendBatches", "page producer.send", "page send, 64 in flight"]) {
          expect(keys).toContain(`${op} ${value} x${batch}`);
        }
      }
    }
    for (const row of rows) {
      expect(row.measured.records, keys.join()).toBeGreaterThan(0);
      expect(row.ceiling.records).toBeGreaterThan(0);
      for (const rate of [recordsPerSecond(row.measured), recordsPerSecond(row.ceiling)])
        expect(Number.isFinite(rate) && rate > 0).toBe(true);
      expect(row.batchBytes).toBeGreaterThan(row.valueSize * row.recordsPerBatch);
      if (row.ratio !== undefined) expect(row.ratio).toBeGreaterThan(0);
      if (row.op === "producer.send") {
        expect(row.latency?.p50).toBeGreaterThan(0);
        expect(row.latency?.p99).toBeGreaterThanOrEqual(row.latency?.p50 as number);
      }
    }
    const report = formatBrowserReport(rows);
    const lines = report.split("\n");
    expect(lines[0]).toMatch(/^\| context \| op .* ratio \| p50 ms \| p99 ms \|$/);
    for (const [i, row] of rows.entries()) expect(lines[i + 2]).toMatch(new RegExp(`^\\| ${row.context} \\| ${row.op} \\| `));
    expect(report).toMatch(/one-record producer.send \(100 B, acks=all, awaited\): p50 [\d.]+ ms, p99 [\d.]+ ms/);
    expect(report).toContain("strict puts/s | relaxed puts/s");
    expect(progress).toHaveLength(6);
  }, 180_000);
});
