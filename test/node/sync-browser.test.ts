// The short adversarial offline-sync run in real Chromium (the full one is `npm run test:offline`):
// offline writes across reloads, 10 SIGKILLs of the browser's process group at three points of a
// sync, tabs closing in shared and dedicated mode, dropped answers and blackholes, the edge
// (wrangler dev) SIGKILLed and restarted. The checker's verdict must be all zeros.
import { describe, expect, it } from "vitest";
import { formatVerdict } from "../faults/check.ts";
import { runOfflineScenario, shortOfflineRun } from "../offline/run.ts";

describe("offline sync in Chromium (short)", () => {
  it("uploads every locally acknowledged record once, in order, and mirrors the edge byte for byte", async () => {
    const result = await runOfflineScenario({ ...shortOfflineRun, log: (line) => console.log(line) });
    console.log(`${JSON.stringify(result.counts)}\n${formatVerdict(result.verdict)}`);
    expect(result.counts.kills).toBe(10);
    expect(result.counts.records).toBeGreaterThan(300);
    expect(result.counts.droppedAnswers).toBeGreaterThan(0);
    expect(result.counts.droppedProduceAnswers).toBeGreaterThan(0);
    expect(result.counts.repeatsAbsorbed).toBeGreaterThan(0);
    expect(result.verdict.acknowledgedButLost).toEqual([]);
    expect(result.verdict.duplicates).toEqual([]);
    expect(result.verdict.orderViolations).toEqual([]);
    expect(result.verdict.movedOffsets).toEqual([]);
    expect(result.replicaMismatches).toBe(0);
    expect(result.uploadedKnown).toBeGreaterThan(0);
    expect(result.uploadedWrong).toBe(0);
  }, 600_000);
});
