#!/usr/bin/env node
// `npm run pack`: builds every public package and packs it into a tarball users can install, in
// .tmp/pack/ (or --out DIR). Each package is packed from a staged copy (outside the repository) whose
// package.json is the published one: publishConfig's exports/bin/types applied, scripts dropped.
// Publishing is then `npm publish <tarball>` for each, in any order (versions move together).
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { builtinModules } from "node:module";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { buildPackages, filesUnder } from "./pack-build.mjs";
import { isPublic, publishedManifest, root, workspacePackages, workspaceProblems, writeJson } from "./pack-workspace.mjs";

const builtins = new Set(builtinModules);
const bareImport =
  /(?:^|[\s;])(?:import|export)\s[^"';]*?from\s*["']([^"'./][^"']*)["']|import\s*\(\s*["']([^"'./][^"']*)["']\s*\)|^import\s+["']([^"'./][^"']*)["']/gm;

/** The package a bare specifier names: "hono/cors" -> "hono", "@rill/protocol/operations" -> "@rill/protocol". */
const packageOf = (specifier) =>
  specifier
    .split("/")
    .slice(0, specifier.startsWith("@") ? 2 : 1)
    .join("/");

/** Problems in a staged package: files its package.json names that are missing, imports of undeclared packages. */
function stagedProblems(dir, manifest) {
  const problems = [];
  const named = [];
  const collect = (value) => {
    if (typeof value === "string") named.push(value);
    else if (value && typeof value === "object") for (const v of Object.values(value)) collect(v);
  };
  collect(manifest.exports);
  collect(manifest.bin);
  collect(manifest.types);
  for (const path of named) if (!existsSync(join(dir, path))) problems.push(`${manifest.name}: ${path} is named but not built`);
  const declared = new Set([...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.peerDependencies ?? {}), manifest.name]);
  for (const file of filesUnder(join(dir, "dist"))) {
    if (!file.endsWith(".js") && !file.endsWith(".d.ts")) continue;
    for (const match of readFileSync(file, "utf8").matchAll(bareImport)) {
      const specifier = match[1] ?? match[2] ?? match[3];
      if (specifier.startsWith("node:") || specifier.startsWith("cloudflare:") || builtins.has(specifier)) continue;
      if (!declared.has(packageOf(specifier))) {
        problems.push(`${manifest.name}: ${file.slice(dir.length + 1)} imports ${specifier}, which is not a dependency`);
      }
    }
  }
  return problems;
}

/**
 * Builds, stages and packs every public package into `outDir`. Returns one entry per package:
 * `{ name, version, tarball (absolute path), size, unpackedSize, entryCount }`.
 */
export function packAll({ outDir = join(root, ".tmp", "pack"), quiet = false } = {}) {
  const log = quiet ? () => undefined : (line) => console.log(line);
  const problems = workspaceProblems();
  if (problems.length > 0) throw new Error(`the workspace is not ready to pack:\n  ${problems.join("\n  ")}`);
  log("building (tsc --build tsconfig.build.json)");
  buildPackages({ quiet });
  const publicPackages = workspacePackages().filter(isPublic);
  const stageRoot = mkdtempSync(join(tmpdir(), "rill-stage-"));
  try {
    const staged = [];
    for (const pkg of publicPackages) {
      const dir = join(stageRoot, basename(pkg.dir));
      const from = join(root, pkg.dir);
      mkdirSync(dir);
      if (!existsSync(join(from, "README.md"))) throw new Error(`${pkg.manifest.name} has no README.md`);
      cpSync(join(from, "README.md"), join(dir, "README.md"));
      cpSync(join(from, "src"), join(dir, "src"), { recursive: true });
      cpSync(join(from, "dist"), join(dir, "dist"), { recursive: true, filter: (source) => !source.endsWith(".tsbuildinfo") });
      const manifest = publishedManifest(pkg.manifest);
      writeJson(join(dir, "package.json"), manifest);
      const found = stagedProblems(dir, manifest);
      if (found.length > 0) throw new Error(`${pkg.manifest.name} would not work once installed:\n  ${found.join("\n  ")}`);
      staged.push(dir);
    }
    rmSync(outDir, { recursive: true, force: true });
    mkdirSync(outDir, { recursive: true });
    log(`packing ${staged.length} packages into ${outDir}`);
    const result = spawnSync("npm", ["pack", "--json", "--pack-destination", resolve(outDir), ...staged.map((d) => `./${basename(d)}`)], {
      cwd: stageRoot,
      encoding: "utf8",
    });
    if (result.status !== 0) throw new Error(`npm pack failed:\n${result.stderr}`);
    return JSON.parse(result.stdout).map((entry) => ({
      name: entry.name,
      version: entry.version,
      tarball: join(resolve(outDir), entry.filename),
      size: entry.size,
      unpackedSize: entry.unpackedSize,
      entryCount: entry.entryCount,
    }));
  } finally {
    rmSync(stageRoot, { recursive: true, force: true });
  }
}

const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;

/** The table `npm run pack` prints (and the packaging test repeats). */
export function packTable(packed) {
  const rows = packed.map((p) => [p.name, p.version, kb(p.size), kb(p.unpackedSize), String(p.entryCount)]);
  const header = ["package", "version", "tarball", "unpacked", "files"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) => cells.map((c, i) => (i >= 2 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join("  ");
  const total = packed.reduce((sum, p) => sum + p.size, 0);
  return [line(header), ...rows.map(line), `${packed.length} packages, ${kb(total)} of tarballs`].join("\n");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const outFlag = process.argv.indexOf("--out");
  const outDir = outFlag > 0 ? resolve(process.argv[outFlag + 1]) : undefined;
  try {
    const packed = packAll({ outDir });
    console.log(`\n${packTable(packed)}`);
  } catch (error) {
    console.error(`✖ ${error.message}`);
    process.exit(1);
  }
}
