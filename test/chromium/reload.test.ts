// A reload keeps the log, and a consumer group resumes from its committed offsets, in both modes
// (in dedicated mode the reload also ends the hosting worker, so the database is opened anew).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pageWait } from "../harness/chromium.ts";
import { until } from "../helpers/wait.ts";
import { type Browser, launch, type ServedPages, servePages } from "./harness.ts";

describe.each(["shared", "dedicated"] as const)("a reload, %s mode", (mode) => {
  let pages: ServedPages;
  let browser: Browser;
  beforeAll(async () => {
    pages = await servePages();
    browser = await launch(pages, { without: mode === "dedicated" ? ["SharedWorker"] : [] });
  });
  afterAll(async () => {
    await browser?.close();
    await pages?.close();
  });

  it("keeps the log and resumes a consumer group at its committed offsets", async () => {
    const page = await browser.tab();
    const name = `reload-${mode}`;
    expect(await page.evaluate((n) => window.rillTab.open({ name: n }), name)).toEqual({ ok: true });
    await page.evaluate(() => window.rillTab.createTopic("kept", 2));
    const records = Array.from({ length: 40 }, (_, i) => ({ key: `k${i % 4}`, value: `a-${i}` }));
    await page.evaluate((r) => window.rillTab.produce("kept", r), records);
    const before = await page.evaluate(() => window.rillTab.readAll("kept"));
    expect(before).toHaveLength(40);

    // a group reads everything and leaves cleanly, committing it all; then 10 more arrive
    await page.evaluate(() => window.rillTab.consume("g", "kept", "readers"));
    await until(async () => (await page.evaluate(() => window.rillTab.seen("g").length)) >= 40, "the group to read everything", pageWait);
    await page.evaluate(() => window.rillTab.stopConsumer("g"));
    await page.evaluate(() =>
      window.rillTab.produce(
        "kept",
        Array.from({ length: 10 }, (_, i) => ({ key: `k${i % 4}`, value: `b-${i}` })),
      ),
    );

    await page.reload();
    await page.waitForFunction(() => document.body?.dataset.ready === "true");
    expect(await page.evaluate((n) => window.rillTab.open({ name: n }), name)).toEqual({ ok: true });
    const after = await page.evaluate(() => window.rillTab.readAll("kept"));
    expect(after.filter((r) => r.value.startsWith("a-"))).toEqual(before);
    expect(after).toHaveLength(50);

    // the same group, after the reload, gets exactly the 10 it had not committed
    await page.evaluate(() => window.rillTab.consume("g2", "kept", "readers"));
    await until(async () => (await page.evaluate(() => window.rillTab.seen("g2").length)) >= 10, "the group to catch up", pageWait);
    await page.evaluate(() => window.rillTab.stopConsumer("g2"));
    const resumed = await page.evaluate(() => window.rillTab.seen("g2"));
    expect(resumed.map((r) => r.value).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `b-${i}`).sort());
  });
});
