// `npm run test:packaging`: the published packages, tried from outside the repository. Packs every
// public package, installs the tarballs into a scratch project under the OS temp dir (no workspace
// links), and there: compiles strict TypeScript consumers, runs a plain Node ESM program and the
// installed CLI against @rill/node's broker, runs @rill/edge from its README's wrangler.toml and
// mounted inside a user's Worker beside a @rill/client Worker under wrangler dev, builds a Vite page
// on @rill/browser and @rill/client and runs it in Chromium, and weighs the browser bundles.
// `--keep` leaves the scratch project in place for a look.
import { rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { packTable } from "../../scripts/pack.mjs";
import { CLIENT_BUDGET_BYTES, clientWithinBudget, measureSizes, sizeTable } from "../../scripts/size.mjs";
import { buildPage, runPage } from "./browser-page.ts";
import { run, type Started, startScratchBroker, startWranglerDev, stopAll } from "./processes.ts";
import { createScratch, installedFromTarballs, repoReadmeBlocks, type Scratch } from "./scratch.ts";
import { checkTypeScriptConsumers, uncoveredPackages } from "./typescript-consumers.ts";
import { configs, writeWorkerProjects } from "./workers.ts";

const done: Array<{ name: string; seconds: number; detail: string }> = [];

async function step(name: string, body: () => Promise<string> | string): Promise<void> {
  const started = Date.now();
  console.log(`▶ ${name}`);
  const detail = await body();
  const seconds = (Date.now() - started) / 1000;
  done.push({ name, seconds, detail });
  console.log(`✔ ${name} (${seconds.toFixed(1)}s): ${detail}`);
}

function expectEqual(what: string, actual: unknown, expected: unknown): void {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) {
    throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
  }
}

/** The Node program's JSON line, checked: every record read once by the group, all of it committed. */
function checkNodeApp(output: string): string {
  const result = JSON.parse(output.trim().split("\n").at(-1) ?? "{}") as { records: string[]; totalLag: number; partitions: number };
  expectEqual("records the group read", result.records, ["alice:pen", "bob:book", "carol:ink", "dave:desk"]);
  expectEqual("the group's lag after the run", result.totalLag, 0);
  expectEqual("partitions in the group's description", result.partitions, 2);
  return "4 records produced, read once by a consumer group, lag 0";
}

async function main(): Promise<void> {
  const keep = process.argv.includes("--keep");
  let scratch: Scratch | undefined;
  let nodeBroker: Started | undefined;
  try {
    await step("pack and install the tarballs", () => {
      scratch = createScratch();
      const installed = installedFromTarballs(scratch);
      return `${installed.length} packages in ${scratch.dir}`;
    });
    const app = scratch as Scratch;
    writeWorkerProjects(app);

    await step("TypeScript consumers (tsc --noEmit, strict, skipLibCheck off)", () => {
      const uncovered = uncoveredPackages(app);
      if (uncovered.length > 0) throw new Error(`no TypeScript environment compiles ${uncovered.join(", ")}`);
      return checkTypeScriptConsumers(app);
    });

    nodeBroker = await startScratchBroker(app.dir);
    const nodeUrl = nodeBroker.url;
    await step("plain Node ESM program, @rill/client on @rill/node's broker", () =>
      checkNodeApp(run(process.execPath, ["node-app.mjs", nodeUrl], { cwd: app.dir })),
    );

    await step("README's Node program (Install from npm), as printed", () => {
      const [program] = repoReadmeBlocks("Install from npm", "js");
      if (!program) throw new Error("README.md's Install from npm section has no js block");
      writeFileSync(join(app.dir, "readme-app.mjs"), program);
      const printed = run(process.execPath, ["readme-app.mjs"], { cwd: app.dir });
      if (!/topicName: 'payments'/.test(printed)) throw new Error(`the README's program printed:\n${printed}`);
      return "its own broker, a topic, a record sent";
    });

    await step("installed CLI: npx rill --help, produce/consume round trip", () => {
      const help = run("npx", ["rill", "--help"], { cwd: app.dir });
      if (!help.includes("Usage: rill")) throw new Error(`rill --help printed:\n${help}`);
      const rill = (args: string[], input?: string) => run("npx", ["rill", "--broker", nodeUrl, ...args], { cwd: app.dir, input });
      rill(["topics", "create", "cli-orders", "--partitions", "1"]);
      rill(["produce", "cli-orders", "--key-separator", ":"], "alice:pen\nbob:book\n");
      const consumed = rill(["consume", "cli-orders", "--format", "kv", "--key-separator", "="]);
      expectEqual("rill consume", consumed.trim().split("\n"), ["alice=pen", "bob=book"]);
      return "help, topics create, produce from stdin, consume";
    });

    await step("@rill/edge from its README's wrangler.toml, under wrangler dev", async () => {
      const edge = await startWranglerDev(app.dir, configs.edge, { readyPath: "/healthz", stateDir: `${app.dir}/state/edge` });
      try {
        return checkNodeApp(run(process.execPath, ["node-app.mjs", edge.url], { cwd: app.dir }));
      } finally {
        await edge.stop();
      }
    });

    await step("a user's Worker mounting @rill/edge at /rill, and a @rill/client Worker, under wrangler dev", async () => {
      const mounted = await startWranglerDev(app.dir, configs.mounted, {
        readyPath: "/rill/healthz",
        stateDir: `${app.dir}/state/mounted`,
      });
      try {
        const own = await fetch(`${mounted.url}/`);
        expectEqual("the user's own route", [own.status, await own.text()], [200, "my app's own routes"]);
        const client = await startWranglerDev(app.dir, configs.client, {
          readyPath: "/healthz",
          vars: { RILL_URL: `${mounted.url}/rill` },
          stateDir: `${app.dir}/state/client`,
        });
        try {
          const answer = await fetch(`${client.url}/?topic=from-a-worker`);
          expectEqual(
            "the client Worker's answer",
            [answer.status, await answer.json()],
            [200, { offsets: [0, 1, 2], values: ["one", "two", "three"], refused: "INVALID_RECORD" }],
          );
        } finally {
          await client.stop();
        }
        return "own route served, /rill/* is the broker; the client Worker produced, consumed and had a record refused by a JSON Schema, through /rill";
      } finally {
        await mounted.stop();
      }
    });

    await step("web page on @rill/browser and @rill/client: Vite build, Chromium", async () => {
      const files = await buildPage(app.dir);
      const result = await runPage(app.dir, nodeUrl);
      if (!result.ok) throw new Error(`the page failed: ${result.error}`);
      expectEqual("the app-bundled worker's broker", result.app, ["a1", "a2", "a3"]);
      expectEqual("the package's default worker's broker", result.builtIn, ["b1"]);
      expectEqual("the remote broker over HTTP", result.remote, ["r1", "r2"]);
      return `${files.length} files built; local broker (own worker script and the package's), remote broker over HTTP`;
    });

    const sizes = await measureSizes({ from: app.dir });
    await step("browser bundle sizes (from the installed packages)", () => {
      if (!clientWithinBudget(sizes))
        throw new Error(`@rill/client is over its ${CLIENT_BUDGET_BYTES / 1024} KB budget:\n${sizeTable(sizes)}`);
      return "@rill/client within its budget";
    });
    console.log(`\n${packTable(app.packed)}\n\n${sizeTable(sizes)}\n`);
  } finally {
    await nodeBroker?.stop();
    await stopAll();
    if (scratch && !keep) rmSync(dirname(scratch.dir), { recursive: true, force: true });
  }
  const total = done.reduce((sum, d) => sum + d.seconds, 0);
  console.log(`✔ packaging: ${done.length} steps in ${total.toFixed(0)}s${keep && scratch ? ` (kept ${scratch.dir})` : ""}`);
}

main().catch(async (error: unknown) => {
  await stopAll();
  console.error(`✖ packaging: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
