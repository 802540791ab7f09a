// The hosting tab goes away mid-run. In dedicated mode the host is a tab's own worker: closing that
// tab hands the database to another tab, and nothing either tab was told was written is lost. In
// shared mode the host is the SharedWorker: a closed tab's held requests are ended in it (the tab's
// lock is released when the tab dies, and the worker was waiting for that lock).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pageWait } from "../harness/chromium.ts";
import { until } from "../helpers/wait.ts";
import { duplicates, orderViolations } from "./checks.ts";
import { type Browser, launch, type ServedPages, servePages } from "./harness.ts";

const KEYS = ["k0", "k1", "k2", "k3", "k4"];

describe("the hosting tab goes away", () => {
  let pages: ServedPages;
  beforeAll(async () => {
    pages = await servePages();
  });
  afterAll(async () => {
    await pages?.close();
  });

  it("dedicated mode: another tab takes over while both produce; nothing acknowledged is lost", async () => {
    const browser: Browser = await launch(pages, { without: ["SharedWorker"] });
    try {
      const tabs = [await browser.tab(), await browser.tab(), await browser.tab()];
      for (const page of tabs) expect(await page.evaluate(() => window.rillTab.open({ name: "handover" }))).toEqual({ ok: true });
      const hostIndex = await until(
        async () => {
          const statuses = await Promise.all(tabs.map((page) => page.evaluate(() => window.rillTab.status())));
          const hosts = statuses.map((s, i) => (s.host.isHost ? i : -1)).filter((i) => i >= 0);
          return hosts.length === 1 && statuses.every((s) => s.host.hostId === statuses[hosts[0] as number]?.host.hostId)
            ? String(hosts[0])
            : null;
        },
        "one host",
        pageWait,
      );
      const host = tabs[Number(hostIndex)] as (typeof tabs)[number];
      const others = tabs.filter((t) => t !== host);
      await host.evaluate(() => window.rillTab.createTopic("orders", 2));
      const names = ["a", "b", "c"];
      await Promise.all(
        tabs.map((page, i) =>
          page.evaluate(({ tab, keys }) => window.rillTab.startProducing("orders", tab, keys), { tab: names[i] as string, keys: KEYS }),
        ),
      );
      await until(
        async () => (await Promise.all(tabs.map((p) => p.evaluate(() => window.rillTab.acked().length)))).every((n) => n >= 20),
        "records from every tab",
        pageWait,
      );
      const hostAcked = await host.evaluate(() => window.rillTab.acked());
      await host.close();

      // another tab hosts now, and the others keep being acknowledged
      await until(
        async () => {
          const statuses = await Promise.all(others.map((p) => p.evaluate(() => window.rillTab.status())));
          return statuses.filter((s) => s.host.isHost).length === 1 && statuses[0]?.host.hostId === statuses[1]?.host.hostId;
        },
        "a new host",
        pageWait,
      );
      const before = await Promise.all(others.map((p) => p.evaluate(() => window.rillTab.acked().length)));
      await until(
        async () => {
          const now = await Promise.all(others.map((p) => p.evaluate(() => window.rillTab.acked().length)));
          return now.every((n, i) => n >= (before[i] as number) + 20);
        },
        "more acknowledgements after the takeover",
        pageWait,
      );
      for (const page of others) await page.evaluate(() => window.rillTab.stopProducing());

      const [survivor] = others as [(typeof others)[number]];
      const log = await survivor.evaluate(() => window.rillTab.readAll("orders"));
      const acked = [...hostAcked, ...(await Promise.all(others.map((p) => p.evaluate(() => window.rillTab.acked())))).flat()];
      // every acknowledgement is in the log where it was said to be
      const missing = acked.filter((r) => log.find((l) => l.partition === r.partition && l.offset === r.offset)?.value !== r.value);
      expect(missing).toEqual([]);
      // the surviving tabs' producers are idempotent across the takeover: no record twice
      expect(duplicates(log.filter((l) => !l.value.startsWith(`${names[Number(hostIndex)]}-`)))).toEqual([]);
      expect(duplicates(log)).toEqual([]);
      expect(orderViolations(log)).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it("shared mode: a closed tab's held long-poll is ended in the worker; the other tab goes on", async () => {
    const browser = await launch(pages);
    try {
      const [a, b] = [await browser.tab(), await browser.tab()];
      for (const page of [a, b]) expect(await page.evaluate(() => window.rillTab.open({ name: "closing" }))).toEqual({ ok: true });
      await b.evaluate(() => window.rillTab.createTopic("quiet", 1));
      await until(() => b.evaluate(() => window.rillTab.status().host.inFlight === 0), "nothing in flight", pageWait);
      await a.evaluate(() => window.rillTab.hold("/v1/topics/quiet/partitions/0/records?offset=0&maxWaitMs=60000"));
      await until(() => b.evaluate(() => window.rillTab.status().host.inFlight === 1), "the held long-poll", pageWait);
      await a.close();
      // nothing else runs: only the tab's death can end a request held for a minute
      await until(
        () => b.evaluate(() => window.rillTab.status().host.inFlight === 0),
        "the worker to end the dead tab's request",
        pageWait,
      );
      await b.evaluate(() => window.rillTab.produce("quiet", [{ key: "k", value: "b-0" }]));
      expect(await b.evaluate(() => window.rillTab.readAll("quiet"))).toEqual([{ partition: 0, offset: 0, key: "k", value: "b-0" }]);
    } finally {
      await browser.close();
    }
  });
});
