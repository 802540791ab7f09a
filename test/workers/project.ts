import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { buildSync } from "esbuild";
import type { TestProjectInlineConfiguration } from "vitest/config";
import type {} from "./push-context.ts";

// The push-subscription target Workers, bundled once per run (auxiliary Workers are not transformed by Vite).
const bundle = (name: string) => {
  const outfile = `node_modules/.cache/rill/${name}.js`;
  buildSync({
    entryPoints: [`test/workers/${name}.ts`],
    bundle: true,
    format: "esm",
    platform: "neutral",
    external: ["cloudflare:*"],
    outfile,
    logLevel: "error",
  });
  return outfile;
};
const pushTarget = bundle("push-target-worker");
const readmeConsumer = bundle("readme-consumer-worker");

// workerd project: tests run inside the Workers runtime beside real SQLite-backed Durable Objects.
// The test main re-exports the production Worker and adds objects only tests use. A second Worker
// (the push target) is bound to it, and a webhook receiver runs in Node (globalSetup).
export const workersProject: TestProjectInlineConfiguration = {
  plugins: [
    cloudflareTest(({ inject }) => ({
      main: "./test/workers/test-worker.ts",
      wrangler: { configPath: "./wrangler.toml" },
      miniflare: {
        durableObjects: { STORAGE_TEST: { className: "StorageTestObject", useSQLite: true } },
        // the README consumer's ledger, read by the tests (one namespace id, two bindings)
        kvNamespaces: { LEDGER: "readme-ledger" },
        bindings: {
          RILL_FAULTS: "enabled",
          PUSH_WEBHOOK_URL: inject("pushWebhook").url,
          PUSH_WEBHOOK_CONTROL: inject("pushWebhook").controlUrl,
        },
        serviceBindings: {
          PUSH_TARGET: "rill-push-target",
          PUSH_ENTRY: { name: "rill-push-target", entrypoint: "PushEntry" },
          BILLING: "rill-readme-billing",
        },
        workers: [
          {
            name: "rill-push-target",
            modules: true,
            scriptPath: pushTarget,
            compatibilityDate: "2026-04-01",
            compatibilityFlags: ["nodejs_compat"],
          },
          {
            name: "rill-readme-billing",
            modules: true,
            scriptPath: readmeConsumer,
            compatibilityDate: "2026-04-01",
            kvNamespaces: { LEDGER: "readme-ledger" },
          },
        ],
      },
    })),
  ],
  test: {
    name: "workers",
    include: ["test/workers/**/*.test.ts"],
    testTimeout: 60_000,
    globalSetup: ["./test/workers/push-global-setup.ts"],
  },
};
