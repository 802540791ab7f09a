// Another commit of this repository, unpacked beside it so the benchmark can run it in the same run
// as the working tree (before/after ratios of an optimisation). Its node_modules are this
// checkout's, except the workspace links (@rill/*), which point into the unpacked commit.
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, symlinkSync } from "node:fs";
import { join } from "node:path";

const root = new URL("../..", import.meta.url).pathname;

/** Unpacks `commit` (once) under .tmp/baseline/<hash> and answers that directory. */
export function checkoutBaseline(commit: string): string {
  const hash = execFileSync("git", ["rev-parse", commit], { cwd: root, encoding: "utf8" }).trim();
  const dir = join(root, ".tmp", "baseline", hash.slice(0, 12));
  if (existsSync(join(dir, "package.json"))) return dir;
  mkdirSync(dir, { recursive: true });
  execFileSync("sh", ["-c", `git archive ${hash} | tar -x -C "${dir}"`], { cwd: root });
  const modules = join(dir, "node_modules");
  mkdirSync(modules, { recursive: true });
  for (const entry of readdirSync(join(root, "node_modules"))) {
    // the workspace links are relative (../../packages/x): copied as links, they point into the commit
    if (entry === "@rill") cpSync(join(root, "node_modules", entry), join(modules, entry), { recursive: true, verbatimSymlinks: true });
    else symlinkSync(join(root, "node_modules", entry), join(modules, entry));
  }
  return dir;
}
