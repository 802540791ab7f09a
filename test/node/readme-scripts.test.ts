// README and BENCHMARKS.md name npm scripts and directories a reader will type or open: each must
// exist, so renaming a script or moving a package without updating the docs fails here.
import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const root = new URL("../../", import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), "utf8");
const scripts = Object.keys((JSON.parse(read("package.json")) as { scripts: Record<string, string> }).scripts);

describe.each(["README.md", "BENCHMARKS.md"])("%s", (doc) => {
  const text = read(doc);

  it("names only npm scripts that package.json defines", () => {
    const named = new Set([...text.matchAll(/npm run ([a-z][\w:-]*\w)/g)].map((m) => m[1] as string));
    // "`bench:core` / `bench:edge`" in a table row: the bare names after the first are scripts too.
    for (const m of text.matchAll(/`((?:bench|test):[a-z-]+)`/g)) named.add(m[1] as string);
    expect(named.size).toBeGreaterThan(0);
    expect([...named].filter((name) => !scripts.includes(name))).toEqual([]);
  });
});

describe("README's layout", () => {
  it("lists directories that exist, and every package", () => {
    const readme = read("README.md");
    const block = readme.slice(readme.indexOf("## Layout"));
    const dirs = [...block.matchAll(/^([\w.-]+(?:\/[\w.-]+)*\/)\s/gm)].map((m) => m[1] as string);
    expect(dirs.filter((dir) => !existsSync(new URL(dir, root)))).toEqual([]);
    const packages = ["browser", "cli", "client", "core", "kafkajs", "node", "protocol", "server", "sync", "worker"];
    expect(packages.filter((name) => !dirs.includes(`packages/${name}/`))).toEqual([]);
  });
});
