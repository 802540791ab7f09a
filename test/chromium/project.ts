import type { TestProjectInlineConfiguration } from "vitest/config";

// Chromium driven from Node by playwright-core: several tabs, reloads, closed and frozen tabs, a
// browser without SharedWorker or Web Locks, a profile on a small disk. One file at a time, since
// each runs its own Chromium.
export const chromiumProject: TestProjectInlineConfiguration = {
  test: {
    name: "chromium",
    include: ["test/chromium/**/*.test.ts"],
    environment: "node",
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
};
