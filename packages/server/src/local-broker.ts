// The in-process broker: controller and partition logs in one process over one Storage (memory
// in Node, IndexedDB in a browser). It is what the Durable Objects do, minus the network.

import {
  compactLog,
  createController,
  createPartitionLog,
  enforceRetention,
  longPollFetch,
  type PartitionLog,
  resolveTopicConfig,
  type Storage,
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
  const logs = new Map<string, PartitionLog>();
  const configs = new Map<string, { version: number; config: TopicConfig }>();
  const groups = createLocalGroups(storage, controller, now);

  function learn(topic: TopicMetadata): void {
    const known = configs.get(topic.topicId);
    if (!known || known.version < topic.version)
      configs.set(topic.topicId, { version: topic.version, config: resolveTopicConfig(topic.config) });
  }

  function logFor(ref: PartitionRef): PartitionLog {
    learn(ref.topic);
    const name = `${ref.topic.topicId}/${ref.partition}`;
    let log = logs.get(name);
    if (!log) {
      const topicId = ref.topic.topicId;
      log = createPartitionLog({ storage, partition: name, now, config: () => configs.get(topicId)?.config ?? resolveTopicConfig() });
      logs.set(name, log);
    }
    return log;
  }

  async function runMaintenance(): Promise<void> {
    for (const log of logs.values()) {
      await enforceRetention(log);
      await compactLog(log);
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
        const key = `${topic.topicId}/${p.partition}`;
        logs.delete(key);
        await storage.dropPartition(key);
      }
      configs.delete(topic.topicId);
    },
    initProducer: (transactionalId) => controller.initProducer(transactionalId),
    append: (ref, batches) => logFor(ref).appendBatches(batches),
    fetch: (ref, request) => longPollFetch(logFor(ref), request),
    listOffset: (ref, spec) => logFor(ref).listOffset(spec),
    partitionState: (ref) => logFor(ref).state(),
    ...groups,
    runMaintenance,
    async close() {
      clearInterval(timer);
      groups.close();
      await storage.close();
    },
  };
}
