// npm run test:fuzz — the long fuzz run: bad requests over every route, by every kind of caller,
// against the in-process broker (default 10,000) and the real edge under wrangler dev (default
// 2,000). `-- --runs N --edge-runs N --seed S` change the sizes. Exits 1 on any 5xx, crash, error
// without a code, or changed state.
import { createNodeBroker } from "@rill/node";
import { securitySettingsFrom } from "@rill/server";
import { startLocalBroker } from "../harness/local-broker.ts";
import { FUZZ_SETTINGS, runFuzz } from "./run.ts";

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
}

const runs = option("runs", 10_000);
const edgeRuns = option("edge-runs", 2_000);
const seed = option("seed", Date.now() % 2 ** 31);
console.log(`fuzz seed ${seed}`);
let bad = 0;

const node = createNodeBroker({ auth: securitySettingsFrom(FUZZ_SETTINGS).auth });
console.log("\nin-process broker:");
const local = await runFuzz((request) => node.fetch(request), { runs, seed, log: console.log });
bad += local.failures.length + local.changed.length;
for (const f of local.failures.slice(0, 20)) console.log(`  FAIL ${f}`);
await node.close();

if (edgeRuns > 0) {
  console.log("\nedge broker (wrangler dev):");
  const edge = await startLocalBroker({ vars: FUZZ_SETTINGS });
  try {
    const origin = new URL(edge.url);
    const report = await runFuzz(
      (request) => {
        const url = new URL(request.url);
        url.protocol = origin.protocol;
        url.host = origin.host;
        return fetch(new Request(url, request));
      },
      { runs: edgeRuns, seed, log: console.log },
    );
    bad += report.failures.length + report.changed.length;
    for (const f of report.failures.slice(0, 20)) console.log(`  FAIL ${f}`);
    console.log(`\ntotal: ${local.requests + report.requests} requests`);
  } finally {
    await edge.stop();
  }
}
process.exit(bad === 0 ? 0 : 1);
