// Quota exhausted mid-sync, in real Chromium. The profile lives on a 64 MB tmpfs (mounted here, as
// root), where Chromium's quota is 60 % of the volume. With the edge cut off, the page sends records
// into its outbox until the browser refuses a write: the typed KAFKA_STORAGE_ERROR {quotaExceeded}.
// The network comes back: every record acknowledged before that reaches the edge exactly once, in
// order (test/faults/check.ts), the outbox's retention (retention.ms=1, floored at the upload
// cursor) deletes what was uploaded, and sending resumes: new records are accepted and synced too.
//
// Why each batch is over 64 KiB: Chromium's IndexedDB (LevelDB) keeps smaller values inside LevelDB,
// where a delete gives no disk back until LevelDB compacts, and a write refused for quota never
// gets that far; larger values are files beside it, removed with their row. See docs/architecture.md.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type ServedNodeBroker, startNodeBroker } from "@rill/node";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readTopic } from "../../packages/sync/test/harness.ts";
import { type Acked, check, formatVerdict } from "../faults/check.ts";
import { pageWait } from "../harness/chromium.ts";
import { startTcpProxy, type TcpProxy } from "../harness/tcp-proxy.ts";
import { until } from "../helpers/wait.ts";
import { type LaunchedChromium, launchChromium } from "../offline/chromium.ts";
import { type ServedPages, servePages } from "./harness.ts";
import type { Ack } from "./pages/sync-quota.ts";

const PARTITIONS = 2;
// 10 records of ~16 KB per request, so each partition's batch is ~80 KB (over 64 KiB, see above)
const PER_REQUEST = 10;
const FILLER_BYTES = 16_000;
// the disk holds 64 MB, so this many records of 16 KB is past any quota it can give
const AT_MOST = 10_000;

const pagesDir = fileURLToPath(new URL("./pages/", import.meta.url));
const mountPoint = mkdtempSync(join(tmpdir(), "rill-sync-quota-"));
let mountError: string | null = null;
try {
  execFileSync("mount", ["-t", "tmpfs", "-o", "size=64m", "tmpfs", mountPoint], { stdio: "pipe" });
} catch (error) {
  mountError = `cannot mount a small tmpfs for the browser profile (needs root): ${String((error as { stderr?: Buffer }).stderr ?? error).trim()}`;
  rmSync(mountPoint, { recursive: true, force: true });
}
if (mountError) console.warn(`sync quota test skipped: ${mountError}`);

describe.skipIf(mountError !== null)("quota exhausted mid-sync (a browser profile on a 64 MB disk)", () => {
  let edge: ServedNodeBroker | undefined;
  let proxy: TcpProxy | undefined;
  let pages: ServedPages | undefined;
  let chrome: LaunchedChromium | undefined;
  const acked = new Map<string, Acked>();

  beforeAll(async () => {
    edge = await startNodeBroker();
    proxy = await startTcpProxy({ upstreamPort: edge.port });
    const created = await fetch(`${edge.url}/v1/topics`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "orders", partitions: PARTITIONS, replicationFactor: 1 }),
    });
    expect(created.status).toBe(201);
    pages = await servePages({
      "sync-quota": join(pagesDir, "sync-quota.ts"),
      "sync-quota-worker": join(pagesDir, "sync-quota-worker.ts"),
    });
    chrome = await launchChromium(join(mountPoint, "profile"));
    await chrome.context.exposeBinding("reportAcks", (_source, acks: Ack[]) => {
      for (const a of acks) {
        const [, producer, seq] = /^p(\d+)-(\d+)$/.exec(a.id) ?? [];
        acked.set(a.id, { ...a, producer: Number(producer), seq: Number(seq) });
      }
    });
  });

  afterAll(async () => {
    await chrome?.kill();
    await pages?.close();
    await proxy?.close();
    await edge?.close();
    try {
      execFileSync("umount", [mountPoint], { stdio: "pipe" });
    } catch {
      execFileSync("umount", ["-l", mountPoint], { stdio: "pipe" });
    }
    rmSync(mountPoint, { recursive: true, force: true });
  });

  /** The checker's verdict on the edge topic against every record acknowledged so far. */
  async function verdict() {
    const onEdge = await readTopic(fetch, (edge as ServedNodeBroker).url, "orders", PARTITIONS);
    // one outbox uploads into a fresh edge topic, batch for batch: edge offsets equal local ones
    return check(acked.size, [...acked.values()], onEdge);
  }

  it("refuses sends with quotaExceeded offline, then uploads every acknowledged record once and sends again", async () => {
    const page: Page = await (chrome as LaunchedChromium).context.newPage();
    await page.goto(`${(pages as ServedPages).url}/sync-quota.html`);
    await page.waitForFunction(() => document.body?.dataset.ready === "true");
    await page.evaluate((o) => window.rillQuota.open(o), {
      edge: (proxy as TcpProxy).url,
      partitions: PARTITIONS,
      outboxConfig: { "retention.ms": "1" },
    });
    const send = (producer: number, count: number, { from = 0, fillerBytes = FILLER_BYTES } = {}) =>
      page.evaluate((o) => window.rillQuota.send(o), {
        producer,
        from,
        count,
        perRequest: PER_REQUEST,
        partitions: PARTITIONS,
        fillerBytes,
      });

    // online first: the upload identities are written while there is room, as in any app that synced before
    expect((await send(0, 20)).refusal).toBeNull();
    await page.evaluate(() => window.rillQuota.syncNow(60_000));
    // retention (every second here) deletes them once their upload cursor is written
    await until(
      async () => ((await page.evaluate(() => window.rillQuota.describeOutbox()))[0]?.logStartOffset ?? 0) > 0,
      "retention to delete the uploaded online records",
      pageWait,
    );

    // offline: send until the browser refuses a write
    (proxy as TcpProxy).setMode("cut");
    const before = acked.size;
    const filled = await send(1, AT_MOST);
    expect(filled.refusal).toMatchObject({
      status: 503,
      error: { code: "KAFKA_STORAGE_ERROR", quotaExceeded: true, retriable: true },
    });
    expect(acked.size - before).toBeGreaterThan(100);
    // the status reaches the page at most 4 times a second
    const full = await until(
      async () => {
        const s = await page.evaluate(() => window.rillQuota.status());
        return s.storage.state === "full" ? s : null;
      },
      "the status to say full",
      pageWait,
    );
    expect(full.errors).toContainEqual(
      expect.objectContaining({ code: "KAFKA_STORAGE_ERROR", details: expect.objectContaining({ quotaExceeded: true }) }),
    );
    const [outbox] = await page.evaluate(() => window.rillQuota.describeOutbox());
    expect(outbox?.logStartOffset).toBeGreaterThan(0); // the online records already left
    console.log(`offline: ${acked.size - before} records acknowledged, then ${filled.refusal?.error?.message}`);

    // online again: everything acknowledged before the refusal reaches the edge once, in order
    (proxy as TcpProxy).setMode("forward");
    await page.evaluate(() => window.rillQuota.syncNow(180_000));
    const synced = await verdict();
    console.log(formatVerdict(synced));
    expect(synced.acknowledgedButLost).toEqual([]);
    expect(synced.duplicates).toEqual([]);
    expect(synced.orderViolations).toEqual([]);
    expect(synced.movedOffsets).toEqual([]);

    // retention deletes what was uploaded (never above the upload cursor), and sending resumes
    await until(
      async () => (await page.evaluate(() => window.rillQuota.describeOutbox())).every((p) => p.logStartOffset === p.highWatermark),
      "retention to delete the uploaded records",
      { ...pageWait, timeoutMs: 60_000 },
    );
    let tries = 0; // each try sends new ids: a refused request may still have stored one partition's batch
    await until(
      async () => (await send(2, PER_REQUEST, { from: PER_REQUEST * tries++, fillerBytes: 0 })).refusal === null,
      "a send accepted again",
      {
        ...pageWait,
        timeoutMs: 60_000,
      },
    );
    const resumed = await send(3, 200);
    expect(resumed.refusal).toBeNull();
    const after = await until(
      async () => {
        const s = await page.evaluate(() => window.rillQuota.status());
        return s.storage.state !== "full" ? s : null;
      },
      "the status to say the storage is no longer full",
      pageWait,
    );
    // the refusal stays among the recent errors
    expect(after.errors).toContainEqual(
      expect.objectContaining({ code: "KAFKA_STORAGE_ERROR", details: expect.objectContaining({ quotaExceeded: true }) }),
    );
    await page.evaluate(() => window.rillQuota.syncNow(120_000));
    const final = await verdict();
    console.log(formatVerdict(final));
    expect(final.acknowledged).toBe(acked.size);
    expect(final.acknowledgedButLost).toEqual([]);
    expect(final.duplicates).toEqual([]);
    expect(final.orderViolations).toEqual([]);
    expect(final.movedOffsets).toEqual([]);
  }, 300_000);
});
