// Idempotent producer state in a real partition object (workerd, SQLite): producers idle past the
// topic's producer.id.expiration.ms are forgotten and their rows deleted, so what the object keeps
// is bounded by the producers active now. Counted in the object's own SQLite, as a restarted object
// would load them (the SQLite backend keeps recent producer changes on batch rows, see
// packages/storage-sqlite/src/producer-deltas.ts).
import { env, runInDurableObject, SELF } from "cloudflare:test";
import { encodeBatch, encodeUtf8, replicaLogName } from "@rill/core";
import { createSqliteStorage } from "@rill/storage-sqlite";
import { describe, expect, it } from "vitest";
import { uniqueTopic } from "../helpers/names.ts";
import { protocolClient } from "../protocol/suite.ts";

const api = protocolClient({ name: "workerd", fetch: (path, init) => SELF.fetch(`http://rill.local${path}`, init) });

const batch = (producerId: number, baseSequence: number) =>
  encodeBatch([{ value: encodeUtf8(`p${producerId}-s${baseSequence}`) }], { producerId, producerEpoch: 0, baseSequence });

async function storedProducers(topic: string): Promise<number> {
  const { topicId } = (await api.json("GET", `/v1/topics/${topic}`)).body;
  const stub = env.PARTITIONS.get(env.PARTITIONS.idFromName(replicaLogName(topicId, 0, 0)));
  return runInDurableObject(stub, async (_instance, state: DurableObjectState) => {
    // the partition object's log is named "log" in its SQLite (workers/src/partition-object.ts)
    return (await createSqliteStorage(state.storage).loadPartition("log")).producers.length;
  });
}

describe("partition object producer state", () => {
  it("refuses a producer.id.expiration.ms that is not a positive integer, creating nothing", async () => {
    const topic = uniqueTopic();
    const refused = await api.createTopic(topic, 1, { "producer.id.expiration.ms": "0" });
    expect([refused.status, refused.body.error.code]).toEqual([400, "INVALID_CONFIG"]);
    expect((await api.json("GET", `/v1/topics/${topic}`)).status).toBe(404);
  });

  it("forgets producers idle past producer.id.expiration.ms and deletes their rows", { timeout: 60_000 }, async () => {
    const topic = uniqueTopic();
    expect((await api.createTopic(topic, 1, { "producer.id.expiration.ms": "3000" })).status).toBe(201);
    const producers = [];
    for (let i = 0; i < 40; i++) producers.push((await api.json("POST", "/v1/producers", {})).body.producerId as number);
    for (const id of producers) expect((await api.postBatch(topic, 0, batch(id, 0))).status).toBe(200);
    expect(await storedProducers(topic)).toBe(40);

    // one producer keeps writing; the 40 idle ones go with an append once they are 3 s idle
    const active = (await api.json("POST", "/v1/producers", {})).body.producerId as number;
    let seq = 0;
    const deadline = Date.now() + 30_000;
    while ((await storedProducers(topic)) > 1) {
      expect(Date.now()).toBeLessThan(deadline);
      expect((await api.postBatch(topic, 0, batch(active, seq++))).status).toBe(200);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(await storedProducers(topic)).toBe(1);

    // a forgotten producer's next sequence is unknown, as in Kafka; sequence 0 starts it afresh
    const next = await api.postBatch(topic, 0, batch(producers[0] as number, 1));
    expect(((await next.json()) as { error: { code: string } }).error.code).toBe("UNKNOWN_PRODUCER_ID");
    expect((await api.postBatch(topic, 0, batch(producers[0] as number, 0))).status).toBe(200);
    expect(await storedProducers(topic)).toBe(2);
  });
});
