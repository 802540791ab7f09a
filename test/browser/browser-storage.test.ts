// What IndexedDB needs from the browser host: local topics honour retention (the log stays
// bounded); an upgrade blocked by an old tab is reported within 5 s instead of hanging; a
// versionchange from a newer tab closes the host cleanly (and does not block that tab).
import { createBrowserBroker } from "@rill/browser";
import { afterAll, describe, expect, it } from "vitest";
import { until } from "../helpers/wait.ts";

const unique = (prefix: string) => `${prefix}-${Math.random().toString(36).slice(2, 8)}`;
const json = (body: unknown) => ({ method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
const closers: Array<() => unknown> = [];
afterAll(async () => {
  for (const close of closers) await close();
});

describe("the browser host on IndexedDB", () => {
  it("enforces retention.bytes and retention.ms on local topics", async () => {
    const broker = await createBrowserBroker({
      name: unique("rill-retention"),
      mode: "dedicated",
      worker: () => new Worker(new URL("./workers/retention-worker.ts", import.meta.url), { type: "module" }),
    });
    closers.push(() => broker.close());
    await broker.fetch("/v1/topics", json({ name: "bounded", config: { "retention.bytes": "2000" } }));
    await broker.fetch("/v1/topics", json({ name: "brief", config: { "retention.ms": "1" } }));
    for (let i = 0; i < 40; i++) {
      await broker.fetch("/v1/topics/bounded/records", json({ records: [{ value: `record ${i} ${"x".repeat(100)}` }] }));
    }
    await broker.fetch("/v1/topics/brief/records", json({ records: [{ value: "soon gone" }, { value: "also gone" }] }));
    const partition = async (topic: string) => (await (await broker.fetch(`/v1/topics/${topic}`)).json()).partitions[0];
    // retention deletes whole batches from the head: what stays is under 2000 bytes and ends at 40
    const bounded = await until(
      async () => {
        const p = await partition("bounded");
        return p.logStartOffset > 20 ? p : null;
      },
      "retention.bytes",
      { everyMs: 50 },
    );
    expect(bounded.highWatermark).toBe(40);
    const kept = await (await broker.fetch(`/v1/topics/bounded/partitions/0/records?offset=${bounded.logStartOffset}`)).json();
    expect(kept.records.at(-1).value).toMatch(/^record 39 /);
    const old = await broker.fetch("/v1/topics/bounded/partitions/0/records?offset=0");
    expect(old.status).toBe(416);
    // retention.ms=1: everything is past it, so the log start reaches the end
    const brief = await until(
      async () => {
        const p = await partition("brief");
        return p.logStartOffset === 2 ? p : null;
      },
      "retention.ms",
      { everyMs: 50 },
    );
    expect(brief.highWatermark).toBe(2);
  });

  it("reports an upgrade blocked by an old tab instead of hanging, with a typed error", async () => {
    const name = unique("rill-blocked");
    // the old tab: a connection at the current version that never gives way (a frozen tab)
    const old = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open(name, 1);
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    closers.push(() => old.close());
    const broker = await createBrowserBroker({
      name,
      mode: "dedicated",
      worker: () => new Worker(new URL("./workers/next-version-worker.ts", import.meta.url), { type: "module" }),
    });
    closers.push(() => broker.close());
    const status = await until(
      () => (broker.status().host.state === "failed" ? broker.status() : null),
      "the blocked upgrade in the status",
      { timeoutMs: 10_000 },
    );
    expect(status.errors).toEqual([
      expect.objectContaining({ code: "STORAGE_UPGRADE_BLOCKED", details: { upgradeBlocked: true }, retriable: true }),
    ]);
    const answer = await broker.fetch("/healthz");
    expect(answer.status).toBe(503);
    expect((await answer.json()).error).toMatchObject({ code: "STORAGE_UPGRADE_BLOCKED", upgradeBlocked: true });
  });

  it("closes cleanly when a newer tab upgrades the database, without blocking it", async () => {
    const name = unique("rill-versionchange");
    const broker = await createBrowserBroker({ name });
    closers.push(() => broker.close());
    await until(() => broker.status().host.state === "hosting", "hosting");
    expect((await broker.fetch("/v1/topics", json({ name: "t" }))).status).toBe(201);
    // a newer version of the app opens the database at the next schema version: it is not blocked
    const newer = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open(name, 2);
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
      request.onblocked = () => reject(new Error("the upgrade was blocked by the host"));
    });
    closers.push(() => newer.close());
    const status = await until(() => (broker.status().host.state === "closed" ? broker.status() : null), "the host to report closed");
    expect(status.errors).toEqual([
      expect.objectContaining({ code: "STORAGE_CLOSED", details: { reason: "versionchange", versionChange: true } }),
    ]);
    const answer = await broker.fetch("/v1/topics");
    expect((await answer.json()).error).toMatchObject({ code: "STORAGE_CLOSED", retriable: false });
  });
});
