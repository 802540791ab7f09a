// Replicated partitions inside workerd: replica Durable Objects, acks=all, ISR changes, leader
// election after an injected crash, fencing of the deposed leader, and reads from followers.
import { env, runDurableObjectAlarm, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { replicaStub } from "../../workers/src/assignment.ts";
import { faultsEnabled } from "../../workers/src/faults.ts";
import { uniqueTopic } from "../helpers/names.ts";
import { until } from "../helpers/wait.ts";
import { protocolClient } from "../protocol/suite.ts";

const api = protocolClient({ name: "workerd", fetch: (path, init) => SELF.fetch(`http://rill.local${path}`, init) });

const describeTopic = async (topic: string) => (await api.json("GET", `/v1/topics/${topic}`)).body;
const fault = (topic: string, replica: number | "leader", f: Record<string, unknown>) =>
  api.json("POST", "/v1/_faults", { topic, partition: 0, replica, fault: f });
const values = (res: { body: { records: Array<{ value: string }> } }) => res.body.records.map((r) => r.value);

async function tickLeader(topic: string) {
  const d = await describeTopic(topic);
  const p = d.partitions[0];
  await runDurableObjectAlarm(replicaStub(env, d.topicId, 0, p.leader));
}

describe("replicated partitions", () => {
  it("writes acks=all to every replica and serves reads from an in-sync follower", async () => {
    const topic = uniqueTopic();
    const created = await api.json("POST", "/v1/topics", { name: topic, partitions: 1, replicationFactor: 3 });
    expect(created.body.partitions[0]).toMatchObject({ replicas: [0, 1, 2], isr: [0, 1, 2], leader: 0 });
    const produced = await api.produce(topic, [{ value: "a" }, { value: "b" }], { acks: "all" });
    expect(produced.status).toBe(200);
    for (const replica of [1, 2]) {
      // a follower learns the high watermark just after the leader: the long-poll waits out the gap
      const res = await api.fetchRecords(topic, 0, `offset=0&replica=${replica}&minBytes=1&maxWaitMs=20000`);
      expect(values(res)).toEqual(["a", "b"]);
      expect(res.body.highWatermark).toBe(2);
    }
    expect((await api.fetchRecords(topic, 0, "offset=0&replica=7")).status).toBe(400);
  });

  it("refuses acks=all with NOT_ENOUGH_REPLICAS once the ISR falls below min.insync.replicas", async () => {
    const topic = uniqueTopic();
    await api.json("POST", "/v1/topics", {
      name: topic,
      partitions: 1,
      replicationFactor: 3,
      config: { "min.insync.replicas": "2", "replica.lag.time.max.ms": "300" },
    });
    await fault(topic, 1, { kind: "unreachable", durationMs: 60_000 });
    await fault(topic, 2, { kind: "unreachable", durationMs: 60_000 });
    const refused = await api.produce(topic, [{ value: "x" }], { acks: "all" });
    expect(refused.status).toBe(503);
    expect(refused.body.error).toMatchObject({ code: "NOT_ENOUGH_REPLICAS_AFTER_APPEND", retriable: true });
    expect((await describeTopic(topic)).partitions[0].isr).toEqual([0]);
    const again = await api.produce(topic, [{ value: "y" }], { acks: "all" });
    expect(again.body.error.code).toBe("NOT_ENOUGH_REPLICAS");
    expect((await api.produce(topic, [{ value: "z" }], { acks: 1 })).status).toBe(200);
  });

  it("elects a new leader when the leader crashes, and the old one rejoins as a follower", async () => {
    const topic = uniqueTopic();
    await api.json("POST", "/v1/topics", {
      name: topic,
      partitions: 1,
      replicationFactor: 3,
      config: { "replica.lag.time.max.ms": "300" },
    });
    await api.produce(topic, [{ value: "before" }], { acks: "all" });
    const before = (await describeTopic(topic)).partitions[0];
    const crashed = await fault(topic, "leader", { kind: "crash", durationMs: 1500 });
    expect(crashed.body.replica).toBe(before.leader);
    // the first attempt meets the dead leader: a retriable error, and the controller elects another
    const first = await api.produce(topic, [{ value: "during" }], { acks: "all" });
    if (first.status !== 200) expect(first.body.error.retriable).toBe(true);
    let after = (await describeTopic(topic)).partitions[0];
    expect(after.leader).not.toBe(before.leader);
    expect(after.leaderEpoch).toBe(before.leaderEpoch + 1);
    expect(after.isr).not.toContain(before.leader);
    expect((await api.produce(topic, [{ value: "after" }], { acks: "all" })).status).toBe(200);
    // once the old leader answers again (its injected outage ends) the new leader's upkeep catches
    // it up and lets it back into the ISR: tick the leader until that has happened
    after = await until(
      async () => {
        await tickLeader(topic);
        const now = (await describeTopic(topic)).partitions[0];
        return now.isr.includes(before.leader) && now;
      },
      `replica ${before.leader} back in the ISR`,
      { everyMs: 100, timeoutMs: 40_000 },
    );
    expect(after.leader).not.toBe(before.leader);
    const fromOld = await api.fetchRecords(topic, 0, `offset=0&replica=${before.leader}`);
    const fromLeader = await api.fetchRecords(topic, 0, "offset=0");
    expect(values(fromOld)).toEqual(values(fromLeader));
    expect(values(fromLeader)).toContain("before");
    expect(values(fromLeader)).toContain("after");
  });

  it("switches fault injection on only for RILL_FAULTS=enabled", () => {
    // this project runs with it enabled; that the Worker `npm start` runs (wrangler.toml as
    // committed) has no /v1/_faults at all is checked against wrangler dev in test/node/faults.test.ts
    expect(faultsEnabled({ RILL_FAULTS: "enabled" })).toBe(true);
    for (const value of [undefined, "", "true", "1", "ENABLED", "yes"]) expect(faultsEnabled({ RILL_FAULTS: value })).toBe(false);
  });

  it("refuses a malformed fault with a clear 400 and injects nothing", async () => {
    const topic = uniqueTopic();
    await api.json("POST", "/v1/topics", { name: topic, partitions: 1, replicationFactor: 2 });
    for (const body of [
      {},
      { topic, partition: 0, fault: { kind: "melt" } },
      { topic, partition: 0, replica: 5, fault: { kind: "crash" } },
    ]) {
      const res = await api.json("POST", "/v1/_faults", body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error).toMatchObject({ code: "INVALID_REQUEST", retriable: false });
    }
    expect((await api.produce(topic, [{ value: "fine" }], { acks: "all" })).status).toBe(200);
  });
});
