// The partition object's billing counters (debugMetrics, RPC only): Durable Object requests and
// SQLite rows, as the cost figures of npm run bench read them. One produce or fetch request over
// HTTP is one request to the partition object; every stored batch writes rows, every read reads.
import { env, SELF } from "cloudflare:test";
import { replicaLogName } from "@rill/core";
import { describe, expect, it } from "vitest";
import { uniqueTopic } from "../helpers/names.ts";
import { protocolClient } from "../protocol/suite.ts";

const api = protocolClient({ name: "workerd", fetch: (path, init) => SELF.fetch(`http://rill.local${path}`, init) });

async function leader(topic: string) {
  const { topicId } = (await api.json("GET", `/v1/topics/${topic}`)).body;
  return env.PARTITIONS.get(env.PARTITIONS.idFromName(replicaLogName(topicId, 0, 0)));
}

describe("partition object metrics", () => {
  it("count one object request per produce and fetch, and the rows each writes and reads", async () => {
    const topic = uniqueTopic();
    await api.createTopic(topic);
    await api.produce(topic, [{ value: "warm" }]);
    const object = await leader(topic);
    const before = await object.debugMetrics();
    for (let i = 0; i < 3; i++) await api.produce(topic, [{ value: `a${i}` }, { value: `b${i}` }]);
    const produced = await object.debugMetrics();
    expect(produced.requests - before.requests).toBe(3);
    expect(produced.rowsWritten - before.rowsWritten).toBeGreaterThanOrEqual(3);

    const page = await api.fetchRecords(topic, 0, "offset=0");
    expect(page.body.records).toHaveLength(7);
    const fetched = await object.debugMetrics();
    expect(fetched.requests - produced.requests).toBe(1);
    expect(fetched.rowsRead - produced.rowsRead).toBeGreaterThanOrEqual(4);
    expect(fetched.rowsWritten).toBe(produced.rowsWritten);
  });
});
