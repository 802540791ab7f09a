// The workspace as the pack scripts see it: every package, which of them are published, and the
// package.json a published one carries. Inside the repository a package exports its TypeScript source
// (so vitest, wrangler, Vite, tsx and tsc use it without a build); `publishConfig` holds what users get
// instead (exports with types/import conditions on dist, the built bin), as pnpm applies it at publish.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export const root = new URL("..", import.meta.url).pathname;

/** Fields of publishConfig that replace the top-level ones in the published package.json. */
const PUBLISHED_OVERRIDES = ["exports", "bin", "types", "main"];

export function readJson(path) {
  return JSON.parse(readFileSync(path, "utf8"));
}

/** Writes JSON the way the repository formats package.json (two spaces, trailing newline). */
export function writeJson(path, value) {
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
}

/** Every workspace package: `{ dir, manifestPath, manifest }`, in workspace order. */
export function workspacePackages() {
  const rootManifest = readJson(join(root, "package.json"));
  const dirs = rootManifest.workspaces.flatMap((pattern) => {
    if (!pattern.endsWith("/*")) return [pattern];
    const parent = pattern.slice(0, -2);
    return readdirSync(join(root, parent), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => `${parent}/${entry.name}`)
      .sort();
  });
  return dirs.flatMap((dir) => {
    const manifestPath = join(root, dir, "package.json");
    try {
      return [{ dir, manifestPath, manifest: readJson(manifestPath) }];
    } catch {
      return []; // a folder without a package.json is no package
    }
  });
}

export const isPublic = (pkg) => pkg.manifest.private !== true;

/** The repository's version: every package moves with it. */
export const repoVersion = () => readJson(join(root, "package.json")).version;

/** The version as code (the OpenAPI document states it): a constant, so every bundler inlines it. */
const versionFile = join(root, "packages/protocol/src/version.ts");
const VERSION_CONSTANT = /export const RILL_VERSION = "([^"]*)";/;

/** The version packages/protocol/src/version.ts states. */
export const codeVersion = () => VERSION_CONSTANT.exec(readFileSync(versionFile, "utf8"))?.[1];

/** Writes `version` into packages/protocol/src/version.ts. */
export function writeCodeVersion(version) {
  const text = readFileSync(versionFile, "utf8");
  if (!VERSION_CONSTANT.test(text)) throw new Error(`${versionFile} has no RILL_VERSION constant`);
  writeFileSync(versionFile, text.replace(VERSION_CONSTANT, `export const RILL_VERSION = "${version}";`));
}

/**
 * Problems that would make the published packages inconsistent: versions that do not move together,
 * a public package depending on a private one or on another version of a sibling, exports without a
 * published counterpart.
 */
export function workspaceProblems(packages = workspacePackages()) {
  const version = repoVersion();
  const byName = new Map(packages.map((p) => [p.manifest.name, p]));
  const problems = [];
  if (codeVersion() !== version) problems.push(`packages/protocol/src/version.ts states ${codeVersion()}, the repository ${version}`);
  for (const pkg of packages) {
    const { name } = pkg.manifest;
    if (pkg.manifest.version !== version) problems.push(`${name} is at ${pkg.manifest.version}, the repository at ${version}`);
    if (!isPublic(pkg)) continue;
    for (const [dep, range] of Object.entries(pkg.manifest.dependencies ?? {})) {
      const sibling = byName.get(dep);
      if (!sibling) continue;
      if (range !== version) problems.push(`${name} depends on ${dep}@${range}, not ${version}`);
      if (!isPublic(sibling)) problems.push(`${name} depends on ${dep}, which is private`);
    }
    const published = pkg.manifest.publishConfig?.exports ?? {};
    for (const subpath of Object.keys(pkg.manifest.exports ?? {})) {
      if (!(subpath in published)) problems.push(`${name} exports ${subpath} but publishConfig.exports does not`);
    }
    for (const field of ["files", "engines", "sideEffects"]) {
      if (pkg.manifest[field] === undefined) problems.push(`${name} has no "${field}"`);
    }
  }
  return problems;
}

/** The package.json a public package is published with. */
export function publishedManifest(manifest) {
  const { publishConfig = {}, scripts: _scripts, devDependencies: _dev, ...rest } = manifest;
  const published = { ...rest };
  const keptConfig = {};
  for (const [key, value] of Object.entries(publishConfig)) {
    if (PUBLISHED_OVERRIDES.includes(key)) published[key] = value;
    else keptConfig[key] = value; // access, registry, tag: npm's own
  }
  if (Object.keys(keptConfig).length > 0) published.publishConfig = keptConfig;
  return published;
}
