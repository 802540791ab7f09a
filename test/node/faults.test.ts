// A small fault run in CI: leader crashes, follower outages and a SIGKILL of the whole local broker
// while idempotent acks=all producers write; nothing acknowledged may be lost, duplicated or
// reordered. `npm run test:faults` runs the full-size version.
import { describe, expect, it } from "vitest";
import { check, formatVerdict } from "../faults/check.ts";
import { runFaultCheck } from "../faults/run.ts";
import { startLocalBroker } from "../harness/local-broker.ts";

describe("fault checker", () => {
  it("judges lost, duplicated and reordered records", () => {
    const acked = [
      { id: "p0-0", producer: 0, seq: 0, partition: 0, offset: 0 },
      { id: "p0-1", producer: 0, seq: 1, partition: 0, offset: 1 },
      { id: "p0-2", producer: 0, seq: 2, partition: 0, offset: 2 },
    ];
    const verdict = check(4, acked, [
      { id: "p0-1", partition: 0, offset: 0 },
      { id: "p0-0", partition: 0, offset: 1 },
      { id: "p0-0", partition: 0, offset: 5 },
      { id: "p0-3", partition: 0, offset: 6 },
    ]);
    expect(verdict.acknowledgedButLost).toEqual(["p0-2"]);
    expect(verdict.duplicates).toEqual(["p0-0"]);
    expect(verdict.orderViolations).toHaveLength(2);
    expect(verdict.unacknowledgedButPresent).toBe(1);
    expect(verdict.movedOffsets).toEqual(["p0-0", "p0-1"]);
    expect(formatVerdict(verdict)).toMatch(/acknowledged-but-lost: +1/);
  });

  it("loses, duplicates and reorders nothing acknowledged through crashes and a SIGKILL", async () => {
    const result = await runFaultCheck({ producers: 2, partitions: 3, leaderCrashes: 4, processKills: 1, minAcknowledged: 50 });
    console.log(formatVerdict(result.verdict));
    expect(result.faults.leaderCrashes).toBe(4);
    expect(result.faults.processKills).toBe(1);
    expect(result.verdict.acknowledged).toBeGreaterThanOrEqual(50);
    expect(result.verdict.acknowledgedButLost).toEqual([]);
    expect(result.verdict.duplicates).toEqual([]);
    expect(result.verdict.orderViolations).toEqual([]);
    expect(result.verdict.movedOffsets).toEqual([]);
  }, 240_000);

  it("is off in the broker `npm start` runs: wrangler.toml as committed has no /v1/_faults", async () => {
    const broker = await startLocalBroker();
    try {
      const res = await fetch(`${broker.url}/v1/_faults`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ topic: "any", partition: 0, fault: { kind: "crash" } }),
      });
      expect(res.status).toBe(404);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("NOT_FOUND");
    } finally {
      await broker.stop();
    }
  }, 60_000);
});
