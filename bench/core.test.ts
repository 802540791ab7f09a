// Smoke test of `npm run bench:core -- --quick`: every scenario runs on both backends (memory in
// Node, Durable Object SQLite in workerd) and yields figures that are numbers at all. Timing is
// never asserted: this machine's speed is not the code's behaviour.
import { describe, expect, it } from "vitest";
import { type BenchRow, formatReport, runCoreBench } from "../../bench/core.ts";

const figures = (r: BenchRow) => [r.recordsPerSec, r.mbPerSec, r.ceilingRecordsPerSec, r.ceilingMbPerSec, r.ratio];

describe("bench:core --quick", () => {
  it("measures every scenario on both backends and prints the table", async () => {
    const progress: string[] = [];
    const rows = await runCoreBench({ quick: true, progress: (line) => progress.push(line) });

    const keys = rows.map((r) => `${r.backend} ${r.op} ${r.valueSize} x${r.recordsPerBatch}`);
    expect(new Set(keys).size).toBe(rows.length);
    for (const backend of ["memory", "sqlite"]) {
      for (const op of ["append", "read"]) {
        for (const value of [100, 1024]) {
          for (const batch of [1, 100, 1000]) expect(keys).toContain(`${backend} ${op} ${value} x${batch}`);
        }
      }
    }
    for (const value of [100, 1024]) {
      for (const batch of [1, 100, 1000]) expect(keys).toContain(`sqlite store ${value} x${batch}`);
    }
    expect(rows).toHaveLength(30);

    for (const row of rows) {
      for (const n of figures(row)) {
        expect(Number.isFinite(n), `${JSON.stringify(row)}`).toBe(true);
        expect(n, `${JSON.stringify(row)}`).toBeGreaterThan(0);
      }
      expect(row.batchBytes).toBeGreaterThan(row.valueSize * row.recordsPerBatch);
      if (row.backend === "sqlite" && row.op !== "read") {
        const w = row.withoutCommit;
        expect(w).toBeDefined();
        // workerd's clock moves in whole milliseconds, and a --quick loop without its commit can
        // take less than one: zero is a possible reading there, a negative or NaN one is not
        for (const n of [w?.recordsPerSec, w?.ceilingRecordsPerSec, w?.ratio]) expect(Number.isFinite(n) && (n as number) >= 0).toBe(true);
      } else {
        expect(row.withoutCommit).toBeUndefined();
      }
    }

    const report = formatReport(rows);
    const lines = report.split("\n");
    expect(lines[0]).toMatch(/^\| backend \| op .* ratio \|$/);
    // header, rule, then one line per row, in order
    for (const [i, row] of rows.entries()) {
      expect(lines[i + 2]).toMatch(new RegExp(`^\\| ${row.backend} +\\| ${row.op} +\\| `));
    }
    expect(report).toContain("memory append 100 B x1000");
    expect(report).toContain("sqlite append 1 KB x1000");
    expect(progress.some((line) => line.includes("sqlite"))).toBe(true);
  }, 120_000);
});
