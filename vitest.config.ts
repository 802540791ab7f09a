import { defineConfig } from "vitest/config";
import { browserProject } from "./test/browser/project.ts";
import { chromiumProject } from "./test/chromium/project.ts";
import { workersProject } from "./test/workers/project.ts";

// One vitest run, several runtimes: Node (memory, fake IndexedDB, in-process server), workerd
// (Durable Objects on SQLite) and Chromium (real IndexedDB). `--project <name>` runs one alone.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "node",
          // bench/*.test.ts: smoke tests of the benchmarks, beside them (bench imports test/harness, never the reverse)
          include: ["packages/*/test/**/*.test.ts", "test/node/**/*.test.ts", "bench/**/*.test.ts"],
          environment: "node",
          testTimeout: 30_000,
        },
      },
      workersProject,
      browserProject,
      chromiumProject,
    ],
  },
});
