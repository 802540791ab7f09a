// toRecordInputs encodes a request's keys and values in one call and slices them; what it gives
// must be exactly what encoding each record alone gives, for ASCII, non-ASCII, nulls and headers.
import { describe, expect, it } from "vitest";
import { toRecordInput, toRecordInputs } from "../../packages/server/src/records-json.ts";

const plain = (inputs: ReturnType<typeof toRecordInputs>) =>
  inputs.map((r) => ({
    key: r.key ? [...r.key] : r.key,
    value: r.value ? [...r.value] : r.value,
    headers: (r.headers ?? []).map((h) => [h.key, h.value ? [...h.value] : h.value]),
    timestamp: r.timestamp,
  }));

describe("toRecordInputs", () => {
  const cases = {
    ascii: [{ key: "k1", value: "v1" }, { value: "second" }, { key: "k3", value: null }, { key: null, value: "" }],
    "non-ASCII": [{ key: "ключ", value: "värde" }, { value: "plain" }, { key: "🙂", value: "x" }],
    headers: [
      { key: "a", value: "1", headers: { trace: "t-1" }, timestamp: 1_700_000_000_000 },
      { value: "2", headers: [{ key: "h", value: null }] },
    ],
  };
  for (const [name, records] of Object.entries(cases)) {
    it(`gives what encoding each record alone gives: ${name}`, () => {
      const one = records.map((r) => toRecordInput(r, "utf8"));
      expect(plain(toRecordInputs(records, "utf8"))).toEqual(plain(one));
    });
  }
});

describe("header names that are Object.prototype's", () => {
  it("come back as headers, not as the prototype's members", async () => {
    const { createNodeBroker } = await import("@rill/node");
    const { app } = createNodeBroker();
    const post = (path: string, body: unknown) =>
      app.request(path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    await post("/v1/topics", { name: "proto-headers" });
    const headers = [
      { key: "__proto__", value: "p" },
      { key: "constructor", value: "c" },
      { key: "toString", value: "t" },
      { key: "toString", value: "u" },
    ];
    expect((await post("/v1/topics/proto-headers/records", { records: [{ value: "v", headers }] })).status).toBe(200);
    const text = await (await app.request("/v1/topics/proto-headers/partitions/0/records?offset=0")).text();
    expect(text).toContain('"headers":{"__proto__":"p","constructor":"c","toString":["t","u"]}');
  });
});
