import { playwright } from "@vitest/browser-playwright";
import type { TestProjectInlineConfiguration } from "vitest/config";
import { chromiumArgs, chromiumPath } from "../harness/chromium.ts";

// Chromium project: real IndexedDB. Playwright drives Debian's chromium (its own browser download
// cannot run here); the flags keep it off the network and out of a sandbox containers lack.
export const browserProject: TestProjectInlineConfiguration = {
  test: {
    name: "browser",
    include: ["test/browser/**/*.test.ts"],
    testTimeout: 30_000,
    // a Node-side HTTP broker for the client tests; its URL reaches them through inject()
    globalSetup: ["./test/browser/client-server.ts"],
    browser: {
      enabled: true,
      headless: true,
      api: { host: "127.0.0.1" },
      provider: playwright({
        launchOptions: {
          executablePath: chromiumPath,
          args: chromiumArgs,
        },
      }),
      instances: [{ browser: "chromium" }],
    },
  },
};
