// Builds every package to dist/ with `tsc --build` (ESM, .d.ts, declaration and source maps), then
// gives the emitted files the specifiers they need outside the repository.
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { root, workspacePackages } from "./pack-workspace.mjs";

/** Every file under `dir`, recursively. */
export function filesUnder(dir) {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

// tsc rewrites "./x.ts" to "./x.js" in import statements only. Declarations keep "./x.ts" (resolvable
// only with allowImportingTsExtensions), and `new URL("./x.ts", import.meta.url)` (the browser's
// default worker) is a string tsc does not touch. Both are rewritten here, ".ts" to ".js": the same
// length, so every source and declaration map stays exact.
const declarationSpecifier = /(["'])(\.{1,2}\/[^"'\n]*?)(?<!\.d)\.ts\1/g;
const workerUrl = /new URL\((["'])(\.{1,2}\/[^"'\n]+)\.ts\1(\s*,\s*import\.meta\.url\))/g;
const leftoverSpecifier = /(?:from\s*|import\s*\(\s*|import\s+)["']\.{1,2}\/[^"'\n]*\.ts["']/;

function fixEmittedSpecifiers(distDir) {
  for (const file of filesUnder(distDir)) {
    const before = readFileSync(file, "utf8");
    let after = before;
    if (file.endsWith(".d.ts")) after = before.replace(declarationSpecifier, "$1$2.js$1");
    else if (file.endsWith(".js")) after = before.replace(workerUrl, "new URL($1$2.js$1$3");
    if (after !== before) writeFileSync(file, after);
    if ((file.endsWith(".js") || file.endsWith(".d.ts")) && leftoverSpecifier.test(after)) {
      throw new Error(`${file} still imports a .ts file after the build`);
    }
  }
}

/** Cleans and builds every package that has a tsconfig.build.json; returns the packages built. */
export function buildPackages({ quiet = false } = {}) {
  const packages = workspacePackages().filter((p) => {
    try {
      readFileSync(join(root, p.dir, "tsconfig.build.json"));
      return true;
    } catch {
      return false;
    }
  });
  // always from clean: a file deleted from src must not live on in dist, and tsc's build info does
  // not notice every option change (a changed "lib" kept an old error here)
  for (const p of packages) rmSync(join(root, p.dir, "dist"), { recursive: true, force: true });
  const tsc = join(root, "node_modules", ".bin", "tsc");
  const result = spawnSync(tsc, ["--build", "tsconfig.build.json"], { cwd: root, stdio: quiet ? "pipe" : "inherit", encoding: "utf8" });
  if (result.status !== 0) {
    throw new Error(`tsc --build tsconfig.build.json failed${quiet ? `:\n${result.stdout}${result.stderr}` : ""}`);
  }
  for (const p of packages) fixEmittedSpecifiers(join(root, p.dir, "dist"));
  return packages;
}
