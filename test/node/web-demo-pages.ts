// What the browser tests of web-demo share: a current build for the Worker to serve, and where
// their screenshots go (.tmp/screenshots, ignored by git, kept as test artifacts).
import { spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";

const root = new URL("../..", import.meta.url).pathname;

export const screenshotDir = join(root, ".tmp", "screenshots");

export function screenshotPath(name: string): string {
  mkdirSync(screenshotDir, { recursive: true });
  return join(screenshotDir, name);
}

/** Builds web-demo when its output is missing or stale (npm test builds it before any test runs). */
export function ensureWebBuild(): void {
  const built = spawnSync(process.execPath, [join(root, "web-demo/scripts/build.mjs")], { cwd: root, encoding: "utf8" });
  if (built.status !== 0) throw new Error(`web-demo build failed:\n${built.stdout}\n${built.stderr}`);
}
