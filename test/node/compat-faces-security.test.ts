// The protocol faces sit behind the same security as /v1: ACLs from the operation list (a principal
// with WRITE on a topic may append to its stream and produce through Upstash, and nothing else),
// and the produce/fetch byte-rate quotas, whose throttle time comes back on the faces' answers too.
import { createNodeBroker } from "@rill/node";
import { THROTTLE_TIME_HEADER } from "@rill/protocol";
import { describe, expect, it } from "vitest";

const ROOT = "faces-root-token";

async function setup() {
  const node = createNodeBroker({ auth: { tokens: [ROOT] } });
  const call = (method: string, path: string, init: { token?: string; headers?: Record<string, string>; body?: string } = {}) =>
    node.fetch(`http://rill.test${path}`, {
      method,
      headers: { authorization: `Bearer ${init.token ?? ROOT}`, ...init.headers },
      body: init.body,
    });
  const json = (method: string, path: string, body: unknown) =>
    call(method, path, { headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  return { node, call, json };
}

describe("faces behind ACLs and quotas", () => {
  it("a principal with WRITE on a stream's topic appends and produces, but may not read, create or delete", async () => {
    const { node, call, json } = await setup();
    expect((await call("PUT", "/v1/stream/orders-s", { headers: { "content-type": "text/plain" } })).status).toBe(201);
    const created = (await (await json("POST", "/v1/credentials", { principal: "User:writer" })).json()) as { key: string };
    expect(
      (
        await json("POST", "/v1/acls", {
          acls: [{ principal: "User:writer", resourceType: "topic", resourceName: "orders-s", operation: "write" }],
        })
      ).status,
    ).toBe(201);
    const writer = { token: created.key, headers: { "content-type": "text/plain" } };
    expect((await call("POST", "/v1/stream/orders-s", { ...writer, body: "tea" })).status).toBe(204);
    expect((await call("GET", "/v1/stream/orders-s?offset=-1", { token: created.key })).status).toBe(403);
    expect((await call("PUT", "/v1/stream/other-s", writer)).status).toBe(403);
    expect((await call("DELETE", "/v1/stream/orders-s", { token: created.key })).status).toBe(403);
    const basic = `Basic ${btoa(`writer:${created.key}`)}`;
    const upstash = (path: string, body: unknown) =>
      node.fetch(`http://rill.test${path}`, {
        method: "POST",
        headers: { authorization: basic, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    expect((await upstash("/produce", [{ topic: "orders-s", value: "coffee" }])).status).toBe(200);
    const refused = await upstash("/produce", [
      { topic: "orders-s", value: "ok" },
      { topic: "elsewhere", value: "no" },
    ]);
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("TOPIC_AUTHORIZATION_FAILED");
    // what was allowed landed, the refused list wrote nothing
    expect(await (await call("GET", "/v1/stream/orders-s?offset=-1")).text()).toBe("teacoffee");
    await node.close();
  });

  it("Durable Streams appends and reads and Upstash produce are metered by the byte-rate quotas", async () => {
    const { node, call, json } = await setup();
    expect(
      (await json("PUT", "/v1/quotas", { entity: { user: "token" }, values: { producerByteRate: 1024, consumerByteRate: 1024 } })).status,
    ).toBe(200);
    expect((await call("PUT", "/v1/stream/metered", { headers: { "content-type": "text/plain" } })).status).toBe(201);
    const big = "x".repeat(8 * 1024);
    const appended = await call("POST", "/v1/stream/metered", { headers: { "content-type": "text/plain" }, body: big });
    expect(appended.status).toBe(204);
    expect(Number(appended.headers.get(THROTTLE_TIME_HEADER))).toBeGreaterThan(0);
    const read = await call("GET", "/v1/stream/metered?offset=-1");
    expect(read.status).toBe(200);
    expect(Number(read.headers.get(THROTTLE_TIME_HEADER))).toBeGreaterThan(0);
    // the produce meter is still owed for the append: Upstash's produce is served late or refused with 429
    const produced = await json("POST", "/produce", { topic: "metered", value: "y" });
    expect([200, 429]).toContain(produced.status);
    expect(Number(produced.headers.get(THROTTLE_TIME_HEADER))).toBeGreaterThan(0);
    await node.close();
  });
});
