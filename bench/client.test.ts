// Smoke test of `npm run bench:client -- --quick`: every path runs against the in-process broker
// over HTTP, moves every record it was given, and the table has a row for each. How fast is never
// asserted: a figure only has to be a rate at all (finite and positive, as records over a time).
import { describe, expect, it } from "vitest";
import { formatClientTable, runClientBench } from "./client.ts";

describe("bench:client --quick", () => {
  it("runs every path over every record and prints the table", { timeout: 120_000 }, async () => {
    const progress: string[] = [];
    const rows = await runClientBench({ quick: true, progress: (line) => progress.push(line) });
    expect(rows.map((r) => `${r.op}: ${r.path}`)).toEqual([
      "produce: raw HTTP batches",
      "produce: client, 1000 msgs/send",
      "produce: client, 1 msg/send",
      "consume: raw HTTP fetch loop",
      "consume: client, eachMessage",
    ]);
    // --quick: 5,000 records of 100 B, produced in two rounds of half each and consumed twice per path
    for (const row of rows)
      expect({ op: row.op, records: row.records, valueSize: row.valueSize }).toMatchObject({ records: 5_000, valueSize: 100 });
    for (const row of rows) {
      for (const n of [row.recordsPerSec, row.mbPerSec, row.ratio]) expect(Number.isFinite(n) && n > 0, JSON.stringify(row)).toBe(true);
    }
    // each op's baseline is its own yardstick
    expect(rows.filter((r) => r.path.startsWith("raw")).map((r) => r.ratio)).toEqual([1, 1]);
    expect(progress.filter((l) => l.includes("round 2"))).toHaveLength(5);
    const table = formatClientTable(rows).split("\n");
    expect(table).toHaveLength(2 + rows.length);
    expect(table[1]).toMatch(/^\| -+ \| -+ \| -+ \| -+: \| -+: \| -+: \| -+: \|$/);
  });
});
