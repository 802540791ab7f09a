// The in-process broker: controller, partition replicas and group coordinators in one process over
// one Storage (memory in Node, IndexedDB in a browser). It is what the Durable Objects do, minus the
// network: replicas of a partition are separate logs that replicate to each other in-process.

import {
  compactLog,
  createController,
  createPartitionLog,
  createReplica,
  enforceRetention,
  longPollFetch,
  type PartitionMetadata,
  type Replica,
  replicaAcks,
  replicaLogName,
  resolveTopicConfig,
  type Storage,
  servingReplica,
  type TopicConfig,
  type TopicMetadata,
} from "@rill/core";
import type { Broker, PartitionRef } from "./broker.ts";
import { createLocalGroups } from "./local-groups.ts";

export interface LocalBrokerOptions {
  storage: Storage;
  now?: () => number;
  /** How often retention and compaction run (Kafka's log.retention.check.interval.ms; default 5 min). */
  maintenanceIntervalMs?: number;
}

export interface LocalBroker extends Broker {
  /** Runs retention and compaction on every open partition now. */
  runMaintenance(): Promise<void>;
  close(): Promise<void>;
}

export function createLocalBroker(options: LocalBrokerOptions): LocalBroker {
  const { storage } = options;
  const now = options.now ?? Date.now;
  const controller = createController(storage, { now });
  const replicas = new Map<string, Replica>();
  const configs = new Map<string, { version: number; config: TopicConfig }>();
  const groups = createLocalGroups(storage, controller, now);

  function learn(topic: TopicMetadata): void {
    const known = configs.get(topic.topicId);
    if (!known || known.version < topic.version) {
      configs.set(topic.topicId, { version: topic.version, config: resolveTopicConfig(topic.config) });
    }
  }

  /** One replica of a partition, with an in-process "network" to its peers and the controller. */
  function replicaFor(topic: TopicMetadata, partition: number, replicaId: number): Replica {
    learn(topic);
    const key = replicaLogName(topic.topicId, partition, replicaId);
    let replica = replicas.get(key);
    if (!replica) {
      const topicId = topic.topicId;
      const log = createPartitionLog({
        storage,
        partition: key,
        now,
        replicated: true,
        config: () => configs.get(topicId)?.config ?? resolveTopicConfig(),
      });
      const meta = topic.partitions[partition] as PartitionMetadata;
      replica = createReplica({
        log,
        assignment: { ...meta, replicaId },
        network: {
          replicate: (to, request) => replicaFor(topic, partition, to).replicate(request),
          async alterIsr(leaderEpoch, isr) {
            const changed = await controller.alterIsr(topic.name, partition, leaderEpoch, isr);
            const fresh = await controller.getTopic(topic.name);
            for (const r of changed.replicas)
              if (r !== replicaId) await replicaFor(fresh, partition, r).learn({ ...changed, replicaId: r });
            return changed;
          },
        },
      });
      replicas.set(key, replica);
    }
    return replica;
  }

  /** The replica serving a call, told the caller's metadata first (it keeps whichever is newer). */
  async function serving(ref: PartitionRef, read: boolean): Promise<Replica> {
    const id = servingReplica(ref.topic, ref.partition, read ? { replica: ref.replica } : null);
    const meta = ref.topic.partitions[ref.partition] as PartitionMetadata;
    const replica = replicaFor(ref.topic, ref.partition, id);
    await replica.learn({ ...meta, replicaId: id });
    return replica;
  }

  async function runMaintenance(): Promise<void> {
    for (const replica of replicas.values()) {
      await replica.tick();
      await enforceRetention(replica.log);
      await compactLog(replica.log);
    }
  }

  const timer = setInterval(() => {
    runMaintenance().catch((error) => console.error("rill: maintenance failed", error));
  }, options.maintenanceIntervalMs ?? 300_000);
  (timer as { unref?: () => void }).unref?.();

  return {
    async topic(name) {
      const topic = await controller.getTopic(name);
      learn(topic);
      return topic;
    },
    createTopic: (input) => controller.createTopic(input),
    listTopics: () => controller.listTopics(),
    async alterConfig(name, changes) {
      const topic = await controller.alterConfig(name, changes);
      learn(topic);
      return topic;
    },
    addPartitions: (name, total) => controller.addPartitions(name, total),
    async deleteTopic(name) {
      const topic = await controller.deleteTopic(name);
      for (const p of topic.partitions) {
        for (const r of p.replicas) {
          const key = replicaLogName(topic.topicId, p.partition, r);
          replicas.delete(key);
          await storage.dropPartition(key);
        }
      }
      configs.delete(topic.topicId);
    },
    initProducer: (transactionalId) => controller.initProducer(transactionalId),
    append: async (ref, batches, acks) => (await serving(ref, false)).produce(batches, replicaAcks(acks)),
    async fetch(ref, request) {
      const replica = await serving(ref, true);
      return longPollFetch(replica.log, request);
    },
    listOffset: async (ref, spec) => (await serving(ref, true)).log.listOffset(spec),
    partitionState: async (ref) => (await serving(ref, true)).log.state(),
    ...groups,
    runMaintenance,
    async close() {
      clearInterval(timer);
      groups.close();
      await storage.close();
    },
  };
}
