// The soak benchmark's bookkeeping: per-window counters and latencies, the resident memory of the
// broker's processes (from /proc), the window line and the closing verdict against issue 16's
// targets. Nothing here asserts: figures are printed, the smoke test checks only counts.
import { existsSync, readdirSync, readFileSync } from "node:fs";

/** What one window saw. Latencies in ms. */
export interface WindowStats {
  index: number;
  /** Seconds since the start of the run, at the window's start and end. */
  from: number;
  to: number;
  warmup: boolean;
  produced: number;
  read: number;
  errors: number;
  /** Record bytes (keys + values) acknowledged in the window. */
  bytesProduced: number;
  produceMs: number[];
  endToEndMs: number[];
  /** Resident memory per broker process (label → bytes), at the window's end. */
  rss: Record<string, number>;
  /** V8 used heap of the isolate running the partition objects, right after a full GC (snapshot). */
  heapLive?: number;
  /** V8 used heap before that collection (garbage included). */
  heapUsed?: number;
  /** Bytes of ArrayBuffer backing stores alive after the collection (outside the JS heap). */
  buffers?: number;
  /** The machine's 1-minute load average at the window's end (it is shared with other work). */
  load?: number;
}

export function newWindow(index: number, from: number, warmup: boolean): WindowStats {
  return {
    index,
    from,
    to: from,
    warmup,
    produced: 0,
    read: 0,
    errors: 0,
    bytesProduced: 0,
    produceMs: [],
    endToEndMs: [],
    rss: {},
  };
}

export function percentile(values: number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** The processes of a process group (wrangler's), labelled by what they are. */
export function processGroupRss(pgid: number): Record<string, number> {
  const out: Record<string, number> = {};
  if (!existsSync("/proc")) return out; // Linux only: elsewhere the windows show no RSS
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // the command name is in parentheses and may hold spaces: fields start after the last ')'
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[2]) !== pgid) continue;
      const rssPages = Number(readFileSync(`/proc/${entry}/statm`, "utf8").split(" ")[1]);
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
      out[`${labelOf(cmdline)}(${entry})`] = rssPages * 4096;
    } catch {
      // the process ended between the listing and the read
    }
  }
  return out;
}

function labelOf(cmdline: string[]): string {
  const exe = cmdline[0] ?? "";
  if (exe.endsWith("workerd")) return cmdline.some((a) => a.startsWith("--inspector-addr")) ? "workerd-runtime" : "workerd-proxy";
  return cmdline.some((a) => a.endsWith("cli.js")) ? "wrangler" : "wrangler-launcher";
}

export const totalRss = (rss: Record<string, number>) => Object.values(rss).reduce((a, b) => a + b, 0);

/** RSS of the workerd process that runs the Worker and its Durable Objects. */
export const runtimeRss = (rss: Record<string, number>) =>
  Object.entries(rss).reduce((a, [label, bytes]) => a + (label.startsWith("workerd-runtime") ? bytes : 0), 0);

const mb = (bytes: number | undefined) => (bytes === undefined ? "-" : (bytes / 1e6).toFixed(1));
const ms = (value: number | undefined) => (value === undefined ? "-" : value < 10 ? value.toFixed(1) : value.toFixed(0));

export function formatWindow(w: WindowStats): string {
  const seconds = Math.max(1e-9, w.to - w.from);
  const rss = Object.entries(w.rss)
    .map(([label, bytes]) => `${label.replace(/\(\d+\)$/, "")} ${mb(bytes)}`)
    .join(", ");
  return [
    `window ${String(w.index).padStart(2)} ${`[${w.from.toFixed(0)}-${w.to.toFixed(0)} s]`.padEnd(12)}${w.warmup ? " warm-up" : ""}`,
    `produced ${w.produced} (${(w.produced / seconds).toFixed(0)}/s)`,
    `read ${w.read}`,
    `errors ${w.errors}`,
    `produce p50/p99 ${ms(percentile(w.produceMs, 50))}/${ms(percentile(w.produceMs, 99))} ms`,
    `e2e p50/p99 ${ms(percentile(w.endToEndMs, 50))}/${ms(percentile(w.endToEndMs, 99))} ms`,
    `RSS MB ${rss} (total ${mb(totalRss(w.rss))})`,
    `JS heap MB ${mb(w.heapLive)} live / ${mb(w.heapUsed)} used, buffers ${mb(w.buffers)}`,
    `load ${w.load === undefined ? "-" : w.load.toFixed(1)}`,
  ].join(" · ");
}

/** Issue 16's targets, judged on the first window after warm-up and the last one. */
export const TARGETS = { heapMaxBytes: 64e6, heapGrowth: 0.1, p99Ratio: 1.5 };

export interface Verdict {
  pass: boolean;
  line: string;
}

export interface Accounting {
  errors: number;
  /** Every long-polling reader read every acknowledged record exactly once. */
  readersExact: boolean;
  /** Every live tail saw its partition's records once, in order. */
  tailsExact: boolean;
  /** The consumer group saw every record (at least once, as groups promise). */
  groupComplete: boolean;
}

export function verdict(windows: WindowStats[], accounting: Accounting): Verdict {
  const measured = windows.filter((w) => !w.warmup);
  // a last window cut short by the end of the run holds too few samples to judge latency by; its
  // memory figures (taken at its end, like every window's) still count
  const full = measured.filter(
    (w, i) => i < measured.length - 1 || w.to - w.from >= (windows[0] ? (windows[0].to - windows[0].from) / 2 : 0),
  );
  const first = measured[0];
  const last = full[full.length - 1];
  const end = measured[measured.length - 1];
  if (!first || !last || !end || first === last) return { pass: false, line: "verdict: not enough windows after warm-up to compare" };
  const checks: Array<[boolean, string]> = [];
  // the live heap is measured every few windows and in the last one
  const heapFirst = measured.find((w) => w.heapLive !== undefined);
  const heapLast = [...measured].reverse().find((w) => w.heapLive !== undefined);
  if (heapFirst?.heapLive !== undefined && heapLast?.heapLive !== undefined && heapFirst !== heapLast) {
    const growth = heapLast.heapLive / heapFirst.heapLive - 1;
    const peak = Math.max(...measured.map((w) => w.heapLive ?? 0));
    checks.push([
      growth < TARGETS.heapGrowth && peak < TARGETS.heapMaxBytes,
      `JS heap ${mb(heapFirst.heapLive)} → ${mb(heapLast.heapLive)} MB (windows ${heapFirst.index} → ${heapLast.index}, ${(growth * 100).toFixed(1)}%, peak ${mb(peak)})`,
    ]);
  } else checks.push([false, "JS heap not measured in two windows after warm-up"]);
  const written = measured.slice(1).reduce((a, w) => a + w.bytesProduced, 0);
  // the broker is the runtime process; wrangler's Node process and its dev proxy (a second workerd
  // that forwards every request) exist only under `wrangler dev`, so they are shown apart
  const runtimeGrowth = runtimeRss(end.rss) - runtimeRss(first.rss);
  const allGrowth = totalRss(end.rss) - totalRss(first.rss);
  checks.push([
    runtimeGrowth < written,
    `broker RSS ${signed(runtimeGrowth)} MB (windows ${first.index} → ${end.index}; all wrangler dev processes ${signed(allGrowth)} MB) for ${mb(written)} MB written`,
  ]);
  const p99First = percentile(first.produceMs, 99);
  const p99Last = percentile(last.produceMs, 99);
  const ratio = p99First && p99Last !== undefined ? p99Last / p99First : undefined;
  checks.push([
    ratio !== undefined && ratio <= TARGETS.p99Ratio,
    `produce p99 ${ms(p99First)} → ${ms(p99Last)} ms (${ratio === undefined ? "-" : ratio.toFixed(2)}×)`,
  ]);
  checks.push([accounting.errors === 0, `errors ${accounting.errors}`]);
  const exact = accounting.readersExact && accounting.tailsExact && accounting.groupComplete;
  checks.push([
    exact,
    `every record read once: readers ${yesNo(accounting.readersExact)}, tails ${yesNo(accounting.tailsExact)}, group ${yesNo(accounting.groupComplete)}`,
  ]);
  const pass = checks.every(([ok]) => ok);
  return {
    pass,
    line: `verdict (window ${first.index} vs ${last.index}): ${pass ? "PASS" : "MISS"} · ${checks.map(([ok, text]) => `${ok ? "ok" : "MISS"} ${text}`).join(" · ")}`,
  };
}

const yesNo = (b: boolean) => (b ? "yes" : "no");
const signed = (bytes: number) => `${bytes >= 0 ? "+" : ""}${mb(bytes)}`;
