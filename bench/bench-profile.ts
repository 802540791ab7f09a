// npm run bench:profile — where the edge's produce time goes: the broker in workerd (Miniflare,
// inspector on), one load at a time (records per request, JSON or binary), with a CPU profile of
// the isolate that runs the Worker and its Durable Objects (CDP Profiler) and the CPU seconds of
// workerd and of this process (the load generator) from /proc. Prints the hottest functions by
// self time; writes each profile to .tmp/profiles/ for DevTools.
//   tsx bench/bench-profile.ts [--seconds 4] [--shape binary:1,binary:1000,json:1000]
//   --shape catchup:200000: the catch-up read instead (binary 4 MB fetches of that many records)
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { connectInspector } from "../test/harness/inspector.ts";
import { freePort } from "../test/harness/local-broker.ts";
import { rillTarget } from "./peers/rill.ts";
import { startMiniflareEdge } from "./peers/rill-edge.ts";

const root = new URL("..", import.meta.url).pathname;
const log = (line: string) => process.stderr.write(`${line}\n`);

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Self time by function, in ms, hottest first. */
export function selfTimes(profile: CpuProfile): Array<{ name: string; ms: number; share: number }> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const totals = new Map<string, number>();
  let all = 0;
  profile.samples.forEach((id, i) => {
    const node = byId.get(id);
    const delta = (profile.timeDeltas[i] ?? 0) / 1000;
    all += delta;
    const f = node?.callFrame;
    const file = f?.url ? f.url.split("/").pop() : "";
    const name = `${f?.functionName || "(anonymous)"}${file ? ` ${file}:${(f?.lineNumber ?? 0) + 1}` : ""}`;
    totals.set(name, (totals.get(name) ?? 0) + delta);
  });
  return [...totals].map(([name, ms]) => ({ name, ms, share: ms / all })).sort((a, b) => b.ms - a.ms);
}

/**
 * CPU seconds (user + system) of this process's children whose command line contains `match`
 * (Miniflare's workerd, not another run's on the same machine).
 */
function cpuSeconds(match: string): number {
  let ticks = 0;
  for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(match)) continue;
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[1]) !== process.pid) continue;
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // gone
    }
  }
  return ticks / 100;
}

const ownCpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

async function main(): Promise<void> {
  const flag = (name: string, fallback: string) => {
    const at = process.argv.indexOf(name);
    return at >= 0 ? (process.argv[at + 1] ?? fallback) : fallback;
  };
  const seconds = Number(flag("--seconds", "4"));
  const shapes = flag("--shape", "binary:1,binary:1000,json:1000").split(",");
  const inspectorPort = await freePort();
  const edge = await startMiniflareEdge({ inspectorPort });
  const outDir = join(root, ".tmp", "profiles");
  mkdirSync(outDir, { recursive: true });
  try {
    const session = await connectInspector(`http://127.0.0.1:${inspectorPort}`, { match: "core:user" });
    await session.send("Profiler.enable");
    await session.send("Profiler.setSamplingInterval", { interval: 100 });
    for (const shape of shapes) {
      const [kind, per] = shape.split(":") as ["json" | "binary" | "catchup", string];
      // catchup:<records>: the bench's catch-up read (binary, 4 MB fetches) of a stream of that many
      // records, produced untimed in requests of 1000, read from its start again and again
      const catchUp = kind === "catchup";
      const format = catchUp ? "binary" : kind;
      const perRequest = catchUp ? 1000 : Number(per);
      const target = rillTarget({ url: edge.url, system: "rill-edge", label: "edge", format, durability: "" });
      const stream = `prof-${kind}-${per}`;
      await target.create(stream, 1);
      const send = target.prepare({ valueSize: 100, perRequest });
      const warmup = catchUp ? Math.ceil(Number(per) / 1000) : 20;
      for (let i = 0; i < warmup; i++) await send(stream, 0);
      await session.send("Profiler.start");
      const cpu0 = { workerd: cpuSeconds("workerd"), own: ownCpu() };
      const started = performance.now();
      let requests = 0;
      if (catchUp) {
        do {
          const read = await target.catchUp(stream, Number(per));
          requests += Math.ceil(read.bytes / 4_000_000);
        } while (performance.now() - started < seconds * 1000);
      } else {
        await Promise.all(
          Array.from({ length: 8 }, async () => {
            while (performance.now() - started < seconds * 1000) {
              await send(stream, 0);
              requests++;
            }
          }),
        );
      }
      const wall = (performance.now() - started) / 1000;
      const cpu1 = { workerd: cpuSeconds("workerd"), own: ownCpu() };
      const { profile } = await session.send<{ profile: CpuProfile }>("Profiler.stop");
      const file = join(outDir, `edge-${kind}-${per}.cpuprofile`);
      writeFileSync(file, JSON.stringify(profile));
      const rows = selfTimes(profile);
      const js = rows.filter((r) => !r.name.startsWith("(idle)") && !r.name.startsWith("(program)")).reduce((n, r) => n + r.ms, 0);
      console.log(
        catchUp
          ? `\n### catch-up read of ${per} records (binary, 4 MB fetches): ${Math.round(requests / wall)} fetches/s over ${wall.toFixed(1)} s`
          : `\n### ${format}, ${perRequest} records/request: ${Math.round(requests / wall)} requests/s over ${wall.toFixed(1)} s`,
      );
      console.log(
        `workerd CPU ${((cpu1.workerd - cpu0.workerd) / wall).toFixed(2)} cores, load generator ${((cpu1.own - cpu0.own) / wall).toFixed(2)} cores; ` +
          `JS in the isolate ${(js / 1000 / wall).toFixed(2)} cores (${((js * 1000) / Math.max(1, requests)).toFixed(0)} µs per request); profile: ${file}`,
      );
      console.log("\n| self ms | share | function |\n|---:|---:|---|");
      for (const r of rows.slice(0, 25)) console.log(`| ${r.ms.toFixed(1)} | ${(r.share * 100).toFixed(1)} % | ${r.name} |`);
    }
    await session.close();
  } finally {
    await edge.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((error: unknown) => {
    log(String((error as Error)?.stack ?? error));
    process.exitCode = 1;
  });
}
