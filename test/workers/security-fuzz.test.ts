// A short fuzz run inside workerd over the edge broker (controller, partition and quota objects on
// SQLite): bad requests over every route by every kind of caller; no 5xx, nothing changed.
import { env } from "cloudflare:workers";
import { createHttpApp, securitySettingsFrom } from "@rill/server";
import { describe, expect, it } from "vitest";
import { createEdgeBroker } from "../../workers/src/edge-broker.ts";
import { edgeQuotaService, edgeSecurityMetadata, SECURITY_CACHE_MS } from "../../workers/src/edge-security.ts";
import { FUZZ_SETTINGS, runFuzz } from "../fuzz/run.ts";

describe("HTTP fuzzing in workerd (short)", () => {
  it("answers 1,000 bad requests with 4xx and changes nothing", { timeout: 240_000 }, async () => {
    const app = createHttpApp(createEdgeBroker(env), {
      auth: securitySettingsFrom(FUZZ_SETTINGS).auth,
      security: edgeSecurityMetadata(env),
      securityCacheMs: SECURITY_CACHE_MS,
      quotaService: edgeQuotaService(env),
    });
    const report = await runFuzz(async (request) => app.fetch(request, env), { runs: 1000, log: (line) => console.info(line) });
    expect(report.failures).toEqual([]);
    expect(report.changed).toEqual([]);
    expect(report.requests).toBeGreaterThanOrEqual(950);
  });
});
