// The console's push-subscriptions panel in real Chromium against the local edge (wrangler dev, as
// `npm start` runs it): a subscription to a webhook on 127.0.0.1 delivers, one poison record goes
// to the dead-letter topic, and the panel shows state, lag, in-flight, delivered, retried and
// dead-lettered; its pause button pauses the subscription. Leaves .tmp/screenshots/console-subscriptions.png.
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromiumArgs, chromiumPath } from "../harness/chromium.ts";
import { type LocalBrokerProcess, startLocalBroker } from "../harness/local-broker.ts";
import { startWebhookReceiver, type WebhookReceiver } from "../harness/webhook-receiver.ts";
import { until } from "../helpers/wait.ts";
import { ensureWebBuild, screenshotPath } from "./web-demo-pages.ts";

const call = async (url: string, method: string, body?: unknown) => {
  const res = await fetch(url, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${url}: ${res.status} ${await res.text()}`);
  return res.json();
};

describe("console: push subscriptions", () => {
  let broker: LocalBrokerProcess;
  let browser: Browser;
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    ensureWebBuild();
    [broker, receiver] = await Promise.all([startLocalBroker(), startWebhookReceiver()]);
    browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await broker?.stop();
    await receiver?.close();
  });

  it("shows a subscription's lag, counters and dead letters, and pauses it", async () => {
    await call(`${broker.url}/v1/topics`, "POST", { name: "orders", partitions: 2 });
    await call(`${broker.url}/v1/topics`, "POST", { name: "orders.dlq", partitions: 1 });
    await call(`${broker.url}/v1/topics/orders/records`, "POST", {
      records: Array.from({ length: 30 }, (_, i) => ({ key: `k${i % 3}`, value: `order ${i}`, partition: i % 2 })),
    });
    receiver.consumer.configure({ poison: ["order 7"] });
    const created = (await call(`${broker.url}/v1/subscriptions`, "POST", {
      group: "billing",
      name: "hook",
      topics: ["orders"],
      target: { type: "webhook", url: receiver.url },
      startAt: "earliest",
      maxRetries: 1,
      retryDelayMs: 10,
      deadLetterTopic: "orders.dlq",
    })) as { secret: string };
    receiver.secrets.set("billing/hook", created.secret);
    await until(
      async () =>
        ((await call(`${broker.url}/v1/subscriptions/billing/hook`, "GET")) as { status: { counters: { deadLettered: number } } }).status
          .counters.deadLettered === 1,
      "the poison record dead-lettered",
      { timeoutMs: 60_000, everyMs: 100 },
    );

    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems: string[] = [];
    page.on("pageerror", (error) => problems.push(String(error)));
    await page.goto(`${broker.url}/console/#subscriptions`);
    const rowSelector = "#subscriptions-table tr[data-subscription='billing/hook']";
    await page.waitForFunction((s) => document.querySelector(s)?.getAttribute("data-state") === "active", rowSelector);
    // subscription, state, from → to, lag, in flight, delivered, retried, dead-lettered
    await page.waitForFunction((s) => {
      const cells = [...(document.querySelector(s)?.querySelectorAll("td") ?? [])].map((td) => td.textContent?.trim());
      return cells[3] === "0" && cells[4] === "0" && cells[7] === "1";
    }, rowSelector);
    const cells = await page.$$eval(`${rowSelector} td`, (tds) => tds.map((td) => td.textContent?.trim() ?? ""));
    expect(cells.slice(0, 3)).toEqual(["billing/hook", "active", `orders → ${receiver.url}`]);
    expect(Number(cells[5])).toBeGreaterThanOrEqual(30);
    expect(Number(cells[6])).toBeGreaterThanOrEqual(2);
    expect(cells[8]).toContain("poison record order 7");
    await page.screenshot({ path: screenshotPath("console-subscriptions.png"), fullPage: true });

    await page.click(`${rowSelector} button`);
    await page.waitForFunction((s) => document.querySelector(s)?.getAttribute("data-state") === "paused", rowSelector);
    expect(await page.textContent(`${rowSelector} button`)).toBe("resume");
    const described = (await call(`${broker.url}/v1/subscriptions/billing/hook`, "GET")) as { paused: boolean };
    expect(described.paused).toBe(true);
    expect(problems).toEqual([]);
    await page.close();
  }, 120_000);
});
