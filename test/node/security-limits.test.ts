// Limits on what a client controls, each a clear 4xx that changes nothing; CORS origins per
// deployment; security headers on every answer.
import { createGroupCoordinator, encodeBatch, isRillError } from "@rill/core";
import { createNodeBroker } from "@rill/node";
import { securitySettingsFrom } from "@rill/server";
import { createMemoryStorage } from "@rill/storage-memory";
import { describe, expect, it } from "vitest";

const node = createNodeBroker({ maxRecordsPerRequest: 5, maxLiveTailsPerPrincipal: 1 });
const send = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
  node.fetch(`http://rill.test${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { "content-type": "application/json" }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

async function refused(res: Response, status: number, code: string, field?: RegExp) {
  expect(res.status).toBe(status);
  const body = (await res.json()) as { error: { code: string; message: string } };
  expect(body.error.code).toBe(code);
  if (field) expect(body.error.message).toMatch(field);
}

describe("limits", () => {
  it("refuses oversized produce requests field by field, writing nothing", async () => {
    await send("POST", "/v1/topics", { name: "limits" });
    const record = (extra: object) => ({ records: [{ value: "v", ...extra }] });
    await refused(
      await send("POST", "/v1/topics/limits/records", { records: Array.from({ length: 10_001 }, () => ({ value: "v" })) }),
      400,
      "INVALID_REQUEST",
      /records/,
    );
    const headers = Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`h${i}`, "v"]));
    await refused(await send("POST", "/v1/topics/limits/records", record({ headers })), 400, "INVALID_REQUEST", /headers/);
    await refused(
      await send("POST", "/v1/topics/limits/records", record({ headers: { ["k".repeat(257)]: "v" } })),
      400,
      "INVALID_REQUEST",
      /headers/,
    );
    await refused(
      await send("POST", "/v1/topics/limits/records", record({ headers: { h: "v".repeat(65 * 1024) } })),
      400,
      "INVALID_REQUEST",
      /headers/,
    );
    await refused(await send("POST", "/v1/topics/limits/records", record({ key: "k".repeat(65 * 1024) })), 400, "INVALID_REQUEST", /key/);
    await refused(
      await send("POST", "/v1/topics/limits/records", record({ value: "v".repeat(2 * 1024 * 1024) })),
      413,
      "MESSAGE_TOO_LARGE",
    );
    const six = encodeBatch(
      Array.from({ length: 6 }, () => ({ key: null, value: new TextEncoder().encode("v"), headers: [], timestamp: Date.now() })),
    );
    const binary = await node.fetch("http://rill.test/v1/topics/limits/partitions/0/batches", {
      method: "POST",
      headers: { "content-type": "application/vnd.rill.batches" },
      body: six as Uint8Array<ArrayBuffer>,
    });
    await refused(binary, 413, "RECORD_LIST_TOO_LARGE");
    await refused(
      await send("GET", "/v1/topics/limits/partitions/0/records?offset=0&maxWaitMs=60001"),
      400,
      "INVALID_REQUEST",
      /maxWaitMs/,
    );
    await refused(
      await send("POST", "/v1/groups/g/heartbeat", { memberEpoch: 0, topics: ["limits"], waitMs: 30_001 }),
      400,
      "INVALID_REQUEST",
      /waitMs/,
    );
    const state = (await (await send("GET", "/v1/topics/limits")).json()) as { partitions: Array<{ highWatermark: number }> };
    expect(state.partitions[0]?.highWatermark).toBe(0);
  });

  it("lets a principal hold a bounded number of live tails", async () => {
    await send("POST", "/v1/topics", { name: "tails" });
    const open = await send("GET", "/v1/topics/tails/partitions/0/records?offset=0&live=sse");
    expect(open.status).toBe(200);
    await refused(
      await send("GET", "/v1/topics/tails/partitions/0/records?offset=0&live=sse"),
      429,
      "THROTTLING_QUOTA_EXCEEDED",
      /live tails/,
    );
    // closing the first frees its place
    await open.body?.cancel();
    const again = await send("GET", "/v1/topics/tails/partitions/0/records?offset=0&live=sse");
    expect(again.status).toBe(200);
    await again.body?.cancel();
  });

  it("caps the members of a group (GROUP_MAX_SIZE_REACHED), letting members already in rejoin", async () => {
    const coordinator = createGroupCoordinator({
      storage: createMemoryStorage(),
      groupId: "small",
      maxMembers: 2,
      listTopics: async () => [{ name: "t", partitions: 2 }],
    });
    const a = await coordinator.heartbeat({ memberId: null, memberEpoch: 0, topics: ["t"] });
    await coordinator.heartbeat({ memberId: null, memberEpoch: 0, topics: ["t"] });
    await expect(coordinator.heartbeat({ memberId: null, memberEpoch: 0, topics: ["t"] })).rejects.toSatisfy((e) =>
      isRillError(e, "GROUP_MAX_SIZE_REACHED"),
    );
    // a member that is in may rejoin
    await expect(coordinator.heartbeat({ memberId: a.memberId, memberEpoch: 0, topics: ["t"] })).resolves.toMatchObject({
      memberId: a.memberId,
    });
    expect(Object.keys((await coordinator.describe())?.members ?? {})).toHaveLength(2);
  });

  it("allows only the configured browser origins, and sends security headers on every answer", async () => {
    const settings = securitySettingsFrom({ RILL_CORS_ORIGINS: "https://app.example, https://console.example" });
    const strict = createNodeBroker({ corsOrigin: settings.corsOrigin });
    const preflight = (origin: string) =>
      strict.fetch("http://rill.test/v1/topics", { method: "OPTIONS", headers: { origin, "access-control-request-method": "POST" } });
    expect((await preflight("https://app.example")).headers.get("access-control-allow-origin")).toBe("https://app.example");
    expect((await preflight("https://evil.example")).headers.get("access-control-allow-origin")).toBeNull();
    expect(securitySettingsFrom({}).corsOrigin).toBe("*");
    for (const res of [
      await strict.fetch("http://rill.test/healthz"),
      await strict.fetch("http://rill.test/v1/topics/nope"),
      await strict.fetch("http://rill.test/v1/topics"),
    ]) {
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      expect(res.headers.get("x-frame-options")).toBe("DENY");
      expect(res.headers.get("content-security-policy")).toContain("default-src 'none'");
      expect(res.headers.get("referrer-policy")).toBe("no-referrer");
    }
    await strict.close();
  });
});
