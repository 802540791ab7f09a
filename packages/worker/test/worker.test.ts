import { describe, expect, it } from "vitest";
import { consume, handleRillRequest, type RillDelivery, signDelivery, verifySignature, withRill } from "../src/index.ts";

const delivery = (values: string[]): RillDelivery => ({
  version: 1,
  deliveryId: "d1",
  group: "g",
  subscription: "s",
  topic: "t",
  partition: 0,
  attempt: 1,
  highWatermark: values.length,
  records: values.map((value, offset) => ({ id: `tid/0/${offset}`, offset, timestamp: 1, key: null, value, headers: {}, attempt: 1 })),
});

describe("@rill/worker", () => {
  it("acknowledges every record a handler returned from, and reports what it marked", async () => {
    expect(await consume(delivery(["a", "b"]), () => undefined, {}, {})).toEqual({ acked: [], retried: [] });
    const marked = await consume(
      delivery(["a", "b", "c"]),
      (batch) => {
        batch.messages[0]?.ack();
        batch.messages[1]?.retry({ delaySeconds: 5 });
        batch.messages[1]?.ack();
        batch.messages[2]?.retry();
      },
      {},
      {},
    );
    // the latest mark of a record wins
    expect(marked).toEqual({ acked: [0, 1], retried: [{ offset: 2 }] });
    expect(await consume(delivery(["a", "b"]), (batch) => batch.retryAll({ delaySeconds: 1 }), {}, {})).toEqual({
      acked: [],
      retried: [
        { offset: 0, delaySeconds: 1 },
        { offset: 1, delaySeconds: 1 },
      ],
    });
  });

  it("reports a handler that throws instead of throwing, keeping what it acknowledged", async () => {
    const result = await consume(
      delivery(["ok", "bad", "later"]),
      (batch) => {
        for (const m of batch.messages) {
          if (m.value === "bad") throw new Error("cannot charge");
          m.ack();
        }
      },
      {},
      {},
    );
    expect(result).toEqual({ acked: [0], retried: [], error: "cannot charge" });
  });

  it("decodes values as text, bytes and JSON, base64 included", async () => {
    const d = delivery(['{"n":1}']);
    const b64 = {
      ...d,
      records: [{ ...(d.records[0] as RillDelivery["records"][number]), value: btoa('{"n":2}'), encoding: "base64" as const }],
    };
    await consume(
      d,
      (batch) => {
        expect(batch.messages[0]?.json()).toEqual({ n: 1 });
        expect(new TextDecoder().decode(batch.messages[0]?.bytes() ?? new Uint8Array())).toBe('{"n":1}');
      },
      {},
      {},
    );
    await consume(b64, (batch) => expect(batch.messages[0]?.json()).toEqual({ n: 2 }), {}, {});
  });

  it("signs and verifies, refusing a changed body, another secret and an old timestamp", async () => {
    const now = 1_800_000_000_000;
    const header = await signDelivery("secret", "body", now);
    expect(header).toMatch(/^t=1800000000000,v1=[0-9a-f]{64}$/);
    expect(await verifySignature("secret", "body", header, { now: () => now })).toEqual({ ok: true, timestamp: now });
    expect((await verifySignature("secret", "body!", header, { now: () => now })).ok).toBe(false);
    expect((await verifySignature("other", "body", header, { now: () => now })).ok).toBe(false);
    expect(await verifySignature("secret", "body", header, { now: () => now + 10 * 60_000 })).toEqual({
      ok: false,
      reason: "signature timestamp outside the tolerance",
    });
    expect((await verifySignature("secret", "body", null)).ok).toBe(false);
    expect((await verifySignature("secret", "body", "t=x,v1=")).ok).toBe(false);
  });

  it("answers signed deliveries over HTTP and refuses unsigned ones", async () => {
    const body = JSON.stringify(delivery(["a"]));
    const post = async (headers: Record<string, string>) =>
      handleRillRequest(new Request("http://x/hook", { method: "POST", headers, body }), (batch) => batch.ackAll(), { secret: "s3" });
    const signed = await post({ "rill-signature": await signDelivery("s3", body, Date.now()), "rill-delivery-id": "d1" });
    expect(signed.status).toBe(200);
    expect(await signed.json()).toEqual({ acked: [0], retried: [] });
    const unsigned = await post({ "rill-delivery-id": "d1" });
    expect(unsigned.status).toBe(401);
  });

  it("withRill serves the handler over RPC and fetch, and passes other requests to the Worker's own fetch", async () => {
    const worker = withRill({
      rill: (batch) => batch.ackAll(),
      fetch: () => new Response("mine"),
    });
    expect(await worker.rill(delivery(["a"]), {}, {})).toEqual({ acked: [0], retried: [] });
    const body = JSON.stringify(delivery(["a", "b"]));
    const viaFetch = await worker.fetch(new Request("http://w/", { method: "POST", headers: { "rill-delivery-id": "d" }, body }), {}, {});
    expect(await viaFetch.json()).toEqual({ acked: [0, 1], retried: [] });
    expect(await (await worker.fetch(new Request("http://w/other"), {}, {})).text()).toBe("mine");
  });
});
