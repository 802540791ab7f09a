// The authorization matrix inside workerd: the HTTP app over the edge broker, so ACLs, API key
// hashes and quotas live in the real controller object (SQLite) and reads go through the isolate's
// cache, exactly as the Worker entry wires them (workers/src/index.ts), with the matrix's settings.
import { env } from "cloudflare:workers";
import { operations } from "@rill/protocol/operations";
import { createHttpApp, securitySettingsFrom } from "@rill/server";
import { describe, expect, it } from "vitest";
import { createEdgeBroker } from "../../workers/src/edge-broker.ts";
import { edgeQuotaService, edgeSecurityMetadata, SECURITY_CACHE_MS } from "../../workers/src/edge-security.ts";
import { MATRIX_SETTINGS, runAuthorizationMatrix, sender } from "../security/matrix.ts";

describe("authorization matrix (edge broker in workerd)", () => {
  it("answers every route × caller as the operation list says, and refused requests change nothing", { timeout: 240_000 }, async () => {
    const settings = securitySettingsFrom(MATRIX_SETTINGS);
    const app = createHttpApp(createEdgeBroker(env), {
      auth: settings.auth,
      security: edgeSecurityMetadata(env),
      securityCacheMs: SECURITY_CACHE_MS,
      quotaService: edgeQuotaService(env),
    });
    const result = await runAuthorizationMatrix(
      sender((request) => app.fetch(request, env)),
      { run: "edge" },
    );
    expect(result.failures).toEqual([]);
    expect(result.cells).toBe(operations.filter((op) => !("public" in op.access)).length * 10);
  });
});
