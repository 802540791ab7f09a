// Smoke test of `npm run bench:core -- --quick`: every scenario runs on both backends (memory in
// Node, Durable Object SQLite in workerd) and the report has a row for each. Only the shape is
// asserted: a figure is a positive finite number or absent ("no sample": workerd's clock stands
// still while a Durable Object computes, so a --quick loop can take 0 ms by its clock). How big a
// figure is, is never asserted: this machine's speed is not the code's behaviour.
import { describe, expect, it } from "vitest";
import { type BenchRow, formatReport, NO_SAMPLE, runCoreBench } from "./core.ts";

const figures = (r: BenchRow) => [r.recordsPerSec, r.mbPerSec, r.ceilingRecordsPerSec, r.ceilingMbPerSec, r.ratio];
/** A rate or ratio of real work, or no sample; never 0, negative, NaN or infinite. */
const wellFormed = (n: number | undefined) => n === undefined || (Number.isFinite(n) && n > 0);

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
      for (const n of figures(row)) expect(wellFormed(n), JSON.stringify(row)).toBe(true);
      // a batch is its records' values plus framing
      expect(row.batchBytes).toBeGreaterThan(row.valueSize * row.recordsPerBatch);
      if (row.backend === "sqlite" && row.op !== "read") {
        const w = row.withoutCommit;
        expect(w).toBeDefined();
        for (const n of [w?.recordsPerSec, w?.ceilingRecordsPerSec, w?.ratio]) expect(wellFormed(n), JSON.stringify(row)).toBe(true);
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

describe("bench:core report", () => {
  it("prints a loop its clock could not time as no sample, and judges no target on it", () => {
    const row: BenchRow = {
      backend: "sqlite",
      op: "append",
      valueSize: 100,
      recordsPerBatch: 1000,
      batchBytes: 108_061,
      recordsPerSec: 80_000,
      mbPerSec: 8,
      ceiling: "raw INSERT",
      ceilingRecordsPerSec: 100_000,
      ceilingMbPerSec: 10,
      ratio: 0.8,
      withoutCommit: { recordsPerSec: undefined, ceilingRecordsPerSec: 200_000, ratio: undefined },
    };
    const report = formatReport([row]);
    // the commit table: op, value, rec/batch, sqlite rec/s, raw INSERT rec/s, ratio, with commit
    const commitRow = report
      .split("\n")
      .map((line) => line.split("|").map((c) => c.trim()))
      .find((cells) => cells[1] === "append" && cells.length === 9);
    expect(commitRow?.slice(1, 8)).toEqual(["append", "100 B", "1000", NO_SAMPLE, "200,000", NO_SAMPLE, "0.80x"]);
    expect(report).toMatch(/^PASS\/NONE sqlite append 100 B x1000: 0\.80x raw INSERT with the commit \/ no sample without/m);
  });
});
