// Smoke test of `npm run bench:client -- --quick`: every path runs against the in-process broker
// over HTTP and yields figures that are numbers at all. Timing is never asserted.
import { describe, expect, it } from "vitest";
import { formatClientTable, runClientBench } from "../../bench/client.ts";

describe("bench:client --quick", () => {
  it("measures every path and prints the table", async () => {
    const progress: string[] = [];
    const rows = await runClientBench({ quick: true, progress: (line) => progress.push(line) });
    expect(rows.map((r) => `${r.op}: ${r.path}`)).toEqual([
      "produce: raw HTTP batches",
      "produce: client, 1000 msgs/send",
      "produce: client, 1 msg/send",
      "consume: raw HTTP fetch loop",
      "consume: client, eachMessage",
    ]);
    for (const row of rows) {
      for (const n of [row.recordsPerSec, row.mbPerSec, row.ratio]) expect(n, JSON.stringify(row)).toBeGreaterThan(0);
      expect(Number.isFinite(row.recordsPerSec)).toBe(true);
    }
    expect(rows.filter((r) => r.path.startsWith("raw")).map((r) => r.ratio)).toEqual([1, 1]);
    expect(progress.length).toBeGreaterThan(5);
    const table = formatClientTable(rows).split("\n");
    expect(table).toHaveLength(2 + rows.length);
    expect(table[1]).toMatch(/^\| -+ \| -+ \| -+ \| -+: \| -+: \| -+: \| -+: \|$/);
  });
});
