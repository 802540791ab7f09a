// The soak benchmark's options: defaults that finish in 10 minutes at issue 16's load, the
// --quick smoke test's, and the command line (see bench/soak.ts for what each does).

export interface SoakOptions {
  durationS: number;
  warmupS: number;
  windowS: number;
  rate: number;
  batch: number;
  valueBytes: number;
  keys: number;
  partitions: number;
  producers: number;
  producer: "json" | "client";
  readers: number;
  sseTails: number;
  wsTails: number;
  group: number;
  heap: boolean;
  summaryTop: number;
  snapshotsDir?: string;
  maxInFlight: number;
  /** Send the load through wrangler dev's proxy (the URL `npm start` prints) instead of to the runtime. */
  viaProxy: boolean;
  /** Live heap (after a full collection) every this many windows, besides the first measured and the last. */
  heapEvery: number;
  /** Bundle the broker from another checkout (to measure an older commit with this soak). */
  sourceRoot?: string;
}

export const DEFAULTS: SoakOptions = {
  durationS: 600,
  warmupS: 60,
  windowS: 30,
  rate: 4000,
  batch: 100,
  valueBytes: 100,
  keys: 1000,
  partitions: 4,
  producers: 4,
  producer: "json",
  readers: 1,
  sseTails: 1,
  wsTails: 1,
  group: 2,
  heap: true,
  summaryTop: 12,
  maxInFlight: 8,
  viaProxy: false,
  heapEvery: 4,
};

export const QUICK: Partial<SoakOptions> = {
  durationS: 16,
  warmupS: 4,
  windowS: 4,
  rate: 1000,
  batch: 50,
  partitions: 2,
  producers: 2,
  group: 1,
  heapEvery: 1,
};

export function parseSoakArgs(argv: string[]): SoakOptions {
  const options: SoakOptions = { ...DEFAULTS, ...(argv.includes("--quick") ? QUICK : {}) };
  const value = (name: string) => {
    const at = argv.indexOf(name);
    return at >= 0 ? argv[at + 1] : undefined;
  };
  const number = (name: string, fallback: number) => {
    const raw = value(name);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < 0) throw new Error(`${name} needs a number, got ${raw}`);
    return n;
  };
  const producer = value("--producer") ?? options.producer;
  if (producer !== "json" && producer !== "client") throw new Error(`--producer is json or client, got ${producer}`);
  return {
    ...options,
    durationS: number("--duration", options.durationS),
    warmupS: number("--warmup", options.warmupS),
    windowS: Math.max(1, number("--window", options.windowS)),
    rate: Math.max(1, number("--rate", options.rate)),
    batch: Math.max(1, number("--batch", options.batch)),
    valueBytes: number("--size", options.valueBytes),
    keys: Math.max(1, number("--keys", options.keys)),
    partitions: Math.max(1, number("--partitions", options.partitions)),
    producers: Math.max(1, number("--producers", options.producers)),
    producer,
    readers: number("--readers", options.readers),
    sseTails: number("--sse-tails", options.sseTails),
    wsTails: number("--ws-tails", options.wsTails),
    group: number("--group", options.group),
    heap: !argv.includes("--no-heap"),
    summaryTop: number("--summary-top", options.summaryTop),
    snapshotsDir: value("--snapshots"),
    maxInFlight: Math.max(1, number("--max-in-flight", options.maxInFlight)),
    viaProxy: argv.includes("--via-proxy"),
    heapEvery: Math.max(1, number("--heap-every", options.heapEvery)),
    sourceRoot: value("--source"),
  };
}
