// The short fuzz run CI does (npm run test:fuzz is the long one): bad requests over every route,
// by every kind of caller, against the in-process broker with auth on. No 5xx, no crash, every
// error in the protocol's shape, and seeded records, ACLs, keys and quotas unchanged.
import { createNodeBroker } from "@rill/node";
import { securitySettingsFrom } from "@rill/server";
import { describe, expect, it } from "vitest";
import { FUZZ_SETTINGS, runFuzz } from "../fuzz/run.ts";

describe("HTTP fuzzing (short)", () => {
  it("answers 1,500 bad requests with 4xx and changes nothing", { timeout: 120_000 }, async () => {
    const node = createNodeBroker({ auth: securitySettingsFrom(FUZZ_SETTINGS).auth });
    try {
      const report = await runFuzz((request) => node.fetch(request), { runs: 1500, log: (line) => console.info(line) });
      expect(report.failures).toEqual([]);
      expect(report.changed).toEqual([]);
      expect(report.requests).toBeGreaterThanOrEqual(1400);
      // every kind of caller was asked
      expect(Object.keys(report.byAuth).sort()).toEqual(["basic", "expired", "garbage", "none", "reader", "readerKey", "super"]);
    } finally {
      await node.close();
    }
  });
});
