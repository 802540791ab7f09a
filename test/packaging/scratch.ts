// The scratch project: every public package packed (`npm pack` of the built, staged packages) and
// installed from the tarballs into a fresh directory under the OS temp dir, where nothing of the
// repository can be resolved (no workspace links, no parent node_modules), with the fixtures a user
// would write beside them.
import { cpSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type PackedPackage, packAll } from "../../scripts/pack.mjs";
import { repoRoot, run } from "./processes.ts";

export interface Scratch {
  dir: string;
  packed: PackedPackage[];
}

const fixtures = new URL("./fixtures/", import.meta.url).pathname;

/** Packs every public package into `<work>/tarballs` and installs them into `<work>/app`. */
export function createScratch(): Scratch {
  const work = mkdtempSync(join(tmpdir(), "rill-packaging-"));
  const packed = packAll({ outDir: join(work, "tarballs"), quiet: true });
  const dir = join(work, "app");
  mkdirSync(dir);
  writeFileSync(join(dir, "package.json"), `${JSON.stringify({ name: "rill-user-app", private: true, type: "module" }, null, 2)}\n`);
  // types for the TypeScript consumers, at the repository's pinned versions (from the npm cache when warm)
  const devDependencies = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")).devDependencies as Record<string, string>;
  const typePackages = ["@types/node", "@cloudflare/workers-types"].map((name) => `${name}@${devDependencies[name]}`);
  run(
    "npm",
    ["install", "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts", ...packed.map((p) => p.tarball), ...typePackages],
    {
      cwd: dir,
    },
  );
  cpSync(fixtures, dir, { recursive: true });
  return { dir, packed };
}

/** Each installed @rill package is a real directory from a tarball, not a link into the repository. */
export function installedFromTarballs(scratch: Scratch): string[] {
  const installed = join(scratch.dir, "node_modules", "@rill");
  const names = readdirSync(installed);
  for (const name of names) {
    if (lstatSync(join(installed, name)).isSymbolicLink()) throw new Error(`@rill/${name} is a link, not an installed package`);
  }
  const missing = scratch.packed.filter((p) => !names.includes(p.name.replace("@rill/", "")));
  if (missing.length > 0) throw new Error(`not installed: ${missing.map((p) => p.name).join(", ")}`);
  return names.map((n) => `@rill/${n}`);
}

/** The fenced code blocks of `lang` in an installed package's README. */
export function readmeBlocks(scratch: Scratch, pkg: string, lang: string): string[] {
  return fencedBlocks(readFileSync(join(scratch.dir, "node_modules", pkg, "README.md"), "utf8"), lang);
}

function fencedBlocks(markdown: string, lang: string): string[] {
  return [...markdown.matchAll(new RegExp(`^\`\`\`${lang}\\n([\\s\\S]*?)^\`\`\`$`, "gm"))].map((m) => m[1] as string);
}

/** The fenced code blocks of `lang` in one section ("## <heading>") of the repository's own README. */
export function repoReadmeBlocks(heading: string, lang: string): string[] {
  const text = readFileSync(join(repoRoot, "README.md"), "utf8");
  const start = text.indexOf(`## ${heading}\n`);
  if (start < 0) throw new Error(`README.md has no section "${heading}"`);
  const end = text.indexOf("\n## ", start + 3);
  const section = text.slice(start, end < 0 ? undefined : end);
  return fencedBlocks(section, lang);
}

/** The subpaths a package exports, as import specifiers ("@rill/protocol", "@rill/protocol/operations"). */
export function exportedSpecifiers(scratch: Scratch, pkg: string): string[] {
  const manifest = JSON.parse(readFileSync(join(scratch.dir, "node_modules", pkg, "package.json"), "utf8"));
  return Object.keys(manifest.exports).map((subpath) => (subpath === "." ? pkg : `${pkg}/${subpath.slice(2)}`));
}
