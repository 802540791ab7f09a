// The adversarial offline-sync run in real Chromium: a page on @rill/browser writes into its local
// outbox while the network comes and goes, the browser is SIGKILLed (its whole process group) at
// chosen points of a sync, tabs come and go, the proxy drops answers and blackholes, and the edge
// (`wrangler dev`) is SIGKILLed and restarted on its state. At the end the edge must hold every
// locally acknowledged record exactly once, in local order, and the replica must equal the edge.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import type { Acked, Verdict } from "../faults/check.ts";
import { type LocalBrokerProcess, startLocalBroker } from "../harness/local-broker.ts";
import { startTcpProxy, type TcpProxy } from "../harness/tcp-proxy.ts";
import { sleep, type UntilOptions, until } from "../helpers/wait.ts";
import type { RillTestApi } from "./app/page.ts";
import { buildApp, serveApp } from "./build.ts";
import { type LaunchedChromium, launchChromium } from "./chromium.ts";
import { runFullDiskPhase } from "./full-disk.ts";
import { judgeOfflineRun } from "./verdict.ts";

declare global {
  interface Window {
    rillTest: RillTestApi;
  }
}

export interface OfflineRunOptions {
  /** Records written offline, across two reloads, before the network comes back (design: 5,000). */
  offlineRecords: number;
  /** SIGKILLs of the browser's process group during a sync (at least 10). */
  kills: number;
  /** Seconds of 30% dropped answers with 5 s blackholes. */
  flakySeconds: number;
  /** Tab sets producing while the host tab closes. */
  tabRuns: Array<{ tabs: number; mode: "shared" | "dedicated" }>;
  partitions?: number;
  /**
   * A full disk: a profile on a 256 MB tmpfs (needs root to mount), filled offline until IndexedDB
   * refuses writes, then synced. Off by default: Chromium's quota there is most of the volume, and a
   * write that then meets the physically full disk makes Chromium delete the whole database.
   */
  quota?: boolean;
  log?: (line: string) => void;
}

/** The CI-sized run: `npm run test:offline -- --short`, and test/node/sync-browser.test.ts. */
export const shortOfflineRun = {
  offlineRecords: 300,
  kills: 10,
  flakySeconds: 10,
  tabRuns: [
    { tabs: 2, mode: "shared" },
    { tabs: 2, mode: "dedicated" },
  ],
} satisfies OfflineRunOptions;

/** The run the design asks for: `npm run test:offline`. */
export const fullOfflineRun = {
  offlineRecords: 5_000,
  kills: 20,
  flakySeconds: 60,
  tabRuns: [
    { tabs: 2, mode: "shared" },
    { tabs: 4, mode: "shared" },
    { tabs: 2, mode: "dedicated" },
    { tabs: 4, mode: "dedicated" },
  ],
} satisfies OfflineRunOptions;

export interface OfflineRunResult {
  verdict: Verdict;
  /** Replica batches that differ from the edge's at the same offset (or are missing). */
  replicaMismatches: number;
  /** Replica vs edge: records whose offset differs. */
  movedOffsets: string[];
  /** Of the last records, how many uploaded() gave an edge offset for, and how many of those were wrong. */
  uploadedKnown: number;
  uploadedWrong: number;
  counts: {
    records: number;
    kills: number;
    reloads: number;
    hostTabsClosed: number;
    droppedAnswers: number;
    /** Dropped answers to batch uploads (repeats follow these). */
    droppedProduceAnswers: number;
    blackholes: number;
    edgeKills: number;
    repeatsAbsorbed: number;
    /** Writes refused by a full disk, then accepted again after the upload freed it. */
    quotaRefusals: number;
    /** Local databases the browser deleted (a write failed on a physically full disk). */
    databasesLost: number;
  };
}

// each look is a round trip to Chromium, and a sync through faults takes its time
const tabWait = { everyMs: 50, timeoutMs: 60_000 } satisfies UntilOptions;

export async function runOfflineScenario(options: OfflineRunOptions): Promise<OfflineRunResult> {
  const log = options.log ?? (() => undefined);
  const partitions = options.partitions ?? 2;
  const cleanups: Array<() => Promise<unknown>> = [];
  const counts = {
    records: 0,
    kills: 0,
    reloads: 0,
    hostTabsClosed: 0,
    droppedAnswers: 0,
    droppedProduceAnswers: 0,
    blackholes: 0,
    edgeKills: 0,
    repeatsAbsorbed: 0,
    quotaRefusals: 0,
    databasesLost: 0,
  };
  const acked = new Map<string, Acked>();
  let nextProducer = 0;

  try {
    let edge: LocalBrokerProcess = await startLocalBroker();
    cleanups.push(() => edge.stop("SIGKILL"));
    const edgePort = Number(new URL(edge.url).port);
    const proxy: TcpProxy = await startTcpProxy({ upstreamPort: edgePort });
    cleanups.push(() => proxy.close());
    const created = await fetch(`${edge.url}/v1/topics`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "orders", partitions, replicationFactor: 1 }),
    });
    if (created.status !== 201) throw new Error(`edge topic: ${created.status}`);
    const app = await serveApp(await buildApp());
    cleanups.push(() => app.close());
    const profile = mkdtempSync(join(tmpdir(), "rill-offline-profile-"));
    log(`edge ${edge.url} behind proxy ${proxy.url}; app ${app.url}; profile ${profile}`);

    let chrome: LaunchedChromium | undefined;
    const launch = async (profileDir = profile) => {
      chrome = await launchChromium(profileDir);
      await chrome.context.exposeBinding("reportAcks", (_source, acks: Array<{ id: string; partition: number; offset: number }>) => {
        for (const a of acks) {
          const m = /^p(\d+)-(\d+)$/.exec(a.id);
          if (m) acked.set(a.id, { ...a, producer: Number(m[1]), seq: Number(m[2]) });
        }
      });
      return chrome;
    };
    cleanups.push(async () => chrome?.close());

    const openTab = async (
      mode: "shared" | "dedicated" = "shared",
      extra: { download?: boolean; outboxConfig?: Record<string, string> } = {},
    ): Promise<Page> => {
      const page = await (chrome as LaunchedChromium).context.newPage();
      await page.goto(app.url);
      await page.waitForFunction(() => "rillTest" in window);
      await page.evaluate((o) => window.rillTest.open(o), { edge: proxy.url, mode, partitions, ...extra });
      return page;
    };

    /** Starts a producer loop in a page; resolves when it ends (rejects if the page dies). */
    const produce = (page: Page, count: number, pauseMs = 0) => {
      const producer = nextProducer++;
      const run = page.evaluate((o) => window.rillTest.produce(o), { producer, from: 0, count, perRequest: 10, partitions, pauseMs });
      run.catch(() => undefined);
      return run;
    };

    const ackedSince = (n: number) => () => acked.size >= n;

    const repeats = async (page: Page) => {
      const status = (await page.evaluate(() => window.rillTest.status()).catch(() => null)) as {
        sync?: { counters: Record<string, number> } | null;
      } | null;
      const c = status?.sync?.counters;
      return c ? (c.duplicatesAbsorbed ?? 0) + (c.duplicateSequences ?? 0) : 0;
    };

    // ---- 1. offline: writes across two reloads, then the network comes back
    proxy.setMode("cut");
    await launch();
    let page = await openTab();
    const third = Math.ceil(options.offlineRecords / 3);
    for (let i = 0; i < 3; i++) {
      await produce(page, third);
      if (i < 2) {
        await page.reload();
        counts.reloads++;
        await page.waitForFunction(() => "rillTest" in window);
        await page.evaluate((o) => window.rillTest.open(o), { edge: proxy.url, mode: "shared" as const, partitions });
      }
    }
    // the status a UI shows offline: every record waiting in the outbox
    const outbox = async () =>
      ((await page.evaluate(() => window.rillTest.status())) as { sync?: { upload: { outboxRecords: number } } | null }).sync?.upload
        .outboxRecords ?? -1;
    await until(async () => (await outbox()) === acked.size, "the outbox status", tabWait);
    log(`offline: ${acked.size} records acknowledged locally, all ${await outbox()} shown in the outbox, ${counts.reloads} reloads`);
    proxy.setMode("forward");
    await page.evaluate(() => window.rillTest.syncNow(120_000));
    log("online: outbox empty");

    // ---- 2. SIGKILL of the browser at points of a sync
    const points = ["before-post", "answer-held", "after-answer"] as const;
    for (let k = 0; k < options.kills; k++) {
      const point = points[k % points.length] as (typeof points)[number];
      const start = acked.size;
      void produce(page, 1_000_000, 5);
      await until(ackedSince(start + 20), "local acks", tabWait);
      if (point === "before-post") {
        proxy.setMode("blackhole");
        counts.blackholes++;
        await until(ackedSince(start + 60), "more local acks", tabWait);
      } else if (point === "answer-held") {
        const held = new Promise<void>((resolve) => proxy.holdAnswers(resolve));
        await held;
      } else {
        await new Promise<void>((resolve) => proxy.onAnswer(() => resolve()));
        proxy.onAnswer(null);
      }
      await (chrome as LaunchedChromium).kill();
      counts.kills++;
      proxy.stopHolding("drop");
      proxy.setMode("forward");
      log(`kill ${counts.kills} (${point}): ${acked.size} acknowledged so far`);
      await launch();
      page = await openTab();
    }
    await page.evaluate(() => window.rillTest.syncNow(120_000));
    log("after kills: outbox empty");

    // ---- 3. several tabs producing while the host tab closes
    await page.close();
    for (const run of options.tabRuns) {
      const tabs: Page[] = [];
      for (let t = 0; t < run.tabs; t++) tabs.push(await openTab(run.mode));
      const start = acked.size;
      for (const tab of tabs) void produce(tab, 1_000_000, 10);
      await until(ackedSince(start + 40 * run.tabs), "tabs producing", tabWait);
      await (tabs.shift() as Page).close(); // the first tab: in dedicated mode its worker hosts
      counts.hostTabsClosed++;
      await until(ackedSince(acked.size + 40), "producing after the host tab closed", tabWait);
      for (const tab of tabs) await tab.evaluate(() => window.rillTest.stop());
      await (tabs[0] as Page).evaluate(() => window.rillTest.syncNow(120_000));
      log(`${run.tabs} tabs (${run.mode}), host tab closed: ${acked.size} acknowledged`);
      for (const tab of tabs) await tab.close();
    }

    // ---- 4. 30% of answers dropped, with 5 s blackholes
    page = await openTab();
    proxy.dropAnswers(0.3);
    const droppedBefore = proxy.counters.droppedAnswers;
    const producesDroppedBefore = proxy.counters.droppedProduceAnswers;
    void produce(page, 1_000_000, 20);
    const flakyEnd = Date.now() + options.flakySeconds * 1000;
    while (Date.now() < flakyEnd) {
      await sleep(Math.min(5_000, Math.max(0, flakyEnd - Date.now())));
      if (Date.now() >= flakyEnd) break;
      proxy.setMode("blackhole");
      counts.blackholes++;
      await sleep(Math.min(5_000, Math.max(0, flakyEnd - Date.now())));
      proxy.setMode("forward");
    }
    await page.evaluate(() => window.rillTest.stop());
    proxy.dropAnswers(0);
    proxy.setMode("forward");
    await page.evaluate(() => window.rillTest.syncNow(120_000));
    const flakyRepeats = await repeats(page);
    counts.repeatsAbsorbed += flakyRepeats;
    log(
      `flaky ${options.flakySeconds}s: ${proxy.counters.droppedAnswers - droppedBefore} answers dropped, ${flakyRepeats} repeats absorbed`,
    );
    const producesDropped = proxy.counters.droppedProduceAnswers - producesDroppedBefore;
    counts.droppedProduceAnswers += producesDropped;
    log(`flaky: ${producesDropped} of the dropped answers were to batch uploads`);
    if (producesDropped >= 3 && flakyRepeats === 0) throw new Error("upload answers were dropped but no repeat reached the duplicate path");

    // ---- 5. the edge SIGKILLed mid-upload and restarted on its state
    void produce(page, 1_000_000, 5);
    await until(ackedSince(acked.size + 50), "uploading", tabWait);
    await edge.stop("SIGKILL");
    counts.edgeKills++;
    await until(ackedSince(acked.size + 50), "writing while the edge is down", tabWait);
    edge = await startLocalBroker({ stateDir: edge.stateDir, port: edgePort });
    await until(ackedSince(acked.size + 50), "writing after the edge came back", tabWait);
    await page.evaluate(() => window.rillTest.stop());
    log(`edge killed and restarted: ${acked.size} acknowledged`);

    // ---- 6. a full disk (full-disk.ts), in a Chromium of its own on a small profile
    if (options.quota) {
      const main = chrome as LaunchedChromium;
      const tab = page;
      const ran = await runFullDiskPhase({
        proxy,
        partitions,
        counts,
        log,
        cleanups,
        launch,
        openTab,
        produce,
        ackedCount: () => acked.size,
        newProducer: () => nextProducer++,
        closeMainTab: () => tab.close(),
      });
      if (ran) {
        chrome = main;
        page = await openTab();
      }
    }

    // ---- the verdict
    await page.evaluate(() => window.rillTest.syncNow(180_000));
    counts.repeatsAbsorbed += await repeats(page);
    counts.droppedAnswers = proxy.counters.droppedAnswers;
    counts.records = acked.size;
    return { ...(await judgeOfflineRun(page, [...acked.values()], edge.url, partitions, log)), counts };
  } finally {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
  }
}
