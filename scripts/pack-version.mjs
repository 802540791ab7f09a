#!/usr/bin/env node
// `npm run version:set -- 0.3.0`: moves every package to one version together (the root's, each
// workspace package's, every dependency of one Rill package on another, and the RILL_VERSION
// constant in packages/protocol/src/version.ts), then `npm install` refreshes the lockfile. Other
// fields are left as they are.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { readJson, root, workspacePackages, writeCodeVersion, writeJson } from "./pack-workspace.mjs";

const next = process.argv[2];
if (!next || !/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(next)) {
  console.error("usage: npm run version:set -- <major.minor.patch>");
  process.exit(2);
}

const rootPath = join(root, "package.json");
const rootManifest = readJson(rootPath);
rootManifest.version = next;
writeJson(rootPath, rootManifest);

const packages = workspacePackages();
const names = new Set(packages.map((p) => p.manifest.name));
for (const { manifestPath } of packages) {
  // read again just before writing: other tools may have touched the file since the listing
  const manifest = readJson(manifestPath);
  manifest.version = next;
  for (const field of ["dependencies", "peerDependencies", "optionalDependencies", "devDependencies"]) {
    for (const dep of Object.keys(manifest[field] ?? {})) if (names.has(dep)) manifest[field][dep] = next;
  }
  writeJson(manifestPath, manifest);
}
writeCodeVersion(next);
console.log(`every package is at ${next}; refreshing the lockfile`);
const install = spawnSync("npm", ["install", "--no-audit", "--no-fund"], { cwd: root, stdio: "inherit" });
process.exit(install.status ?? 1);
