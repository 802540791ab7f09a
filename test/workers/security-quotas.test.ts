// Quotas at the edge hold across isolates: two HTTP apps stand for two Worker isolates (each with
// its own cache and its own view of throttle times) over the same Durable Objects. What one
// isolate charges, the other's next answer owes, because the entity's meter is one QuotaObject.
import { env } from "cloudflare:workers";
import { THROTTLE_TIME_HEADER } from "@rill/protocol";
import { createHttpApp, securitySettingsFrom } from "@rill/server";
import { describe, expect, it } from "vitest";
import { createEdgeBroker } from "../../workers/src/edge-broker.ts";
import { edgeQuotaService, edgeSecurityMetadata } from "../../workers/src/edge-security.ts";

const SUPER = "quota-super-token";

function isolate() {
  const app = createHttpApp(createEdgeBroker(env), {
    auth: securitySettingsFrom({ RILL_TOKENS: SUPER }).auth,
    security: edgeSecurityMetadata(env),
    securityCacheMs: 0,
    quotaService: edgeQuotaService(env),
    maxThrottleHoldMs: 0,
  });
  return (method: string, path: string, body?: unknown, clientId = "shared-client") =>
    app.fetch(
      new Request(`http://rill.test${path}`, {
        method,
        headers: { authorization: `Bearer ${SUPER}`, "content-type": "application/json", "rill-client-id": clientId },
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
      env,
    );
}

describe("quotas at the edge", () => {
  it("one client's bytes count once across isolates and partitions", async () => {
    const a = isolate();
    const b = isolate();
    expect((await a("POST", "/v1/topics", { name: "edge-quota", partitions: 2 })).status).toBe(201);
    expect((await a("PUT", "/v1/quotas", { entity: { clientId: "shared-client" }, values: { producerByteRate: 2000 } })).status).toBe(200);
    // isolate A writes partition 0 within the burst: nothing owed yet
    const first = await a("POST", "/v1/topics/edge-quota/records", { records: [{ value: "a".repeat(1500), partition: 0 }] });
    expect(first.status).toBe(200);
    expect(Number(first.headers.get(THROTTLE_TIME_HEADER))).toBe(0);
    // isolate B writes partition 1: the shared meter is past the burst, so B's answer owes time
    const second = await b("POST", "/v1/topics/edge-quota/records", { records: [{ value: "b".repeat(6000), partition: 1 }] });
    expect(second.status).toBe(200);
    const owed = Number(second.headers.get(THROTTLE_TIME_HEADER));
    expect(owed).toBeGreaterThan(1000);
    // B now refuses the client's early request without writing; A learns on its next charge
    const early = await b("POST", "/v1/topics/edge-quota/records", { records: [{ value: "c", partition: 1 }] });
    expect(early.status).toBe(429);
    const described = (await (await a("GET", "/v1/topics/edge-quota")).json()) as { partitions: Array<{ highWatermark: number }> };
    expect(described.partitions.map((p) => p.highWatermark)).toEqual([1, 1]);
    // another client id has its own meter (no quota at all here)
    const other = await a("POST", "/v1/topics/edge-quota/records", { records: [{ value: "d", partition: 0 }] }, "someone-else");
    expect(other.headers.get(THROTTLE_TIME_HEADER)).toBeNull();
  });
});
