// A frozen tab keeps its Web Locks, so a frozen host would hold the database forever. In dedicated
// mode, the host tab and its worker are frozen through the DevTools protocol (see freeze()): after
// missed heartbeats another tab takes the lock; thawed, the old host finds it was replaced, stops
// hosting and relays like any follower; the log stays one log.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pageWait } from "../harness/chromium.ts";
import { until } from "../helpers/wait.ts";
import { duplicates } from "./checks.ts";
import { type Browser, freeze, launch, type ServedPages, servePages } from "./harness.ts";

describe("a frozen host", () => {
  let pages: ServedPages;
  let browser: Browser;
  beforeAll(async () => {
    pages = await servePages();
    browser = await launch(pages, { without: ["SharedWorker"] });
  });
  afterAll(async () => {
    await browser?.close();
    await pages?.close();
  });

  it("is replaced after missed heartbeats, once, and after thawing relays instead of writing", async () => {
    const tabs = [await browser.tab(), await browser.tab()];
    for (const page of tabs) expect(await page.evaluate(() => window.rillTab.open({ name: "frozen" }))).toEqual({ ok: true });
    const statuses = await until(
      async () => {
        const s = await Promise.all(tabs.map((page) => page.evaluate(() => window.rillTab.status())));
        return s.filter((x) => x.host.isHost).length === 1 && s[0]?.host.hostId === s[1]?.host.hostId ? s : null;
      },
      "one host",
      pageWait,
    );
    const hostIndex = statuses.findIndex((s) => s.host.isHost);
    const [host, follower] = (hostIndex === 0 ? tabs : [...tabs].reverse()) as [(typeof tabs)[number], (typeof tabs)[number]];
    const oldHostId = statuses[hostIndex]?.host.hostId;
    await follower.evaluate(() => window.rillTab.createTopic("ledger", 1));
    const send = (page: typeof host, tab: string, from: number) =>
      page.evaluate(
        ({ tab, from }) =>
          window.rillTab.produce(
            "ledger",
            Array.from({ length: 5 }, (_, i) => ({ key: "k", value: `${tab}-${from + i}` })),
          ),
        { tab, from },
      );
    await send(follower, "f", 0);

    const thaw = await freeze(host);
    // the follower takes over after three silent heartbeats (2 s each), and its sends go on
    await until(() => follower.evaluate(() => window.rillTab.status().host.isHost), "the follower to host", {
      ...pageWait,
      timeoutMs: 45_000,
    });
    const newHostId = await follower.evaluate(() => window.rillTab.status().host.hostId);
    expect(newHostId).not.toBe(oldHostId);
    await send(follower, "f", 5);

    await thaw();
    await until(
      () =>
        host.evaluate((id) => {
          const s = window.rillTab.status();
          return !s.host.isHost && s.host.hostId === id;
        }, newHostId),
      "the thawed tab to follow the new host",
      pageWait,
    );
    // its sends are relayed to the new host, which puts them after the others
    await send(host, "h", 0);

    const log = await follower.evaluate(() => window.rillTab.readAll("ledger"));
    expect(log.map((r) => r.offset)).toEqual(Array.from({ length: 15 }, (_, i) => i));
    expect(log.map((r) => r.value)).toEqual([
      ...[0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => `f-${i}`),
      ...[0, 1, 2, 3, 4].map((i) => `h-${i}`),
    ]);
    expect(duplicates(log)).toEqual([]);
    // one takeover, not a back and forth: the new host still hosts, and the takeover it reports is
    // the only one the thawed tab knows of (a tab shows its host's errors beside its own)
    const [after, thawed] = await Promise.all([follower, host].map((p) => p.evaluate(() => window.rillTab.status())));
    expect(after?.host).toMatchObject({ isHost: true, hostId: newHostId });
    const takeovers = (s: typeof after) => s?.errors.filter((e) => /took over/.test(e.message)).reduce((n, e) => n + e.count, 0) ?? 0;
    expect(takeovers(after)).toBe(1);
    expect(takeovers(thawed)).toBe(1);
    expect(thawed?.host).toMatchObject({ isHost: false, state: "following", hostId: newHostId });
  });
});
