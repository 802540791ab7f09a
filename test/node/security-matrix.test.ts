// The authorization matrix on the in-process broker: every route of the operation list × ten
// callers (test/security/matrix.ts), with deployment tokens, API keys and JWTs all configured.
import { createNodeBroker } from "@rill/node";
import { operations } from "@rill/protocol/operations";
import { securitySettingsFrom } from "@rill/server";
import { describe, expect, it } from "vitest";
import { MATRIX_SETTINGS, runAuthorizationMatrix, sender } from "../security/matrix.ts";

describe("authorization matrix (in-process)", () => {
  it("answers every route × caller as the operation list says, and refused requests change nothing", { timeout: 120_000 }, async () => {
    const settings = securitySettingsFrom(MATRIX_SETTINGS);
    const node = createNodeBroker({ auth: settings.auth });
    try {
      const result = await runAuthorizationMatrix(sender(node.app.fetch), { run: "node" });
      expect(result.failures).toEqual([]);
      // every operation but liveness, ten callers each (27 operations today: 270 cells)
      expect(result.cells).toBe(operations.filter((op) => !("public" in op.access)).length * 10);
      expect(result.cells).toBeGreaterThanOrEqual(270);
    } finally {
      await node.close();
    }
  });
});
