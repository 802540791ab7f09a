// The protocol suites against the in-process broker on memory storage.
import { createNodeBroker } from "@rill/node";
import { describe, expect, it } from "vitest";
import { groupsSuite } from "../protocol/groups-suite.ts";
import { rulesSuite } from "../protocol/rules-suite.ts";
import { type ProtocolFixture, protocolSuite } from "../protocol/suite.ts";

const { app } = createNodeBroker();
const fixture: ProtocolFixture = { name: "node in-process (memory)", fetch: async (path, init) => app.request(path, init) };
protocolSuite(fixture);
groupsSuite(fixture);
rulesSuite(fixture);

describe("in-process broker without WebSockets", () => {
  it("points live=ws callers at SSE instead", async () => {
    await app.request("/v1/topics", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "ws-here" }),
    });
    const res = await app.request("/v1/topics/ws-here/partitions/0/records?offset=0&live=ws", { headers: { upgrade: "websocket" } });
    expect(res.status).toBe(400);
    expect((await res.json()).error.message).toMatch(/live=sse/);
  });
});
