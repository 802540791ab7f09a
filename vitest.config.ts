import { defineConfig } from "vitest/config";
import { browserProject } from "./test/browser/project.ts";
import { workersProject } from "./test/workers/project.ts";

// One vitest run, several runtimes: Node (memory, fake IndexedDB, in-process server), workerd
// (Durable Objects on SQLite) and Chromium (real IndexedDB). `--project <name>` runs one alone.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "node",
          include: ["packages/*/test/**/*.test.ts", "test/node/**/*.test.ts"],
          environment: "node",
          testTimeout: 30_000,
        },
      },
      workersProject,
      browserProject,
    ],
  },
});
