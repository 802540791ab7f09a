// Retention and compaction run from the partition object's alarm, with the topic's current config.
import { env, runDurableObjectAlarm, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { uniqueTopic } from "../helpers/names.ts";
import { protocolClient } from "../protocol/suite.ts";

const api = protocolClient({ name: "workerd", fetch: (path, init) => SELF.fetch(`http://rill.local${path}`, init) });

async function partitionObject(topic: string) {
  const { topicId } = (await api.json("GET", `/v1/topics/${topic}`)).body;
  return env.PARTITIONS.get(env.PARTITIONS.idFromName(`${topicId}/0`));
}

describe("partition alarms", () => {
  it("delete records past retention.ms, moving the log start", async () => {
    const topic = uniqueTopic();
    await api.createTopic(topic, 1, { "retention.ms": "60000" });
    const old = Date.now() - 3_600_000;
    await api.produce(topic, [{ value: "old-1", timestamp: old }]);
    await api.produce(topic, [{ value: "old-2", timestamp: old + 1 }]);
    await api.produce(topic, [{ value: "fresh" }]);
    expect(await runDurableObjectAlarm(await partitionObject(topic))).toBe(true);
    const described = (await api.json("GET", `/v1/topics/${topic}`)).body;
    expect(described.partitions[0]).toMatchObject({ logStartOffset: 2, highWatermark: 3 });
    expect((await api.fetchRecords(topic, 0, "offset=0")).status).toBe(416);
    expect((await api.fetchRecords(topic, 0, "offset=2")).body.records.map((r: { value: string }) => r.value)).toEqual(["fresh"]);
  });

  it("applies config altered after creation, pushed by the controller", async () => {
    const topic = uniqueTopic();
    await api.createTopic(topic);
    await api.produce(topic, [{ value: "x".repeat(500) }]);
    await api.produce(topic, [{ value: "y".repeat(500) }]);
    await api.json("PATCH", `/v1/topics/${topic}/config`, { config: { "retention.bytes": "500" } });
    await runDurableObjectAlarm(await partitionObject(topic));
    expect((await api.json("GET", `/v1/topics/${topic}`)).body.partitions[0].logStartOffset).toBe(1);
  });

  it("compacts a compacted topic to the latest record per key", async () => {
    const topic = uniqueTopic();
    await api.createTopic(topic, 1, { "cleanup.policy": "compact" });
    await api.produce(topic, [
      { key: "a", value: "a1" },
      { key: "b", value: "b1" },
    ]);
    await api.produce(topic, [{ key: "a", value: "a2" }]);
    await runDurableObjectAlarm(await partitionObject(topic));
    const records = (await api.fetchRecords(topic, 0, "offset=0")).body.records;
    expect(records.map((r: { offset: number; value: string }) => [r.offset, r.value])).toEqual([
      [1, "b1"],
      [2, "a2"],
    ]);
  });
});
