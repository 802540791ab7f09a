// Smoke test of `npm run bench:groups -- --quick --in-process-only`: a lone member's join, then 8
// members through a join, a leave and a crash on the in-process broker, with every record accounted
// for. Correctness counts are asserted (nothing lost, nothing processed twice within one epoch, no
// redelivery after a clean join or leave); timings never are: this machine's speed is not the code's.
import { describe, expect, it } from "vitest";
import { formatGroupsReport, runGroupsBench, verdicts } from "../../bench/groups.ts";

describe("bench:groups --quick", () => {
  it("measures join and rebalances and accounts for every record", { timeout: 60_000 }, async () => {
    const progress: string[] = [];
    const results = await runGroupsBench({ quick: true, brokers: ["in-process"], progress: (line) => progress.push(line) });
    expect(results.map((r) => r.broker)).toEqual(["in-process"]);
    const [result] = results;
    if (!result) throw new Error("no result");

    expect(result.join).toHaveLength(3);
    for (const trial of result.join) {
      expect(trial.assignedMs).toBeGreaterThan(0);
      expect(trial.firstRecordMs).toBeGreaterThanOrEqual(trial.assignedMs);
    }

    expect(result.rebalances).toHaveLength(1);
    const [rebalance] = result.rebalances;
    if (!rebalance) throw new Error("no rebalance");
    expect(rebalance.events.map((e) => e.kind)).toEqual(["join", "leave", "crash"]);
    for (const e of rebalance.events) {
      const figures = [e.stableMs, e.steadyGapMs, e.gapMs, e.movedLatencyMs];
      for (const n of figures) expect(Number.isFinite(n) && n > 0, JSON.stringify(e)).toBe(true);
      // 64 partitions over 8 members, then 9: a join or leave moves about one member's share
      expect(e.moved).toBeGreaterThanOrEqual(7);
      expect(e.moved).toBeLessThanOrEqual(16);
    }
    expect(rebalance.events[0]?.joinerFirstRecordMs).toBeGreaterThan(0);
    // the crashed member is noticed only when its session times out, counted from its last
    // heartbeat; members long-poll for a third of their session, so that was at most about that long
    // before the crash
    expect(rebalance.events[2]?.stableMs).toBeGreaterThan(result.crashSessionTimeoutMs / 2);

    const c = rebalance.correctness;
    expect(rebalance.drained).toBe(true);
    expect(c.produced).toBeGreaterThan(500);
    expect(c.producerFailures).toBe(0);
    expect(c.lost).toBe(0);
    expect(c.duplicates).toBe(0);
    expect(c.redeliveredOther).toBe(0);
    expect(c.processed).toBe(c.produced);

    const checks = verdicts(results);
    expect(checks.map((v) => v.what.split(",")[0])).toEqual(["join → first record", "pause on join", "pause on leave"]);
    const report = formatGroupsReport(results);
    expect(report).toMatch(/^(PASS|MISS) in-process: join → first record/m);
    expect(report.split("\n").filter((l) => l.startsWith("| in-process"))).toHaveLength(1 + 3 + 1);
    expect(progress.some((l) => l.includes("stable after"))).toBe(true);
  });
});
