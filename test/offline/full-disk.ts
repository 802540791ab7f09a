// Phase 6 of the offline run: a full disk. A profile on a small tmpfs (mounting it needs root),
// filled while offline until IndexedDB refuses writes, then synced: every record written before the
// disk filled must reach the edge, and writes must be accepted again once the upload freed space.
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import type { TcpProxy } from "../harness/tcp-proxy.ts";
import { until } from "../helpers/wait.ts";
import type { LaunchedChromium } from "./chromium.ts";
import type { OfflineRunResult } from "./run.ts";

export interface FullDiskWorld {
  proxy: TcpProxy;
  partitions: number;
  counts: OfflineRunResult["counts"];
  log: (line: string) => void;
  cleanups: Array<() => Promise<unknown>>;
  /** Launches Chromium on a profile; later tabs open in it. */
  launch(profileDir: string): Promise<LaunchedChromium>;
  openTab(mode: "shared", extra: { download?: boolean; outboxConfig?: Record<string, string> }): Promise<Page>;
  produce(page: Page, count: number): Promise<unknown>;
  ackedCount(): number;
  newProducer(): number;
  /** Closes the run's tab before the phase takes over. */
  closeMainTab(): Promise<void>;
}

/** Runs the phase in a Chromium of its own and closes it; false when it could not mount the small disk. */
export async function runFullDiskPhase(w: FullDiskWorld): Promise<boolean> {
  const { proxy, partitions, counts, log } = w;
  const dir = mkdtempSync(join(tmpdir(), "rill-offline-quota-"));
  const mounted = spawnSync("mount", ["-t", "tmpfs", "-o", "size=256m", "tmpfs", dir]).status === 0;
  if (!mounted) {
    log("quota: skipped (mounting a small tmpfs needs root)");
    return false;
  }
  w.cleanups.push(async () => spawnSync("umount", ["-l", dir]));
  await w.closeMainTab();
  const small = await w.launch(join(dir, "profile"));
  const outboxSettings = { download: false, outboxConfig: { "retention.ms": "1" } };
  let tab = await w.openTab("shared", outboxSettings);
  // the outbox's producer identities are written while there is room (they must be, before first use)
  await w.produce(tab, 20);
  await tab.evaluate(() => window.rillTest.syncNow(60_000));
  proxy.setMode("cut");
  const before = w.ackedCount();
  const fill = await tab.evaluate((o) => window.rillTest.fill(o), {
    producer: w.newProducer(),
    valueBytes: 8_000,
    partitions,
    max: 50_000,
  });
  const fullOutbox = await tab.evaluate(() => window.rillTest.describeOutbox());
  log(`quota: ${w.ackedCount() - before} records written offline, then ${fill.status} ${fill.refusal.slice(0, 100)}`);
  if (!/quotaExceeded/.test(fill.refusal)) throw new Error(`the disk never refused a write: ${fill.status} ${fill.refusal}`);
  proxy.setMode("forward");
  // a browser may close a database whose disk is full; the app reloads, and the upload goes on
  for (let attempt = 0; ; attempt++) {
    const outcome = await tab.evaluate(() =>
      window.rillTest.syncNow(300_000).then(
        () => "ok",
        (e) => String(e),
      ),
    );
    if (outcome === "ok") break;
    if (attempt >= 5) throw new Error(`sync on a full disk: ${outcome}`);
    log(`quota: ${outcome.slice(0, 100)}; reloading`);
    await tab.close();
    tab = await w.openTab("shared", outboxSettings);
    const reopened = await tab.evaluate(() => window.rillTest.describeOutbox());
    if (reopened.topicId !== fullOutbox.topicId) {
      // Chromium force-closes a database whose write hit a full disk and deletes it on reopen
      counts.databasesLost++;
      log("quota: the browser deleted the local database after a write failed on the full disk: its records are gone");
    }
    counts.reloads++;
  }
  // uploaded records leave the outbox (retention.ms=1 stops at the upload cursor, now at the end)
  await until(
    async () =>
      (await tab.evaluate((o) => window.rillTest.fill(o), { producer: w.newProducer(), valueBytes: 10, partitions, max: 10 })).status ===
      200,
    "writes accepted again",
    { everyMs: 50, timeoutMs: 180_000 },
  );
  counts.quotaRefusals++;
  log("quota: every record written before the disk filled is on the edge, and writes are accepted again");
  await tab.evaluate(() => window.rillTest.syncNow(120_000));
  await small.close();
  return true;
}
