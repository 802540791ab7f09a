// A full disk in the browser. DevTools' Storage.overrideQuotaForOrigin is accepted by this Chromium
// but changes nothing, so the profile lives on a 64 MB tmpfs instead (mounted here, as root): its
// IndexedDB runs out after some tens of MB. Writes then fail with the typed KAFKA_STORAGE_ERROR
// {quotaExceeded: true}, nothing of the failed write is stored, everything acknowledged before is
// intact byte for byte, and the status says the storage is full.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pageWait } from "../harness/chromium.ts";
import { until } from "../helpers/wait.ts";
import { type Browser, launch, type ServedPages, servePages } from "./harness.ts";

const mountPoint = mkdtempSync(join(tmpdir(), "rill-quota-profile-"));
let mountError: string | null = null;
try {
  execFileSync("mount", ["-t", "tmpfs", "-o", "size=64m", "tmpfs", mountPoint], { stdio: "pipe" });
} catch (error) {
  mountError = `cannot mount a small tmpfs for the browser profile (needs root): ${String((error as { stderr?: Buffer }).stderr ?? error).trim()}`;
  rmSync(mountPoint, { recursive: true, force: true });
}
if (mountError) console.warn(`quota test skipped: ${mountError}`);

describe.skipIf(mountError !== null)("a browser profile on a small disk", () => {
  let pages: ServedPages;
  let browser: Browser;
  beforeAll(async () => {
    pages = await servePages();
    browser = await launch(pages, { profile: mountPoint });
  });
  afterAll(async () => {
    await browser?.close();
    await pages?.close();
    try {
      execFileSync("umount", [mountPoint], { stdio: "pipe" });
    } catch {
      execFileSync("umount", ["-l", mountPoint], { stdio: "pipe" });
    }
    rmSync(mountPoint, { recursive: true, force: true });
  });

  it("refuses writes with quotaExceeded, keeps what was acknowledged, and says the storage is full", async () => {
    const page = await browser.tab();
    expect(await page.evaluate(() => window.rillTab.open({ name: "quota" }))).toEqual({ ok: true });
    await page.evaluate(() => window.rillTab.createTopic("big", 1, { "max.message.bytes": "1048576" }));
    // 512 KB of random bytes per record: incompressible, so the disk fills after some tens of MB
    const { written, failure } = await page.evaluate(() => window.rillTab.fillWith("big", 512 * 1024, 400));
    expect(written.length).toBeGreaterThan(0);
    expect(failure).toMatchObject({ status: 503, error: { code: "KAFKA_STORAGE_ERROR", quotaExceeded: true, retriable: true } });

    // nothing half-written: the log ends right after the last acknowledged record
    const described = await page.evaluate(() => window.rillTab.request("/v1/topics/big"));
    expect(described.body.partitions[0].highWatermark).toBe(written.length);
    expect(await page.evaluate(() => window.rillTab.digests("big"))).toEqual(written);

    const status = await until(
      async () => {
        const s = await page.evaluate(() => window.rillTab.status());
        return s.storage.state === "full" ? s : null;
      },
      "the status to say full",
      pageWait,
    );
    expect(status.errors).toContainEqual(
      expect.objectContaining({ code: "KAFKA_STORAGE_ERROR", details: expect.objectContaining({ quotaExceeded: true }) }),
    );
  });
});
