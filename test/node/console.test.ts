// The console in real Chromium (Debian's, driven by playwright-core) against the real local broker:
// it lists topics with their offsets, groups with their lag, tails a partition and produces.
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromiumArgs, chromiumPath } from "../harness/chromium.ts";
import { type LocalBrokerProcess, startLocalBroker } from "../harness/local-broker.ts";

const post = (url: string, body: unknown) =>
  fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

describe("console", () => {
  let broker: LocalBrokerProcess;
  let browser: Browser;
  beforeAll(async () => {
    broker = await startLocalBroker();
    browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await broker?.stop();
  });

  it("shows topics, lag, a live tail, and produces", async () => {
    await post(`${broker.url}/v1/topics`, { name: "orders", partitions: 2 });
    await post(`${broker.url}/v1/topics/orders/records`, {
      records: [
        { value: "first", partition: 0 },
        { value: "second", partition: 0 },
      ],
    });
    await post(`${broker.url}/v1/groups/billing/offsets`, { offsets: [{ topic: "orders", partition: 0, offset: 1 }] });
    const page = await browser.newPage();
    await page.goto(`${broker.url}/console/`);
    await page
      .waitForFunction(() => document.querySelectorAll("#topics tbody tr").length === 2)
      .catch(async (e) => {
        console.log("the console page at the failure:", await page.content());
        throw e;
      });
    expect(await page.textContent("#topics tbody tr:first-child")).toMatch(/orders\s*0\s*0\s*0\s*0\s*2/);
    await page.waitForSelector("#groups tbody tr");
    expect(await page.textContent("#groups tbody")).toMatch(/billing.*orders.*0.*1.*1/s);
    await page.fill("#tail-form input[name=topic]", "orders");
    await page.selectOption("#tail-form select", "earliest");
    await page.click("#tail-form button");
    await page.waitForFunction(() => document.querySelectorAll("#tail li").length === 2);
    await page.fill("#produce-form input[name=topic]", "orders");
    await page.fill("#produce-form input[name=value]", "from the console");
    await page.fill("#produce-form input[name=key]", "k");
    await page.click("#produce-form button");
    await page.waitForFunction(() => /partition \d, offset \d/.test(document.querySelector("#produce-result")?.textContent ?? ""));
    const answer = (await page.textContent("#produce-result")) as string;
    const partition = Number(/partition (\d)/.exec(answer)?.[1]);
    const fetched = await (await fetch(`${broker.url}/v1/topics/orders/partitions/${partition}/records?offset=0`)).json();
    expect(fetched.records.map((r: { value: string }) => r.value)).toContain("from the console");
    await page.close();
  }, 60_000);
});
