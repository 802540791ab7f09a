#!/usr/bin/env node
// Builds web-demo (the demo app and the console) with Vite into web-demo/dist, which the Worker's
// static assets serve. Run by `npm install` (postinstall), `npm start` (when the output is missing or
// older than its sources) and `npm test` (always before the tests).
//
//   node web-demo/scripts/build.mjs            build when stale
//   node web-demo/scripts/build.mjs --force    build anyway
//   node web-demo/scripts/build.mjs --soft     on failure, leave placeholder pages and exit 0 (install)
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const webDemo = new URL("..", import.meta.url).pathname;
const root = join(webDemo, "..");
export const outDir = join(webDemo, "dist");
const stampFile = join(outDir, ".build-stamp");
const lockDir = join(root, ".tmp", "web-build.lock");

/** Everything the bundle is made from: the pages, their sources, and the workspace packages they import. */
function inputs() {
  const roots = [join(webDemo, "src"), join(webDemo, "console"), join(webDemo, "index.html"), join(webDemo, "vite.config.ts")];
  for (const pkg of readdirSync(join(root, "packages"))) roots.push(join(root, "packages", pkg, "src"));
  roots.push(join(root, "package-lock.json"));
  return roots;
}

function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs; // a deleted file changes its folder's mtime
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

/** True when there is no finished build, or a source changed after it. */
export function isStale() {
  if (!existsSync(stampFile)) return true;
  const built = statSync(stampFile).mtimeMs;
  return inputs().some((path) => newestMtime(path) > built);
}

// One build at a time across processes (test files run in parallel and each makes sure of the build).
async function withLock(fn) {
  mkdirSync(join(root, ".tmp"), { recursive: true });
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      mkdirSync(lockDir);
      break;
    } catch (error) {
      if (error.code !== "EEXIST") throw error;
      // a lock older than any build is left over from a killed process
      if (Date.now() - statSync(lockDir).mtimeMs > 300_000) rmSync(lockDir, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`another web-demo build holds ${lockDir}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}

async function viteBuild() {
  // a production build even when started from a test runner (vitest sets NODE_ENV=test, and Vite
  // would then build with import.meta.env.DEV true)
  process.env.NODE_ENV = "production";
  const { build } = await import("vite");
  await build({ configFile: join(webDemo, "vite.config.ts"), mode: "production" });
  writeFileSync(stampFile, `${new Date().toISOString()}\n`);
}

/** Pages that say the build failed, so the broker still starts and the reason is one command away. */
function writePlaceholders(error) {
  const page = `<!doctype html><meta charset="utf-8"><title>Rill</title>
<p>The web demo did not build (${String(error?.message ?? error).replace(/[<&]/g, "")}). Run <code>npm run build:web</code> to see why.</p>`;
  mkdirSync(join(outDir, "console"), { recursive: true });
  writeFileSync(join(outDir, "index.html"), page);
  writeFileSync(join(outDir, "console", "index.html"), page);
  rmSync(stampFile, { force: true });
}

/**
 * Builds when forced or stale. Resolves true when it built. With `soft`, a failure leaves placeholder
 * pages and resolves false instead of throwing.
 */
export async function ensureWebBuild({ force = false, soft = false } = {}) {
  return withLock(async () => {
    if (!force && !isStale()) return false;
    const started = Date.now();
    try {
      await viteBuild();
    } catch (error) {
      if (!soft) throw error;
      console.warn(`web-demo: the build failed (${error.message}); placeholder pages written to ${outDir}`);
      writePlaceholders(error);
      return false;
    }
    console.log(`web-demo: built into ${outDir} in ${((Date.now() - started) / 1000).toFixed(1)}s`);
    return true;
  });
}

if (process.argv[1] && new URL(import.meta.url).pathname === process.argv[1]) {
  const args = new Set(process.argv.slice(2));
  ensureWebBuild({ force: args.has("--force"), soft: args.has("--soft") }).catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
