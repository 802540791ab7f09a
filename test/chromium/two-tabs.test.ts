// Two tabs share one local log, in both modes: a SharedWorker, and dedicated workers elected with
// Web Locks (SharedWorker removed by an init script, as on Chrome for Android). Both tabs produce
// and consume at the same time; every record is in the log once, each tab reads each once, in the
// order its producer sent per key; a consumer group spans the tabs.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pageWait } from "../harness/chromium.ts";
import { until } from "../helpers/wait.ts";
import { duplicates, orderViolations } from "./checks.ts";
import { type Browser, launch, type ServedPages, servePages } from "./harness.ts";
import type { Seen } from "./pages/tab.ts";

const KEYS = ["k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7"];
const PER_TAB = 150;

describe.each(["shared", "dedicated"] as const)("two tabs, %s mode", (mode) => {
  let pages: ServedPages;
  let browser: Browser;
  beforeAll(async () => {
    pages = await servePages();
    browser = await launch(pages, { without: mode === "dedicated" ? ["SharedWorker"] : [] });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await pages?.close();
  });

  it("share one log: both produce and consume at once, every record once, order per key kept", async () => {
    const name = `two-tabs-${mode}`;
    const [a, b] = [await browser.tab(), await browser.tab()];
    for (const page of [a, b]) expect(await page.evaluate((n) => window.rillTab.open({ name: n }), name)).toEqual({ ok: true });
    const statuses = await Promise.all(
      [a, b].map((page) =>
        until(() => page.evaluate(() => (window.rillTab.status().host.hostId ? window.rillTab.status() : null)), "a host", pageWait),
      ),
    );
    expect(statuses.map((s) => s.host.mode)).toEqual([mode, mode]);
    // one host: both tabs name the same one, and in dedicated mode exactly one tab is it
    expect(statuses[0]?.host.hostId).toBe(statuses[1]?.host.hostId);
    const hosts = statuses.filter((s) => s.host.isHost).length;
    expect(hosts).toBe(mode === "shared" ? 2 : 1);

    const topic = "shared-log";
    await a.evaluate((t) => window.rillTab.createTopic(t, 3), topic);
    // each tab reads the whole topic while both write it
    await Promise.all([a, b].map((page) => page.evaluate((t) => window.rillTab.consume("all", t), topic)));
    const produce = (page: typeof a, tab: string) =>
      page.evaluate(
        ({ t, tab, keys, n }) =>
          window.rillTab.produce(
            t,
            Array.from({ length: n }, (_, i) => ({ key: keys[i % keys.length] as string, value: `${tab}-${i}` })),
          ),
        { t: topic, tab, keys: KEYS, n: PER_TAB },
      );
    await Promise.all([produce(a, "a"), produce(b, "b")]);

    const total = 2 * PER_TAB;
    for (const page of [a, b]) {
      const seen = await until(
        async () => {
          const s = await page.evaluate(() => window.rillTab.seen("all"));
          return s.length >= total ? s : null;
        },
        "every record",
        pageWait,
      );
      expect(seen).toHaveLength(total);
      expect(duplicates(seen)).toEqual([]);
      expect(orderViolations(seen)).toEqual([]);
    }
    const log: Seen[] = await a.evaluate((t) => window.rillTab.readAll(t), topic);
    expect(log).toHaveLength(total);
    expect(duplicates(log)).toEqual([]);
    // what each tab was told (partition, offset) is where the record is
    for (const page of [a, b]) {
      const acked = await page.evaluate(() => window.rillTab.acked());
      for (const r of acked) expect(log.find((l) => l.partition === r.partition && l.offset === r.offset)?.value).toBe(r.value);
    }
    for (const page of [a, b]) await page.evaluate(() => window.rillTab.stopConsumer("all"));
  });

  it("runs one consumer group across the tabs: each record processed once", async () => {
    const [a, b] = browser.context.pages().slice(-2) as [Awaited<ReturnType<Browser["tab"]>>, Awaited<ReturnType<Browser["tab"]>>];
    const topic = "group-log";
    await a.evaluate((t) => window.rillTab.createTopic(t, 4), topic);
    await Promise.all([a, b].map((page) => page.evaluate((t) => window.rillTab.consume("member", t, "tabs"), topic)));
    // stable first: two members, four partitions between them, none twice
    await until(
      async () => {
        const owned = (await Promise.all([a, b].map((page) => page.evaluate(() => window.rillTab.assignment("member"))))).map(
          (x) => x.length,
        );
        return owned[0] === 2 && owned[1] === 2;
      },
      "a stable assignment",
      pageWait,
    );
    await a.evaluate(
      ({ t, keys }) =>
        window.rillTab.produce(
          t,
          Array.from({ length: 120 }, (_, i) => ({ key: keys[i % keys.length] as string, value: `a-${i}` })),
        ),
      { t: topic, keys: KEYS },
    );
    const seen = await until(
      async () => {
        const all = (await Promise.all([a, b].map((page) => page.evaluate(() => window.rillTab.seen("member"))))).flat();
        return all.length >= 120 ? all : null;
      },
      "every record processed",
      pageWait,
    );
    expect(seen).toHaveLength(120);
    expect(duplicates(seen)).toEqual([]);
    expect(orderViolations(seen)).toEqual([]);
    for (const page of [a, b]) await page.evaluate(() => window.rillTab.stopConsumer("member"));
  });
});
