// Smoke test of `npm run bench:groups -- --quick --in-process-only`: a lone member's join, then 8
// members through a join, a leave and a crash on the in-process broker, with every record accounted
// for. Only correctness is asserted (nothing lost, nothing processed twice within one epoch, no
// redelivery after a clean join or leave, incremental hand-overs, the report's shape); no timing
// figure is, not even "greater than 0": this machine's speed is not the code's, and a figure whose
// window caught no sample is reported as absent ("no sample"), which is a legal outcome.
import { describe, expect, it } from "vitest";
import { type BrokerResult, formatGroupsReport, NO_SAMPLE, runGroupsBench, verdicts } from "./groups.ts";
import { correctness, eventFigures } from "./groups-metrics.ts";
import type { RebalanceRun } from "./groups-scenarios.ts";

/** A figure is a number or absent (no sample); never NaN, never infinite. */
const wellFormed = (n: number | undefined) => n === undefined || Number.isFinite(n);

describe("bench:groups --quick", () => {
  it("runs a join, a leave and a crash and accounts for every record", { timeout: 180_000 }, async () => {
    const progress: string[] = [];
    const results = await runGroupsBench({ quick: true, brokers: ["in-process"], progress: (line) => progress.push(line) });
    expect(results.map((r) => r.broker)).toEqual(["in-process"]);
    const [result] = results;
    if (!result) throw new Error("no result");

    expect(result.join).toHaveLength(3);
    for (const trial of result.join) {
      expect(Number.isFinite(trial.assignedMs) && Number.isFinite(trial.firstRecordMs), JSON.stringify(trial)).toBe(true);
      // cause before effect: a member handles records of partitions it was assigned
      expect(trial.firstRecordMs).toBeGreaterThanOrEqual(trial.assignedMs);
    }

    expect(result.rebalances).toHaveLength(1);
    const [rebalance] = result.rebalances;
    if (!rebalance) throw new Error("no rebalance");
    expect(rebalance.events.map((e) => e.kind)).toEqual(["join", "leave", "crash"]);
    const c = rebalance.correctness;
    for (const e of rebalance.events) {
      const { kind, round, moved, joinerFirstRecordMs, ...figures } = e;
      for (const [name, n] of Object.entries(figures)) expect(wellFormed(n), `${name} of ${JSON.stringify(e)}`).toBe(true);
      expect(wellFormed(joinerFirstRecordMs)).toBe(true);
      // incremental (sticky) assignment: 64 partitions over 8 members, then 9, then 8 again; a
      // join, a leave or a crash moves about one member's share, not the whole group's (a member
      // whose session expired on a machine too busy to heartbeat moves its share away and back)
      expect(moved, JSON.stringify(e)).toBeGreaterThanOrEqual(7);
      expect(moved, JSON.stringify(e)).toBeLessThanOrEqual(16 + 16 * c.expiredMembers);
    }
    // the joiner took part: it handled records of the partitions it was given
    expect(rebalance.events[0]?.joinerFirstRecordMs).toBeDefined();

    expect(rebalance.drained).toBe(true);
    expect(c.produced).toBeGreaterThan(0);
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

describe("bench:groups figures", () => {
  // One leave, worked by hand: member 0 owned partition 0 and member 1 partition 1; member 0 leaves
  // at t=1000 and member 1 owns both at t=1100. With a record every 100 ms the window closes at
  // stable + 2 intervals = 1300.
  const run = (movedDeliveredAt: number): RebalanceRun => {
    const kept = [600, 700, 800, 900, 1000, 1100, 1200].map((at, offset) => ({
      member: 1,
      partition: 1,
      offset,
      epoch: 1,
      at,
      producedAt: at - 10,
    }));
    const old = [600, 700, 800, 900].map((at, offset) => ({ member: 0, partition: 0, offset, epoch: 1, at, producedAt: at - 10 }));
    const handedOver = { member: 1, partition: 0, offset: 4, epoch: 2, at: movedDeliveredAt, producedAt: 990 };
    return {
      partitions: 2,
      intervalMs: 100,
      events: [
        {
          kind: "leave",
          round: 0,
          subject: 0,
          at: 1000,
          stableAt: 1100,
          before: new Map([
            [0, new Set([0])],
            [1, new Set([1])],
          ]),
          after: new Map([[1, new Set([0, 1])]]),
          steadyMs: 400,
        },
      ],
      deliveries: [...old, ...kept, handedOver].sort((a, b) => a.at - b.at),
      produced: new Map([
        [0, [0, 1, 2, 3, 4]],
        [1, [0, 1, 2, 3, 4, 5, 6]],
      ]),
      sends: [],
      producerFailures: 0,
      crashed: -1,
      expired: [],
      drained: true,
    };
  };
  const resultOf = (r: RebalanceRun): BrokerResult => ({
    broker: "in-process",
    join: [{ assignedMs: 5, firstRecordMs: 8 }],
    rebalances: [{ intervalMs: r.intervalMs, events: eventFigures(r), correctness: correctness(r), drained: r.drained }],
    crashSessionTimeoutMs: 1000,
    warnings: 0,
  });
  /** The rebalance table's cell in the row of event `kind` and the column headed `column`. */
  const cell = (report: string, kind: string, column: string) => {
    const rows = report.split("\n").map((l) => l.split("|").map((c) => c.trim()));
    const head = rows.find((cells) => cells.includes("moved latency ms")) ?? [];
    const row = rows.find((cells) => cells[1] === "in-process" && cells[head.indexOf("event")] === kind);
    return row?.[head.indexOf(column)];
  };

  it("reports a hand-over that landed after its window as no sample, not as 0", () => {
    const late = run(1500);
    const [figures] = eventFigures(late);
    expect(figures?.moved).toBe(1);
    expect(figures?.movedLatencyMs).toBeUndefined();
    // nothing the producer sent falls in either window, so those are absent too
    expect(figures?.steadyProduceMs).toBeUndefined();
    expect(figures?.produceMs).toBeUndefined();
    // the kept partition was sampled: gaps of 100 ms between records spaced 100 ms apart
    expect(figures).toMatchObject({ steadyGapMs: 100, gapMs: 100, stallMs: 0, keptLatencyMs: 10 });
    expect(correctness(late)).toMatchObject({ lost: 0, duplicates: 0, redeliveredOther: 0, processed: 12 });
    const report = formatGroupsReport([resultOf(late)]);
    expect(cell(report, "leave", "moved latency ms")).toBe(NO_SAMPLE);
    expect(cell(report, "leave", "produce ms")).toBe(NO_SAMPLE);
    // no join and no crash happened in this run: their rows have no samples at all
    expect(cell(report, "join", "pause ms")).toBe(NO_SAMPLE);
    expect(report).toMatch(/^NONE in-process: pause on join.*: no sample/m);
    expect(report).toMatch(/^PASS in-process: pause on leave.* 0\.0 ms/m);
  });

  it("measures a hand-over inside its window from the record's send to its handler", () => {
    const [figures] = eventFigures(run(1250));
    expect(figures?.movedLatencyMs).toBe(1250 - 990);
    expect(cell(formatGroupsReport([resultOf(run(1250))]), "leave", "moved latency ms")).toBe("260");
  });
});
