// Smoke test of `npm run bench:push -- --quick`: the edge in Miniflare with a target Worker and a
// webhook receiver; every consumer got every record of the backlog, and the report has its rows.
// No timing figure is asserted.
import { describe, expect, it } from "vitest";
import { formatPushReport, runPushBench } from "./push.ts";

describe("bench:push --quick", () => {
  it("drains the backlog with a polling consumer, a service binding and a webhook, then measures them side by side", {
    timeout: 180_000,
  }, async () => {
    const result = await runPushBench({ quick: true, progress: () => undefined });
    for (const consumer of ["polling 0", "service 0", "webhook 0"]) {
      const d = result.delivered[consumer];
      expect(d, consumer).toBeDefined();
      expect(d?.processed).toBeGreaterThanOrEqual(d?.expected ?? Number.POSITIVE_INFINITY);
    }
    expect(result.throughput.map((r) => r.consumer)).toEqual(["polling", "service", "webhook"]);
    expect(result.latency.map((r) => r.consumer)).toEqual(["polling", "service", "webhook"]);
    for (const r of result.latency) expect(r.samples).toBeGreaterThan(0);
    expect(formatPushReport(result)).toContain("vs polling");
  });
});
