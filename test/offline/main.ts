// `npm run test:offline`: the full adversarial offline-sync run in Chromium, with progress.
// `--short` runs the CI-sized version; `--quota` adds a full disk (needs root). The full run then runs the
// quota-exhausted-mid-sync test (test/chromium/sync-quota.test.ts). Exits non-zero unless the verdict is all zeros.
import { spawnSync } from "node:child_process";
import { formatVerdict } from "../faults/check.ts";
import { fullOfflineRun, runOfflineScenario, shortOfflineRun } from "./run.ts";

const QUOTA_TEST = "test/chromium/sync-quota.test.ts";
const short = process.argv.includes("--short");
const quota = process.argv.includes("--quota");
const started = Date.now();
const log = (line: string) => console.log(`[${((Date.now() - started) / 1000).toFixed(1)}s] ${line}`);

const result = await runOfflineScenario(short ? { ...shortOfflineRun, log } : { ...fullOfflineRun, quota, log });
const { verdict, counts, replicaMismatches, uploadedKnown, uploadedWrong } = result;

/** Quota exhausted mid-sync: a test with its own Chromium on a 64 MB disk (mounting it needs root; it skips without). */
function runQuotaMidSync(): string {
  log(`quota exhausted mid-sync: ${QUOTA_TEST}`);
  const passed = spawnSync("npx", ["vitest", "run", "--project", "chromium", QUOTA_TEST], { stdio: "inherit" }).status === 0;
  if (!passed) return "FAILED";
  return process.getuid?.() === 0 ? "passed" : "skipped (mounting the small disk needs root)";
}
const quotaMidSync = short ? "not run (--short; npm test runs it)" : runQuotaMidSync();
console.log(
  [
    "",
    `records acknowledged locally: ${counts.records}`,
    `browser SIGKILLs:             ${counts.kills}`,
    `reloads:                      ${counts.reloads}`,
    `host tabs closed:             ${counts.hostTabsClosed}`,
    `answers dropped by the proxy: ${counts.droppedAnswers} (${counts.droppedProduceAnswers} to uploads in the flaky phase)`,
    `blackholes:                   ${counts.blackholes}`,
    `edge SIGKILLs:                ${counts.edgeKills}`,
    `quota mid-sync, resumed:      ${quotaMidSync} (${QUOTA_TEST})`,
    `full-disk refusals, resumed:  ${counts.quotaRefusals}${quota ? `, databases the browser deleted: ${counts.databasesLost}` : " (not run: --quota)"}`,
    `repeats absorbed (counted):   ${counts.repeatsAbsorbed}`,
    `replica batches unlike edge:  ${replicaMismatches}`,
    `uploaded() edge offsets:      ${uploadedKnown} checked, ${uploadedWrong} wrong`,
    formatVerdict(verdict),
  ].join("\n"),
);
const ok =
  verdict.acknowledgedButLost.length === 0 &&
  verdict.duplicates.length === 0 &&
  verdict.orderViolations.length === 0 &&
  verdict.movedOffsets.length === 0 &&
  replicaMismatches === 0 &&
  uploadedWrong === 0 &&
  uploadedKnown > 0 &&
  quotaMidSync !== "FAILED";
console.log(ok ? "offline sync: PASS" : "offline sync: FAIL");
process.exit(ok ? 0 : 1);
