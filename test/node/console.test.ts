// The console in real Chromium (Debian's, driven by playwright-core) against the real local broker
// (wrangler dev serving the Vite build): topics with their offsets, the partition view, the record
// browser from an offset and from a time with paging and base64, groups with lag and the lag chart,
// the live tail and produce. Leaves a screenshot in .tmp/screenshots/console.png.
import { startNodeBroker } from "@rill/node";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromiumArgs, chromiumPath } from "../harness/chromium.ts";
import { type LocalBrokerProcess, startLocalBroker } from "../harness/local-broker.ts";
import { ensureWebBuild, screenshotPath } from "./web-demo-pages.ts";

const post = async (url: string, body: unknown) => {
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`${url}: ${res.status} ${await res.text()}`);
  return res.json();
};

const rowOffsets = (page: Page) =>
  page.$$eval("#records-table tbody tr[data-offset]", (rows) => rows.map((r) => Number((r as HTMLElement).dataset.offset)));

async function waitForOffsets(page: Page, first: number, count: number) {
  await page.waitForFunction(
    ([f, n]) => {
      const rows = [...document.querySelectorAll<HTMLElement>("#records-table tbody tr[data-offset]")];
      return rows.length === n && Number(rows[0]?.dataset.offset) === f;
    },
    [first, count],
  );
  expect(await rowOffsets(page)).toEqual(Array.from({ length: count }, (_, i) => first + i));
}

describe("console", () => {
  let broker: LocalBrokerProcess;
  let browser: Browser;
  beforeAll(async () => {
    ensureWebBuild();
    broker = await startLocalBroker();
    browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await broker?.stop();
  });

  it("shows topics, partitions, records by offset and time, lag over time, a live tail, and produces", async () => {
    // 40 records on partition 0, one second apart an hour ago; one of them is not UTF-8
    const base = Math.floor(Date.now() / 1000) * 1000 - 3_600_000;
    await post(`${broker.url}/v1/topics`, { name: "orders", partitions: 2 });
    await post(`${broker.url}/v1/topics/orders/records`, {
      records: Array.from({ length: 40 }, (_, i) => ({
        key: `customer-${i % 4}`,
        value: `order ${i}`,
        headers: { source: "till", n: String(i) },
        partition: 0,
        timestamp: base + i * 1000,
      })),
    });
    // offset 40: bytes 0xff 0xfe 0x00 0x01, which no UTF-8 decoder accepts
    await post(`${broker.url}/v1/topics/orders/records`, {
      encoding: "base64",
      records: [{ key: btoa("binary"), value: "//4AAQ==", partition: 0, timestamp: base + 40_000 }],
    });
    await post(`${broker.url}/v1/topics/orders/records`, { records: [{ value: "elsewhere", partition: 1 }] });
    await post(`${broker.url}/v1/groups/billing/offsets`, { offsets: [{ topic: "orders", partition: 0, offset: 30 }] });

    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems: string[] = [];
    page.on("pageerror", (error) => problems.push(String(error)));
    await page.goto(`${broker.url}/console/#topic=orders`);

    // topics: one row per topic with its record count
    await page.waitForFunction(() =>
      /orders\s*2\s*1\s*42/.test(document.querySelector("#topics-table tr[data-topic=orders]")?.textContent ?? ""),
    );
    // partition view: leader, epoch, replicas, ISR, log start, high watermark, records, size
    await page.waitForFunction(() => document.querySelectorAll("#partitions-table tbody tr").length === 2);
    const partitionRows = await page.$$eval("#partitions-table tbody tr", (rows) =>
      rows.map((r) => [...r.querySelectorAll("td")].map((td) => td.textContent?.trim())),
    );
    expect(partitionRows[0]?.slice(0, 8)).toEqual(["0", "0", "0", "0", "0", "0", "41", "41"]);
    expect(partitionRows[1]?.slice(0, 8)).toEqual(["1", "0", "0", "0", "0", "0", "1", "1"]);
    expect(partitionRows[0]?.[8]).toMatch(/\d+(\.\d)? (B|KiB)/);

    // record browser from an offset, paging forward and back
    await page.selectOption("#browse-form select[name=partition]", "0");
    await page.selectOption("#browse-form select[name=from]", "offset");
    await page.fill("#browse-form input[name=offset]", "5");
    await page.selectOption("#browse-form select[name=limit]", "10");
    await page.click("#browse-form button[type=submit]");
    await waitForOffsets(page, 5, 10);
    const row7 = await page.textContent("#records-table tr[data-offset='7']");
    expect(row7).toContain("customer-3");
    expect(row7).toContain("order 7");
    expect(row7).toContain("source=till; n=7");
    await page.click("#browse-next");
    await waitForOffsets(page, 15, 10);
    await page.click("#browse-next");
    await waitForOffsets(page, 25, 10);
    await page.click("#browse-next");
    await waitForOffsets(page, 35, 6); // the last page holds what is left: 35..40
    expect(await page.isDisabled("#browse-next")).toBe(true);
    await page.click("#browse-prev");
    await waitForOffsets(page, 25, 10);

    // a record that is not UTF-8 comes as base64, marked; the toggle shows every record as base64
    await page.click("#browse-next");
    await waitForOffsets(page, 35, 6);
    expect(await page.textContent("#records-table tr[data-offset='40'] td.value")).toBe("b64//4AAQ==");
    expect(await page.textContent("#records-table tr[data-offset='35'] td.value")).toBe("order 35");
    await page.check("#browse-form input[name=base64]");
    await page.waitForFunction(
      () => document.querySelector("#records-table tr[data-offset='35'] td.value")?.textContent === `b64${btoa("order 35")}`,
    );
    expect(await page.textContent("#records-table tr[data-offset='40'] td.key")).toBe(btoa("binary"));
    await page.uncheck("#browse-form input[name=base64]");
    await page.waitForFunction(() => document.querySelector("#records-table tr[data-offset='35'] td.value")?.textContent === "order 35");

    // from a time: the first record at or after it (timestamps are one second apart from `base`)
    await page.selectOption("#browse-form select[name=from]", "time");
    await page.$eval(
      "#browse-form input[name=time]",
      (input, ms) => {
        const d = new Date(ms);
        const pad = (n: number, w = 2) => String(n).padStart(w, "0");
        (input as HTMLInputElement).value =
          `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
      },
      base + 20_500,
    );
    await page.click("#browse-form button[type=submit]");
    await waitForOffsets(page, 21, 10);
    expect(await page.textContent("#browse-info")).toMatch(/^from .*offsets 21–30 of \[0, 41\)/);

    // groups with lag, and the lag chart: sampled at each refresh, moving when the lag moves
    await page.waitForFunction(() =>
      /billing.*orders.*0.*30.*41.*11/s.test(document.querySelector("#groups-table tbody")?.textContent ?? ""),
    );
    await page.waitForFunction(() => document.querySelector<HTMLElement>("#lag-legend li[data-group=billing]")?.dataset.lag === "11");
    const samplesBefore = Number(await page.getAttribute("#lag-chart", "data-samples"));
    await post(`${broker.url}/v1/topics/orders/records`, {
      records: Array.from({ length: 5 }, (_, i) => ({ value: `late ${i}`, partition: 0 })),
    });
    await page.waitForFunction(() => document.querySelector<HTMLElement>("#lag-legend li[data-group=billing]")?.dataset.lag === "16");
    expect(Number(await page.getAttribute("#lag-chart", "data-samples"))).toBeGreaterThan(samplesBefore);
    expect(await page.textContent("#lag-legend")).toContain("billing: 16");

    // live tail from the beginning, with its throughput line
    await page.fill("#tail-form input[name=topic]", "orders");
    await page.fill("#tail-form input[name=partition]", "0");
    await page.selectOption("#tail-form select", "earliest");
    await page.click("#tail-form button[type=submit]");
    await page.waitForFunction(() => document.querySelectorAll("#tail li").length === 46);
    expect(await page.textContent("#tail li:first-child")).toContain("late 4");
    await page.waitForFunction(() => /records\/s \(max [1-9]\d*\)/.test(document.querySelector("#tail-rate")?.textContent ?? ""));

    // produce, with a key and headers
    await page.fill("#produce-form input[name=topic]", "orders");
    await page.fill("#produce-form input[name=key]", "k");
    await page.fill("#produce-form input[name=value]", "from the console");
    await page.fill("#produce-form input[name=headers]", "origin=console, try=1");
    await page.fill("#produce-form input[name=partition]", "1");
    await page.click("#produce-form button[type=submit]");
    await page.waitForFunction(() => /partition 1, offset 1/.test(document.querySelector("#produce-result")?.textContent ?? ""));
    const fetched = await (await fetch(`${broker.url}/v1/topics/orders/partitions/1/records?offset=1`)).json();
    expect(fetched.records[0]).toMatchObject({ key: "k", value: "from the console", headers: { origin: "console", try: "1" } });

    // a bad produce answers with the broker's code and message, and writes nothing
    await page.fill("#produce-form input[name=topic]", "no-such-topic");
    await page.click("#produce-form button[type=submit]");
    await page.waitForFunction(() => /UNKNOWN_TOPIC_OR_PARTITION/.test(document.querySelector("#produce-result")?.textContent ?? ""));

    // back to the record browser's first page for the picture
    await page.selectOption("#browse-form select[name=from]", "earliest");
    await page.click("#browse-form button[type=submit]");
    await waitForOffsets(page, 0, 10);
    await page.screenshot({ path: screenshotPath("console.png"), fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  }, 120_000);

  it("works against another Rill broker: an in-process Node broker named by ?broker=", async () => {
    const other = await startNodeBroker();
    try {
      await post(`${other.url}/v1/topics`, { name: "payments", partitions: 3 });
      await post(`${other.url}/v1/topics/payments/records`, { records: [{ key: "alice", value: "12", partition: 2 }] });
      const page = await browser.newPage();
      await page.goto(`${broker.url}/console/?broker=${encodeURIComponent(other.url)}#topic=payments`);
      await page.waitForFunction(() => document.querySelectorAll("#partitions-table tbody tr").length === 3);
      expect(await page.textContent("#topics-table tbody")).not.toContain("orders");
      await page.selectOption("#browse-form select[name=partition]", "2");
      await page.click("#browse-form button[type=submit]");
      await waitForOffsets(page, 0, 1);
      expect(await page.textContent("#records-table tr[data-offset='0']")).toContain("alice");
      await page.close();
    } finally {
      await other.close();
    }
  }, 60_000);
});
