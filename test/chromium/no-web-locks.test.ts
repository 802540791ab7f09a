// Without the Web Locks API no election is safe, so the browser broker fails closed: the first tab
// hosts, and a second tab's createBrowserBroker rejects with a typed error that says why, rather
// than a second host writing the same database. (The page init script removes navigator.locks and
// SharedWorker; the worker script removes navigator.locks from the worker.)
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pageWait } from "../harness/chromium.ts";
import { until } from "../helpers/wait.ts";
import { type Browser, launch, type ServedPages, servePages } from "./harness.ts";

describe("a browser without Web Locks", () => {
  let pages: ServedPages;
  let browser: Browser;
  beforeAll(async () => {
    pages = await servePages();
    browser = await launch(pages, { without: ["SharedWorker", "locks"] });
  });
  afterAll(async () => {
    await browser?.close();
    await pages?.close();
  });

  it("lets one tab host and refuses a second with a clear error", async () => {
    const first = await browser.tab();
    expect(await first.evaluate(() => (navigator as { locks?: unknown }).locks === undefined)).toBe(true);
    expect(await first.evaluate(() => window.rillTab.open({ name: "no-locks", noLocks: true }))).toEqual({ ok: true });
    await until(() => first.evaluate(() => window.rillTab.status().host.state === "hosting"), "the first tab to host", pageWait);
    expect(await first.evaluate(() => window.rillTab.status().host)).toMatchObject({ mode: "dedicated", isHost: true });

    const second = await browser.tab();
    const refused = await second.evaluate(() => window.rillTab.open({ name: "no-locks", noLocks: true }));
    expect(refused).toMatchObject({ ok: false, rill: true, code: "KAFKA_STORAGE_ERROR", details: { noWebLocks: true } });
    expect(refused.ok === false && refused.message).toMatch(/another tab already hosts .*no Web Locks/);

    // the first tab's broker is untouched by the refusal
    await first.evaluate(() => window.rillTab.createTopic("solo", 1));
    await first.evaluate(() => window.rillTab.produce("solo", [{ key: "k", value: "a-0" }]));
    expect(await first.evaluate(() => window.rillTab.readAll("solo"))).toEqual([{ partition: 0, offset: 0, key: "k", value: "a-0" }]);
  });
});
