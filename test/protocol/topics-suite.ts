// The protocol's topic cases, run on every runtime that serves the protocol: liveness and the API
// description, creating, listing, describing, altering, growing and deleting topics, and the rules
// a topic's config imposes on what is produced.
import { encodeBatch, encodeUtf8 } from "@rill/core";
import { describe, expect, it } from "vitest";
import { expectError, jsonOf, type ProtocolFixture, protocolClient, uniqueTopic } from "./client.ts";

export function topicsSuite(fixture: ProtocolFixture): void {
  const api = protocolClient(fixture);

  describe(`protocol topics: ${fixture.name}`, () => {
    it("answers liveness and serves its OpenAPI document", async () => {
      expect((await api.json("GET", "/healthz")).body).toEqual({ status: "ok" });
      const doc = await api.json("GET", "/v1/openapi.json");
      expect(doc.body.openapi).toBe("3.1.0");
      expect(doc.body.paths["/v1/topics/{topic}/records"].post.requestBody).toBeDefined();
      expectError(await api.json("GET", "/v1/nothing-here"), 404, "NOT_FOUND");
      // a known path with the wrong method: 405 with the methods it takes
      const wrong = await api.json("PUT", "/v1/topics/anything/partitions/0/records");
      expectError(wrong, 405, "METHOD_NOT_ALLOWED");
      expect(wrong.headers.get("allow")).toBe("GET, HEAD");
      expect((await api.json("DELETE", "/v1/groups/g/offsets")).headers.get("allow")).toBe("GET, HEAD, POST");
    });

    it("creates, lists, describes and refuses duplicate topics", async () => {
      const name = uniqueTopic();
      const created = await api.createTopic(name, 3, { "retention.ms": "60000" });
      expect(created.status).toBe(201);
      expect(created.body.partitions.map((p: { partition: number }) => p.partition)).toEqual([0, 1, 2]);
      expect(created.body.partitions[0]).toMatchObject({ leaderEpoch: 0, replicas: [0], isr: [0], logStartOffset: 0, highWatermark: 0 });
      expect(created.body.config["retention.ms"]).toBe("60000");
      expect(created.body.config["cleanup.policy"]).toBe("delete");
      const list = await api.json("GET", "/v1/topics");
      expect(list.body.topics.map((t: { name: string }) => t.name)).toContain(name);
      expectError(await api.createTopic(name), 409, "TOPIC_ALREADY_EXISTS");
      expectError(await api.json("GET", `/v1/topics/${uniqueTopic("missing")}`), 404, "UNKNOWN_TOPIC_OR_PARTITION");
    });

    it("refuses bad topic names, counts, configs and bodies with clear errors", async () => {
      for (const bad of [".", "..", "a/b", "x".repeat(250), "", "sp ace", "ünï"]) {
        expectError(await api.json("POST", "/v1/topics", { name: bad }), 400, "INVALID_TOPIC_EXCEPTION");
      }
      expectError(await api.createTopic(uniqueTopic(), 0), 400, "INVALID_PARTITIONS");
      expectError(await api.createTopic(uniqueTopic(), 100_000), 400, "INVALID_PARTITIONS");
      expectError(await api.createTopic(uniqueTopic(), 1, { "retention.mss": "1" }), 400, "INVALID_CONFIG");
      expectError(await api.createTopic(uniqueTopic(), 1, { "retention.ms": "soon" }), 400, "INVALID_CONFIG");
      expectError(await api.json("POST", "/v1/topics", { name: uniqueTopic(), partitions: "3" }), 400, "INVALID_REQUEST");
      const notJson = await fixture.fetch("/v1/topics", { method: "POST", headers: { "content-type": "application/json" }, body: "{nope" });
      expect(notJson.status).toBe(400);
      expect((await jsonOf(notJson)).error.code).toBe("INVALID_REQUEST");
      const wrongType = await fixture.fetch("/v1/topics", { method: "POST", headers: { "content-type": "text/plain" }, body: "{}" });
      expect(wrongType.status).toBe(415);
      expect((await jsonOf(wrongType)).error).toMatchObject({ code: "UNSUPPORTED_MEDIA_TYPE", retriable: false });
    });

    it("enforces max.message.bytes and compacted topics' keys", async () => {
      const topic = uniqueTopic();
      await api.createTopic(topic, 1, { "max.message.bytes": "1000" });
      expectError(await api.produce(topic, [{ value: "x".repeat(2000) }]), 413, "MESSAGE_TOO_LARGE");
      const many = await api.produce(
        topic,
        Array.from({ length: 30 }, (_, i) => ({ value: `${i}`.padEnd(100, ".") })),
      );
      expect(many.body.offsets.map((o: { offset: number }) => o.offset)).toEqual(Array.from({ length: 30 }, (_, i) => i));
      const compacted = uniqueTopic();
      await api.createTopic(compacted, 1, { "cleanup.policy": "compact" });
      expectError(await api.produce(compacted, [{ value: "no key" }]), 400, "INVALID_RECORD");
      expect((await api.fetchRecords(compacted, 0, "offset=0")).body.highWatermark).toBe(0);
    });

    it("enforces a topic's value schema and required keys on every produce path", async () => {
      const topic = uniqueTopic();
      const schema = { type: "object", properties: { amount: { type: "number" } }, required: ["amount"] };
      const created = await api.createTopic(topic, 1, { "rill.key.required": "true", "rill.value.schema": JSON.stringify(schema) });
      expect(created.status).toBe(201);
      expect((await api.produce(topic, [{ key: "a", value: '{"amount": 5}' }])).status).toBe(200);
      const keyless = await api.produce(topic, [{ value: '{"amount": 6}' }]);
      expectError(keyless, 400, "INVALID_RECORD");
      const wrong = await api.produce(topic, [
        { key: "a", value: '{"amount": 1}' },
        { key: "b", value: '{"amount": "seven"}' },
      ]);
      expectError(wrong, 400, "INVALID_RECORD");
      expect(wrong.body.error.message).toMatch(/record 1: value\.amount/);
      expectError(await api.produce(topic, [{ key: "c", value: "not json" }]), 400, "INVALID_RECORD");
      const binary = await api.postBatch(topic, 0, encodeBatch([{ key: encodeUtf8("d"), value: encodeUtf8('{"amount": false}') }]));
      expect(binary.status).toBe(400);
      expect((await jsonOf(binary)).error.message).toMatch(/value\.amount/);
      expect((await api.fetchRecords(topic, 0, "offset=0")).body.highWatermark).toBe(1);
      expectError(await api.createTopic(uniqueTopic(), 1, { "rill.value.schema": "{not json" }), 400, "INVALID_CONFIG");
    });

    it("alters config, grows partitions with a warning, and deletes topics", async () => {
      const topic = uniqueTopic();
      await api.createTopic(topic, 2);
      const altered = await api.json("PATCH", `/v1/topics/${topic}/config`, {
        config: { "retention.ms": "1000", "cleanup.policy": "compact,delete" },
      });
      expect(altered.body.config).toMatchObject({ "retention.ms": "1000", "cleanup.policy": "compact,delete" });
      const reset = await api.json("PATCH", `/v1/topics/${topic}/config`, { config: { "retention.ms": null } });
      expect(reset.body.config["retention.ms"]).toBe("604800000");
      expectError(await api.json("PATCH", `/v1/topics/${topic}/config`, { config: { "min.insync.replicas": "3" } }), 400, "INVALID_CONFIG");
      const grown = await api.json("POST", `/v1/topics/${topic}/partitions`, { count: 5 });
      expect(grown.body.partitions).toHaveLength(5);
      expect(grown.body.warning).toMatch(/keyed records/);
      expectError(await api.json("POST", `/v1/topics/${topic}/partitions`, { count: 3 }), 400, "INVALID_PARTITIONS");
      await api.produce(topic, [{ value: "gone soon", partition: 4 }]);
      expect((await api.json("DELETE", `/v1/topics/${topic}`)).body).toEqual({ deleted: topic });
      expectError(await api.fetchRecords(topic, 0, "offset=0"), 404, "UNKNOWN_TOPIC_OR_PARTITION");
      await api.createTopic(topic, 5);
      expect((await api.fetchRecords(topic, 4, "offset=0")).body).toMatchObject({ records: [], highWatermark: 0 });
    });
  });
}
