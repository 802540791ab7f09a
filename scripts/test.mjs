#!/usr/bin/env node
// `npm test`: build the web demo, typecheck, lint, then every vitest project (Node, workerd, Chromium),
// then the packaging test (npm run test:packaging).
// Installs Debian's Chromium first when it is missing (the browser project drives the real one).
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { chromiumPath, ensureChromium } from "./chromium.mjs";

process.env.WRANGLER_SEND_METRICS = "false";
process.env.CLOUDFLARE_CF_FETCH_ENABLED = "false";
// wrangler's config and cache stay inside the project, not in the home directory
const root = new URL("..", import.meta.url).pathname;
process.env.XDG_CONFIG_HOME ??= `${root}.cache/config`;
process.env.XDG_CACHE_HOME ??= `${root}.cache`;

function run(name, cmd, args) {
  const started = Date.now();
  console.log(`\n▶ ${name}: ${cmd} ${args.join(" ")}`);
  const result = spawnSync(cmd, args, { stdio: "inherit", env: process.env });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (result.status !== 0) {
    console.error(`✖ ${name} failed after ${seconds}s`);
    process.exit(result.status ?? 1);
  }
  console.log(`✔ ${name} (${seconds}s)`);
}

ensureChromium();
if (!existsSync(chromiumPath)) {
  console.error(`✖ ${chromiumPath} is missing and could not be installed; the browser tests need it.`);
  process.exit(1);
}
// the web demo and console are built first: the Worker serves them, and the browser tests open them
run("web build", "node", ["web-demo/scripts/build.mjs", "--force"]);
run("typecheck", "npm", ["run", "--silent", "typecheck"]);
run("lint", "npx", ["biome", "check", "."]);
// the Worker bundles for deployment (offline): proof that it would deploy
run("deploy check", "npx", ["wrangler", "deploy", "--dry-run", "--outdir", ".tmp/deploy"]);
run("tests", "npx", ["vitest", "run", ...process.argv.slice(2)]);
// the packages as users get them: built, packed, installed outside the repository and tried there
run("packaging", "npm", ["run", "--silent", "test:packaging"]);
