// Smoke test of `npm run bench -- --quick`: every system starts (or is reported as unable to), every
// part of the run (produce, latency, catch-up, groups, cost) prints its table, and the charts are
// written; its --catch-up-only --versions mode prints reads and ratios. Only the shape is checked:
// how fast anything was is never asserted.
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runBench } from "./bench.ts";
import { ALL_SYSTEMS } from "./bench-systems.ts";

describe("npm run bench --quick", () => {
  it("runs every system through every workload and writes the report and the charts", { timeout: 240_000 }, async () => {
    const svgDir = mkdtempSync(join(tmpdir(), "rill-bench-svg-"));
    const progress: string[] = [];
    const result = await runBench({ quick: true, svgDir, log: (line) => progress.push(line) });
    const md = result.markdown;
    for (const section of [
      "### Systems",
      "### Produce, records/s",
      "### End-to-end latency",
      "### Catch-up read",
      "### Consumer groups",
      "### Cost per million records",
    ]) {
      expect(md).toContain(section);
    }
    // each system is either measured or reported as unable to start, never dropped
    for (const system of ALL_SYSTEMS.filter((s) => s !== "rill-wrangler")) expect(md).toMatch(new RegExp(`\\| ${system} \\|`));
    // the edge and a peer both produced something in the smallest workload
    const row = md.split("\n").find((line) => line.startsWith("| 100 B x1/req, 1 partition |"));
    expect(row).toBeDefined();
    expect(row).toContain("|");
    // cost rows for 1, 100 and 1000 records per request, each with one object request per produce request
    const cost = md.split("### Cost per million records")[1] ?? "";
    for (const per of [1, 100, 1000]) {
      const line = cost.split("\n").find((l) => l.startsWith(`| ${per} |`));
      const cells = line?.split("|").map((c) => c.trim());
      expect(cells?.[2], line).toBe(cells?.[3]);
    }
    expect(result.svgFiles).toHaveLength(3);
    for (const file of result.svgFiles) {
      expect(existsSync(file)).toBe(true);
      expect(readFileSync(file, "utf8")).toMatch(/^<svg [^>]*>[\s\S]*<polyline[\s\S]*<\/svg>$/);
      // Linted like any source: an SVG without a title fails biome's accessibility rule.
      expect(readFileSync(file, "utf8")).toMatch(/<svg [^>]*role="img"[^>]*>\n<title id="title">[^<]+<\/title>/);
    }
    expect(progress.some((line) => line.startsWith("produce "))).toBe(true);
  });

  it("--catch-up-only with --versions reads every version and sets each against the one before it", { timeout: 240_000 }, async () => {
    const result = await runBench({ quick: true, catchUpOnly: 2000, versions: ["HEAD"], log: () => undefined });
    const md = result.markdown;
    expect(md).not.toContain("### Produce");
    for (const name of ["rill edge (binary)", "rill edge (json)", "rill edge @", "Each version against the one before it"])
      expect(md).toContain(name);
    const read = md.split("\n").filter((line) => line.startsWith("| rill edge") && line.includes("| 2,000 |"));
    expect(read).toHaveLength(4);
    const ratios = md
      .split("\n")
      .filter((line) => /^\| rill edge \((binary|json)\) \| rill edge @\S+ \((binary|json)\) \|.*\d\.\d\dx \|$/.test(line));
    expect(ratios).toHaveLength(2);
  });
});
