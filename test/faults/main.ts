// npm run test:faults — the full fault run (>= 20 leader crashes, two SIGKILLs of the broker);
// `-- --small` is the size CI runs. Prints the verdict; exits 1 if anything acknowledged was lost,
// duplicated or reordered.
import { formatVerdict } from "./check.ts";
import { runFaultCheck } from "./run.ts";

const small = process.argv.includes("--small");
const result = await runFaultCheck({
  producers: small ? 2 : 4,
  partitions: 3,
  leaderCrashes: small ? 4 : 24,
  processKills: small ? 1 : 2,
  log: (line) => console.error(line),
});
console.log(`\nfault run: ${result.seconds.toFixed(0)} s, faults ${JSON.stringify(result.faults)}`);
console.log(formatVerdict(result.verdict));
const v = result.verdict;
const bad = v.acknowledgedButLost.length + v.duplicates.length + v.orderViolations.length + v.movedOffsets.length;
process.exit(bad === 0 && v.acknowledged > 0 ? 0 : 1);
