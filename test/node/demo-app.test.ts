// The offline-first demo app (web-demo, at /) in real Chromium against the real local edge broker.
// Its SharedWorker reaches the edge through a proxy the test can cut, since context.setOffline takes
// the network from pages only. Two tabs take orders offline into one local log, a tab reloads offline
// (its shell from the service worker); the test proves the edge received nothing from state, not
// from silence. Screenshots go to .tmp/screenshots/.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromiumArgs, chromiumPath, pageWait } from "../harness/chromium.ts";
import { type LocalBrokerProcess, startLocalBroker } from "../harness/local-broker.ts";
import { until } from "../helpers/wait.ts";
import { type EdgeProxy, startEdgeProxy } from "./edge-proxy.ts";
import { ensureWebBuild, screenshotPath } from "./web-demo-pages.ts";

async function edgeTopic(broker: LocalBrokerProcess, topic: string) {
  const res = await fetch(`${broker.url}/v1/topics/${topic}`);
  return res.ok ? ((await res.json()) as { partitions: Array<{ partition: number; highWatermark: number }> }) : null;
}

async function openApp(context: BrowserContext, url: string, problems: string[]): Promise<Page> {
  const page = await context.newPage();
  page.on("pageerror", (error) => problems.push(String(error)));
  await page.goto(url);
  await page.waitForFunction(() => document.body.dataset.ready === "true");
  // the form is usable once a price list (default or downloaded) is offered
  await page.waitForSelector("#order-form button[type=submit]:not([disabled])");
  // the service worker has the app shell, so the app can open again without a network
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
  return page;
}

/** Takes an order through the form; resolves with its id once the local log acknowledged it. */
async function takeOrder(page: Page, customer: string, item: string, quantity: number): Promise<string> {
  const before = await page.getAttribute("#order-result", "data-last-order");
  await page.fill("#order-form input[name=customer]", customer);
  await page.selectOption("#order-form select[name=item]", item);
  await page.fill("#order-form input[name=quantity]", String(quantity));
  await page.click("#order-form button[type=submit]");
  const handle = await page.waitForFunction((previous) => {
    const id = document.querySelector<HTMLElement>("#order-result")?.dataset.lastOrder;
    return id && id !== previous ? id : null;
  }, before);
  return (await handle.jsonValue()) as string;
}

const shownIds = (page: Page) =>
  page.$$eval("#orders-table tbody tr[data-id]", (rows) => rows.map((r) => (r as HTMLElement).dataset.id as string).sort());

describe("demo app", () => {
  let broker: LocalBrokerProcess;
  let proxy: EdgeProxy;
  let context: BrowserContext;
  let profile: string;
  const problems: string[] = [];
  // the first case leaves a tab open with five orders in its outbox; the second syncs them
  let tab: Page;
  let orderIds: string[] = [];
  beforeAll(async () => {
    ensureWebBuild();
    broker = await startLocalBroker();
    proxy = await startEdgeProxy(broker.url);
    profile = mkdtempSync(join(tmpdir(), "rill-demo-profile-"));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: chromiumPath,
      args: chromiumArgs,
      viewport: { width: 1280, height: 900 },
    });
  }, 180_000);
  afterAll(async () => {
    await context?.close();
    await proxy?.close();
    await broker?.stop();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  it("takes orders offline in two tabs that share one local log, and keeps them in the outbox", async () => {
    const appUrl = `${broker.url}/?edge=${encodeURIComponent(proxy.url)}`;
    const a = await openApp(context, appUrl, problems);
    const b = await openApp(context, appUrl, problems);
    // the app provisions its edge topics while it can reach the edge
    await until(() => edgeTopic(broker, "market-orders"), "the edge topic market-orders", pageWait);

    // offline: the pages' own network (setOffline) and the shared worker's (the proxy)
    proxy.cut();
    await context.setOffline(true);
    expect(
      await a.evaluate(() =>
        fetch("/healthz").then(
          () => "reached",
          () => "offline",
        ),
      ),
    ).toBe("offline");

    const ids = [
      await takeOrder(a, "Ada", "apples", 2),
      await takeOrder(b, "Bo", "honey", 1),
      await takeOrder(a, "Cy", "eggs", 3),
      await takeOrder(b, "Di", "bread", 2),
      await takeOrder(a, "Ed", "cheese", 1),
    ].sort();
    expect(new Set(ids).size).toBe(5);

    // one log: each tab lists the orders taken in both
    for (const page of [a, b]) {
      await page.waitForFunction(() => document.querySelector<HTMLElement>("#orders-summary")?.dataset.count === "5");
      expect(await shownIds(page)).toEqual(ids);
      expect(await page.$$eval("#orders-table tbody tr[data-state=pending]", (rows) => rows.length)).toBe(5);
    }
    expect(await a.textContent(`#orders-table tr[data-id='${ids[0]}']`)).toMatch(/\d+:\d+/);

    // nothing reached the edge: its topic's high watermarks are all still 0
    const edge = await edgeTopic(broker, "market-orders");
    expect(edge?.partitions.map((p) => p.highWatermark)).toEqual([0, 0]);

    // still offline, the app opens again (its shell comes from the service worker) with its log intact
    const reloaded = await a.reload();
    expect(reloaded?.fromServiceWorker()).toBe(true);
    await a.waitForFunction(() => document.body.dataset.ready === "true");
    await a.waitForFunction(() => document.querySelector<HTMLElement>("#orders-summary")?.dataset.count === "5");
    expect(await shownIds(a)).toEqual(ids);

    await a.waitForFunction(() => document.querySelector<HTMLElement>("#outbox")?.dataset.records === "5");
    await a.screenshot({ path: screenshotPath("demo-offline.png"), fullPage: true });
    await b.close();
    tab = a;
    orderIds = ids;
    expect(problems).toEqual([]);
  }, 120_000);

  it("moves the outbox to the edge once and in order when the network returns, and mirrors the price list", async () => {
    expect(orderIds).toHaveLength(5);
    // answers to the third upload request and later are held, so the picture catches the sync midway
    let uploads = 0;
    proxy.holdAnswers(({ method, url }) => method === "POST" && url.includes("/batches") && ++uploads > 2);
    proxy.restore();
    await context.setOffline(false);
    await tab.waitForFunction(() => {
      const synced = document.querySelectorAll("#orders-table tr[data-state=synced]").length;
      const pending = document.querySelectorAll("#orders-table tr[data-state=pending]").length;
      return synced > 0 && pending > 0 && document.querySelector<HTMLElement>("#connectivity")?.dataset.state === "online";
    });
    await until(async () => proxy.heldCount > 0, "an upload answer held by the proxy", pageWait);
    await tab.screenshot({ path: screenshotPath("demo-mid-sync.png"), fullPage: true });

    proxy.release();
    await tab.waitForFunction(() => document.querySelectorAll("#orders-table tr[data-state=synced]").length === 5);
    await tab.waitForFunction(() => document.querySelector<HTMLElement>("#outbox")?.dataset.records === "0");
    // online, an order goes straight through; uploaded() tells the page its edge offset
    const online = await takeOrder(tab, "Flo", "pears", 1);
    await tab.waitForFunction(
      (id) => new RegExp(`Order ${id} is on the edge \\(offset \\d+\\)`).test(document.querySelector("#order-result")?.textContent ?? ""),
      online,
    );
    await tab.waitForFunction(() => document.querySelectorAll("#orders-table tr[data-state=synced]").length === 6);
    const allIds = [...orderIds, online].sort();

    // the edge holds each order once, on the same partition, in local offset order
    const local = await tab.$$eval("#orders-table tbody tr[data-id]", (rows) =>
      rows.map((r) => {
        const { id, partition, offset } = (r as HTMLElement).dataset;
        return { id: id as string, partition: Number(partition), offset: Number(offset) };
      }),
    );
    const edge: Array<{ id: string; partition: number; offset: number }> = [];
    for (const partition of [0, 1]) {
      const answer = await (await fetch(`${broker.url}/v1/topics/market-orders/partitions/${partition}/records?offset=0`)).json();
      for (const r of answer.records as Array<{ key: string; offset: number }>) edge.push({ id: r.key, partition, offset: r.offset });
    }
    expect(edge.map((e) => e.id).sort()).toEqual(allIds);
    const byLocalOrder = (list: typeof edge) =>
      [0, 1].map((p) =>
        list
          .filter((e) => e.partition === p)
          .sort((x, y) => x.offset - y.offset)
          .map((e) => e.id),
      );
    expect(byLocalOrder(edge)).toEqual(byLocalOrder(local));

    // the price list came down from the edge into the local replica (six items, offsets 0..5)
    await tab.waitForFunction(() => document.querySelector<HTMLElement>("#prices-source")?.dataset.offset === "5");
    expect(await tab.$$eval("#prices li", (items) => items.length)).toBe(6);
    // and keeps following it: a new price at the edge reaches the page and the order form
    await fetch(`${broker.url}/v1/topics/market-prices/records`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ records: [{ key: "apples", value: JSON.stringify({ item: "apples", price: 275, unit: "kg" }) }] }),
    });
    await tab.waitForFunction(() => document.querySelector("#prices li[data-item=apples]")?.textContent === "apples: €2.75 per kg");
    expect(await tab.textContent("#order-form select[name=item] option[value=apples]")).toContain("€2.75");
    await tab.screenshot({ path: screenshotPath("demo-synced.png"), fullPage: true });
    expect(problems).toEqual([]);
  }, 120_000);
});
