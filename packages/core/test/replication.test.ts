// Replication on the core alone: three replicas over memory storage, wired by an in-process network
// that a test can cut, so failures happen exactly where the test wants them.
import { createMemoryStorage } from "@rill/storage-memory";
import { describe, expect, it } from "vitest";
import {
  createController,
  createPartitionLog,
  createReplica,
  decodeBatches,
  decodeUtf8,
  encodeBatch,
  encodeUtf8,
  isRillError,
  type PartitionMetadata,
  type Replica,
  type ReplicaNetwork,
  resolveTopicConfig,
  type TopicConfig,
} from "../src/index.ts";

async function cluster(config: Partial<TopicConfig> = {}) {
  const controller = createController(createMemoryStorage());
  await controller.createTopic({ name: "t", partitions: 1, replicationFactor: 3, config: { "replica.lag.time.max.ms": 200, ...config } });
  const down = new Set<number>();
  const replicas: Replica[] = [];
  const cfg = resolveTopicConfig({ "replica.lag.time.max.ms": 200, ...config });
  const network = (from: number): ReplicaNetwork => ({
    async replicate(to, request) {
      if (down.has(to) || down.has(from)) throw new Error(`replica ${to} unreachable`);
      return (replicas[to] as Replica).replicate(request);
    },
    alterIsr: (epoch, isr) => controller.alterIsr("t", 0, epoch, isr),
  });
  const storages = [0, 1, 2].map(() => createMemoryStorage());
  const start = async (r: number) => {
    const meta = (await controller.getTopic("t")).partitions[0];
    const log = createPartitionLog({ storage: storages[r] as never, partition: "t/0", config: () => cfg, replicated: true });
    replicas[r] = createReplica({ log, assignment: { ...(meta as PartitionMetadata), replicaId: r }, network: network(r) });
  };
  for (const r of [0, 1, 2]) await start(r);
  const leaderOf = async () => (await controller.getTopic("t")).partitions[0]?.leader as number;
  const broadcast = async () => {
    const meta = (await controller.getTopic("t")).partitions[0];
    for (const [r, replica] of replicas.entries()) if (!down.has(r)) await replica.learn({ ...(meta as PartitionMetadata), replicaId: r });
  };
  return { controller, replicas, down, start, leaderOf, broadcast };
}

const batch = (values: string[], producer?: { id: number; seq: number }) =>
  encodeBatch(
    values.map((v) => ({ value: encodeUtf8(v) })),
    producer ? { producerId: producer.id, producerEpoch: 0, baseSequence: producer.seq } : {},
  );

async function valuesOf(replica: Replica, uncommitted = false): Promise<string[]> {
  const state = await replica.log.state();
  const end = uncommitted ? state.logEndOffset : state.highWatermark;
  const batches = await replica.log.storage.read(replica.log.partition, 0, 1 << 24);
  return decodeBatches(batches.map((b) => b.bytes))
    .filter((r) => r.offset < end)
    .map((r) => decodeUtf8(r.value as Uint8Array));
}

describe("replication", () => {
  it("acks=all answers once every in-sync replica has the batch", async () => {
    const { replicas } = await cluster();
    const result = await (replicas[0] as Replica).produce(batch(["a", "b"]), -1);
    expect(result.batches[0]).toMatchObject({ baseOffset: 0, lastOffset: 1 });
    for (const r of replicas) {
      expect(await valuesOf(r, true)).toEqual(["a", "b"]);
    }
    expect((await (replicas[0] as Replica).log.state()).highWatermark).toBe(2);
  });

  it("shrinks the ISR past a dead follower and refuses acks=all below min.insync.replicas", async () => {
    const { replicas, down, controller } = await cluster({ "min.insync.replicas": 2 });
    const leader = replicas[0] as Replica;
    down.add(2);
    await leader.produce(batch(["x"]), -1); // waits replica.lag.time.max.ms, then drops replica 2
    expect((await controller.getTopic("t")).partitions[0]?.isr).toEqual([0, 1]);
    down.add(1);
    await expect(leader.produce(batch(["y"]), -1)).rejects.toSatisfy((e) => isRillError(e, "NOT_ENOUGH_REPLICAS_AFTER_APPEND"));
    await expect(leader.produce(batch(["z"]), -1)).rejects.toSatisfy((e) => isRillError(e, "NOT_ENOUGH_REPLICAS"));
    // as in Kafka, "y" was refused to the producer but, the ISR being the leader alone, it is visible:
    // unacknowledged-but-present is allowed; acknowledged-but-lost is not
    expect((await leader.log.state()).highWatermark).toBe(2);
    await leader.produce(batch(["one"]), 1); // acks=1 needs only the leader
    down.clear();
    await leader.tick(); // followers catch up and rejoin
    await leader.tick();
    expect((await controller.getTopic("t")).partitions[0]?.isr).toEqual([0, 1, 2]);
    expect(await valuesOf(replicas[2] as Replica, true)).toEqual(["x", "y", "one"]);
  });

  it("elects a new leader from the ISR, fences the old one and truncates its divergent tail", async () => {
    const { replicas, down, controller, broadcast, leaderOf } = await cluster();
    const old = replicas[0] as Replica;
    await old.produce(batch(["committed"]), -1);
    // the leader is cut off; it still writes a record nobody else gets (acks=1)
    down.add(0);
    await old.produce(batch(["orphan"]), 1);
    await controller.electLeader("t", 0, 0, async (r) => !down.has(r));
    const leaderId = await leaderOf();
    expect(leaderId).not.toBe(0);
    await broadcast();
    const leader = replicas[leaderId] as Replica;
    await leader.produce(batch(["after"]), -1);
    // the old leader comes back still believing it leads: its writes cannot be acknowledged
    down.delete(0);
    await expect(old.produce(batch(["stale"]), -1)).rejects.toSatisfy((e) => isRillError(e, "NOT_LEADER_OR_FOLLOWER"));
    // the new leader brings it back: the orphan and stale tail go, the log matches the leader
    await leader.tick();
    await leader.tick();
    expect(await valuesOf(old, true)).toEqual(["committed", "after"]);
    expect((await controller.getTopic("t")).partitions[0]?.isr).toContain(0);
  });

  it("keeps idempotence across a failover: a retry on the new leader is a duplicate", async () => {
    const { replicas, controller, broadcast, leaderOf, down } = await cluster();
    const first = await (replicas[0] as Replica).produce(batch(["once"], { id: 7, seq: 0 }), -1);
    down.add(0);
    await controller.electLeader("t", 0, 0, async (r) => !down.has(r));
    await broadcast();
    const leader = replicas[await leaderOf()] as Replica;
    const retry = await leader.produce(batch(["once"], { id: 7, seq: 0 }), -1);
    expect(retry.batches[0]).toEqual({ ...first.batches[0], duplicate: true });
    expect(await valuesOf(leader)).toEqual(["once"]);
  });

  it("takes the partition offline when no in-sync replica is alive, and back when one returns", async () => {
    const { controller, down } = await cluster();
    down.add(1);
    down.add(2);
    const offline = await controller.electLeader("t", 0, 0, async (r) => !down.has(r) && r !== 0);
    expect(offline.partitions[0]).toMatchObject({ leader: -1, leaderEpoch: 1, isr: [0, 1, 2] });
    const back = await controller.electLeader("t", 0, -1, async (r) => r === 1);
    expect(back.partitions[0]).toMatchObject({ leader: 1, leaderEpoch: 2 });
  });
});
