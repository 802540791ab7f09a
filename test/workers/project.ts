import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import type { TestProjectInlineConfiguration } from "vitest/config";

// workerd project: tests run inside the Workers runtime beside real SQLite-backed Durable Objects.
// The test main re-exports the production Worker and adds objects only tests use.
export const workersProject: TestProjectInlineConfiguration = {
  plugins: [
    cloudflareTest({
      main: "./test/workers/test-worker.ts",
      wrangler: { configPath: "./wrangler.toml" },
      miniflare: {
        durableObjects: { STORAGE_TEST: { className: "StorageTestObject", useSQLite: true } },
        bindings: { RILL_FAULTS: "enabled" },
      },
    }),
  ],
  test: { name: "workers", include: ["test/workers/**/*.test.ts"], testTimeout: 60_000 },
};
