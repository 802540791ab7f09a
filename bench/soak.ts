// `npm run soak [-- options]`: sustained load against the local edge broker (wrangler dev +
// workerd, SQLite on disk) for minutes, to see whether memory and latency stay flat. Producers
// write at a fixed rate into one topic; long-polling readers, live tails (SSE and WebSocket) and
// a consumer group read it. Every window prints records produced and read, errors, produce and
// end-to-end p50/p99, the RSS of each broker process and the JS heap of the isolate that runs the
// partition objects (through the inspector: live = right after a full collection, used = before).
// The last line compares the last window with the first after warm-up against issue 16's targets.
//
//   --duration <s> (600)  --warmup <s> (60)  --window <s> (30)   --rate <records/s> (4000)
//   --batch <records/request> (100)  --size <value bytes> (100)  --keys <n> (1000)
//   --partitions <n> (4)  --producers <n> (4)  --producer json|client (json)
//   --readers <long-pollers per partition> (1)  --sse-tails <n> (1)  --ws-tails <n> (1)  --group <members> (2)
//   --no-heap (no inspector)  --heap-every <windows> (4: the live heap needs a snapshot)  --summary-top <n> (12)  --snapshots <dir> (save the first and last heap snapshots)
//   --via-proxy (load through wrangler dev's proxy, the URL npm start prints; by default the runtime's own socket)
//   --source <dir> (bundle the broker from another checkout, e.g. an older commit, to compare)
//   --quick: 16 s at 1000 records/s on 2 partitions (the smoke test in npm test)
import { writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { formatHeapGrowth, formatHeapSummary, type HeapSummary, summarizeHeapSnapshot } from "../test/harness/heap-snapshot.ts";
import { connectInspector, type HeapUsage, type InspectorSession } from "../test/harness/inspector.ts";
import { freePort, startLocalBroker } from "../test/harness/local-broker.ts";
import { runtimeEntryUrl } from "../test/harness/runtime-entry.ts";
import { type Bits, createContext, type RunningProducer, startProducer } from "./soak-load.ts";
import { formatWindow, newWindow, processGroupRss, type Verdict, verdict, type WindowStats } from "./soak-metrics.ts";
import { parseSoakArgs, type SoakOptions } from "./soak-options.ts";
import {
  covers,
  createReaderSet,
  type Follower,
  type ReaderSet,
  readExactly,
  startGroup,
  startLongPoll,
  startSseTail,
  startWsTail,
} from "./soak-readers.ts";

export interface SoakResult {
  windows: WindowStats[];
  produced: number;
  uncertain: number;
  errors: number;
  errorSamples: string[];
  ackedPerPartition: number[];
  readerSets: Array<{ exact: boolean; duplicates: number }>;
  followers: Array<Pick<Follower, "kind" | "partition" | "position" | "records" | "disorder">>;
  groupComplete: boolean;
  tailsExact: boolean;
  /** Times wrangler restarted the runtime (a source file changed under it). */
  restarts: number;
  verdict: Verdict;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(condition: () => boolean, deadlineMs: number): Promise<boolean> {
  const deadline = Date.now() + deadlineMs;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await sleep(100);
  }
  return true;
}

export async function runSoak(options: SoakOptions, print: (line: string) => void = console.log): Promise<SoakResult> {
  const inspectorPort = options.heap ? await freePort() : undefined;
  // a bundle of the sources as they are at the start: other work on the tree must not restart it
  const broker = await startLocalBroker({ inspectorPort, frozen: true, sourceRoot: options.sourceRoot });
  // wrangler dev's proxy (a second workerd) sits in front of the Worker; it is not part of a deployed
  // broker, grows under this load by itself and, now and then, answers 503 "restarted mid-request"
  const url = options.viaProxy
    ? broker.url
    : await runtimeEntryUrl(broker.pid).catch((error: unknown) => {
        // found through /proc (Linux); elsewhere the load goes through the proxy
        print(`(through wrangler's proxy: ${(error as Error).message})`);
        return broker.url;
      });
  let inspector: InspectorSession | undefined;
  try {
    const topic = `soak-${Date.now()}`;
    const created = await fetch(`${url}/v1/topics`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: topic, partitions: options.partitions, replicationFactor: 1 }),
    });
    if (!created.ok) throw new Error(`create topic: ${created.status} ${await created.text()}`);
    const ctx = createContext(url, topic, options.partitions, options.producers);
    const started = performance.now();
    const elapsed = () => (performance.now() - started) / 1000;

    if (broker.inspectorUrl) {
      inspector = await connectInspector(broker.inspectorUrl).catch((error: unknown) => {
        print(`(no heap figures: the inspector did not answer: ${(error as Error).message})`);
        return undefined;
      });
    }
    /** Snapshots are analysed after the load (the analysis takes seconds of this process's CPU). */
    const snapshots: Array<{ label: string; json: string }> = [];
    const summariseAll = () => {
      let first: HeapSummary | undefined;
      for (const { label, json } of snapshots) {
        if (options.snapshotsDir) writeFileSync(join(options.snapshotsDir, `soak-${label}.heapsnapshot`), json);
      }
      for (const { label, json } of snapshots) {
        if (!json) continue;
        const summary = summarizeHeapSnapshot(json);
        print(`heap snapshot (${label}): ${formatHeapSummary(summary, options.summaryTop)}`);
        if (first) print(`heap growth since the first window after warm-up: ${formatHeapGrowth(first, summary, options.summaryTop)}`);
        first ??= summary;
      }
    };

    const sets: ReaderSet[] = Array.from({ length: options.readers }, () => createReaderSet(options.producers));
    sets.forEach((set, r) => {
      for (let p = 0; p < options.partitions; p++) startLongPoll(ctx, set, p, r === 0);
    });
    const tails: Follower[] = [
      ...Array.from({ length: options.sseTails }, (_, i) => startSseTail(ctx, i % options.partitions)),
      ...Array.from({ length: options.wsTails }, (_, i) => startWsTail(ctx, (options.sseTails + i) % options.partitions)),
    ];
    const groupSet = createReaderSet(options.producers);
    const members = options.group > 0 ? await startGroup(ctx, groupSet, options.group, `soak-group-${Date.now()}`) : [];
    const groupCovered = () => ctx.acked.every((acked, p) => covers(groupSet.seen[p] as Bits, acked));

    const perProducer = options.rate / options.producers;
    const producers: RunningProducer[] = Array.from({ length: options.producers }, (_, index) =>
      startProducer(ctx, {
        index,
        rate: perProducer,
        batch: options.batch,
        valueBytes: options.valueBytes,
        keys: options.keys,
        kind: options.producer,
        maxInFlight: options.maxInFlight,
      }),
    );
    print(
      `soak: ${options.rate} records/s of ${options.valueBytes} B in ${options.batch}/request (${options.producer}) by ${options.producers} producers into ${options.partitions} partitions; ` +
        `${options.readers} long-poller(s)/partition, ${options.sseTails} SSE + ${options.wsTails} WebSocket tails, a group of ${options.group}; ` +
        `${options.durationS} s in ${options.windowS} s windows, warm-up ${options.warmupS} s; ` +
        `to ${url === broker.url ? "wrangler dev's proxy" : "the runtime's socket"} (${url})${options.sourceRoot ? `, broker built from ${options.sourceRoot}` : ""}`,
    );

    const windows: WindowStats[] = [];
    let runtimeSeen: string | undefined;
    let restarts = 0;
    ctx.window = newWindow(1, 0, options.warmupS > 0);
    while (elapsed() < options.durationS) {
      const end = Math.min(options.durationS, ctx.window.from + options.windowS);
      await sleep(Math.max(0, (end - elapsed()) * 1000));
      const w = ctx.window;
      w.to = elapsed();
      // measure with the load paused: a snapshot stops the isolate, which would show as latency
      let resume = () => {};
      ctx.gate = new Promise((r) => (resume = r));
      await until(() => producers.every((p) => p.inFlight() === 0), 30_000);
      w.rss = processGroupRss(broker.pid);
      w.load = loadavg()[0];
      const wantSummary = !w.warmup && snapshots.length === 0;
      const lastWindow = w.to >= options.durationS - 0.5;
      // A snapshot (the only full collection workerd allows, see inspector.ts) pauses the isolate and
      // costs the runtime memory (the heap profiler's object ids, serialisation buffers): taken every
      // few windows only, and in the warm-up too, so that cost is in the first window compared
      const wantLive = w.warmup || wantSummary || lastWindow || w.index % options.heapEvery === 0;
      let snapshot = "";
      if (inspector) {
        try {
          w.heapUsed = (await inspector.send<HeapUsage>("Runtime.getHeapUsage")).usedSize;
          if (wantLive) {
            snapshot = await inspector.takeHeapSnapshot({ discard: !wantSummary });
            const after = await inspector.send<HeapUsage & { backingStorageSize?: number }>("Runtime.getHeapUsage");
            w.heapLive = after.usedSize;
            w.buffers = after.backingStorageSize;
          }
        } catch (error) {
          print(`(the inspector stopped answering: ${(error as Error).message}; no more heap figures)`);
          inspector = undefined;
        }
      }
      windows.push(w);
      ctx.window = newWindow(w.index + 1, elapsed(), elapsed() < options.warmupS);
      resume();
      print(formatWindow(w));
      const runtime = Object.keys(w.rss).find((label) => label.startsWith("workerd-runtime"));
      if (runtimeSeen && runtime !== runtimeSeen) {
        restarts++;
        print(
          `(the broker's runtime was restarted in this window, ${runtimeSeen} → ${runtime}: wrangler dev reloads when a source file changes)`,
        );
      }
      runtimeSeen = runtime;
      if (wantSummary && snapshot) snapshots.push({ label: `window-${w.index}`, json: snapshot });
    }
    ctx.stopping = true;
    await Promise.all(producers.map((p) => p.done));
    const produced = ctx.acked.reduce((a, b) => a + b.count, 0);
    const caughtUp = await until(
      () =>
        sets.every((set) => set.followers.every((f) => f.position >= (ctx.ackedPerPartition[f.partition] as number))) &&
        tails.every((t) => t.position >= (ctx.ackedPerPartition[t.partition] as number)) &&
        (members.length === 0 || groupCovered()),
      60_000,
    );
    if (!caughtUp) print("(some readers had not caught up 60 s after the producers stopped)");
    if (inspector) snapshots.push({ label: "end", json: await inspector.takeHeapSnapshot().catch(() => "") });
    await Promise.all([...sets.flatMap((s) => s.followers), ...tails, ...members].map((f) => f.stop()));

    const tailsExact = tails.every((t) => t.disorder === 0 && t.position === ctx.ackedPerPartition[t.partition]);
    const groupComplete = members.length === 0 || groupCovered();
    const readerSets = sets.map((set) => ({ exact: readExactly(ctx, set), duplicates: set.duplicates }));
    const result: SoakResult = {
      windows,
      produced,
      uncertain: ctx.uncertain,
      errors: ctx.errors,
      errorSamples: ctx.errorSamples,
      ackedPerPartition: ctx.ackedPerPartition,
      readerSets,
      followers: [...sets.flatMap((s) => s.followers), ...tails].map(({ kind, partition, position, records, disorder }) => ({
        kind,
        partition,
        position,
        records,
        disorder,
      })),
      groupComplete,
      tailsExact,
      restarts,
      verdict: verdict(windows, {
        errors: ctx.errors,
        readersExact: readerSets.every((s) => s.exact),
        tailsExact,
        groupComplete,
      }),
    };
    print(
      `totals: produced ${produced} (acknowledged), ${ctx.uncertain} in failed requests, errors ${ctx.errors}` +
        (ctx.errorSamples.length > 0 ? ` (first: ${ctx.errorSamples.join(" | ")})` : ""),
    );
    summariseAll();
    if (restarts > 0) print(`(the runtime restarted ${restarts} time(s): memory figures across a restart do not compare)`);
    print(result.verdict.line);
    return result;
  } finally {
    await inspector?.close();
    await broker.stop();
  }
}

export { DEFAULTS, parseSoakArgs, QUICK, type SoakOptions } from "./soak-options.ts";

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const options = parseSoakArgs(process.argv.slice(2));
  console.log(
    `load average at start: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}`,
  );
  const result = await runSoak(options);
  console.log(
    `load average at end: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}`,
  );
  // a benchmark reports; it does not fail on its figures
  process.exit(result.errors > 0 ? 1 : 0);
}
