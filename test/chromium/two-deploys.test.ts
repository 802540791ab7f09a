// After a deploy, tabs of the new version start the SharedWorker of a new script URL while tabs of
// the old one keep theirs: two SharedWorkers for one database. The second one must not host; it
// relays to the first over the BroadcastChannel, and both tabs see one log.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pageWait } from "../harness/chromium.ts";
import { until } from "../helpers/wait.ts";
import { duplicates } from "./checks.ts";
import { type Browser, launch, type ServedPages, servePages } from "./harness.ts";

describe("two SharedWorkers of one database (old and new deploy)", () => {
  let pages: ServedPages;
  let browser: Browser;
  beforeAll(async () => {
    pages = await servePages();
    browser = await launch(pages);
  });
  afterAll(async () => {
    await browser?.close();
    await pages?.close();
  });

  it("hosts in one of them; the other relays, and both tabs share one log", async () => {
    const [old, fresh] = [await browser.tab(), await browser.tab()];
    expect(await old.evaluate(() => window.rillTab.open({ name: "deploys", deploy: "1" }))).toEqual({ ok: true });
    await until(() => old.evaluate(() => window.rillTab.status().host.state === "hosting"), "the first worker to host", pageWait);
    expect(await fresh.evaluate(() => window.rillTab.open({ name: "deploys", deploy: "2" }))).toEqual({ ok: true });
    const [a, b] = await until(
      async () => {
        const s = await Promise.all([old, fresh].map((p) => p.evaluate(() => window.rillTab.status())));
        return s[1]?.host.state === "following" ? s : null;
      },
      "the second worker to follow",
      pageWait,
    );
    expect(a?.host).toMatchObject({ mode: "shared", isHost: true });
    expect(b?.host).toMatchObject({ mode: "shared", isHost: false, hostId: a?.host.hostId });

    await fresh.evaluate(() => window.rillTab.createTopic("both", 2));
    const send = (page: typeof old, tab: string) =>
      page.evaluate(
        (t) =>
          window.rillTab.produce(
            "both",
            Array.from({ length: 30 }, (_, i) => ({ key: `k${i % 3}`, value: `${t}-${i}` })),
          ),
        tab,
      );
    await Promise.all([send(old, "old"), send(fresh, "new")]);
    for (const page of [old, fresh]) {
      const log = await page.evaluate(() => window.rillTab.readAll("both"));
      expect(log).toHaveLength(60);
      expect(duplicates(log)).toEqual([]);
    }
  });
});
