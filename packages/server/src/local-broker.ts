// The in-process broker: controller, partition replicas and group coordinators in one process over
// one Storage (memory in Node, IndexedDB in a browser). It is what the Durable Objects do, minus the
// network: replicas of a partition are separate logs that replicate to each other in-process.

import {
  type AppendResult,
  type CleanerOptions,
  compactLog,
  createController,
  createPartitionLog,
  createReplica,
  deleteRecordsBefore,
  enforceRetention,
  longPollFetch,
  type PartitionMetadata,
  type Replica,
  RillError,
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
import { createLocalMirrors, type MirrorMark } from "./local-mirrors.ts";

export interface LocalBrokerOptions {
  storage: Storage;
  now?: () => number;
  /** How often retention and compaction run (Kafka's log.retention.check.interval.ms; default 5 min). */
  maintenanceIntervalMs?: number;
  /**
   * The lowest offset retention and compaction must keep in a partition (everything at or above it
   * survives), or undefined for none. An outbox passes its upload cursor here, so records not yet
   * uploaded outlive retention.ms and compaction. Read at every maintenance run.
   */
  retentionFloor?: (topic: string, partition: number) => number | undefined | Promise<number | undefined>;
}

export interface LocalBroker extends Broker {
  /** Runs retention and compaction on every open partition now. */
  runMaintenance(): Promise<void>;
  /**
   * Marks a topic (replication factor 1) as a read-only mirror of `upstream`: from then on local
   * producers get INVALID_TOPIC_EXCEPTION {readOnly: true}, and only appendMirrored/resetMirror write it.
   */
  markMirror(topic: string, mark: MirrorMark): Promise<void>;
  /** The mirror mark of a topic, or null for an ordinary topic. */
  mirrorOf(topic: string): Promise<MirrorMark | null>;
  /** Stores upstream's batches at upstream's offsets in a mirror (see PartitionLog.appendMirrored). */
  appendMirrored(topic: string, partition: number, bytes: Uint8Array, options?: { endOffset?: number }): Promise<AppendResult>;
  /** Empties a mirror partition and restarts it at `offset` (upstream retention overtook it, or upstream was re-created). */
  resetMirror(topic: string, partition: number, offset: number): Promise<void>;
  close(): Promise<void>;
}

export function createLocalBroker(options: LocalBrokerOptions): LocalBroker {
  const { storage } = options;
  const now = options.now ?? Date.now;
  const controller = createController(storage, { now });
  const replicas = new Map<string, Replica>();
  const configs = new Map<string, { version: number; config: TopicConfig }>();
  const groups = createLocalGroups(storage, controller, now);
  const mirrors = createLocalMirrors(storage);
  /** Topic name and partition of each open replica, for the retention floor. */
  const placeOf = new Map<string, { topic: string; partition: number }>();

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
      placeOf.set(key, { topic: topic.name, partition });
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

  function cleanerOptions(key: string): CleanerOptions {
    const place = placeOf.get(key);
    const floor = options.retentionFloor;
    if (!floor || !place) return {};
    return { floorOffset: async () => (await floor(place.topic, place.partition)) ?? Number.POSITIVE_INFINITY };
  }

  async function runMaintenance(): Promise<void> {
    for (const [key, replica] of replicas) {
      await replica.tick();
      await enforceRetention(replica.log, cleanerOptions(key));
      await compactLog(replica.log, cleanerOptions(key));
    }
  }

  /** The single replica of a mirror partition, after checking the topic is one. */
  async function mirrorReplica(name: string, partition: number): Promise<Replica> {
    const topic = await controller.getTopic(name);
    await mirrors.requireMirror(topic);
    const ref = { topic, partition };
    if (!Number.isInteger(partition) || partition < 0 || partition >= topic.partitions.length) {
      throw new RillError("UNKNOWN_TOPIC_OR_PARTITION", `topic ${name} has no partition ${partition}`);
    }
    return serving(ref, false);
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
      await mirrors.forget(topic);
    },
    initProducer: (transactionalId) => controller.initProducer(transactionalId),
    async append(ref, batches, acks, appendOptions) {
      await mirrors.refuseLocalWrites(ref.topic);
      return (await serving(ref, false)).produce(batches, replicaAcks(acks), { verified: appendOptions?.encoded });
    },
    async fetch(ref, request, fetchOptions) {
      const replica = await serving(ref, true);
      return longPollFetch(replica.log, fetchOptions?.signal ? { ...request, signal: fetchOptions.signal } : request);
    },
    listOffset: async (ref, spec) => (await serving(ref, true)).log.listOffset(spec),
    partitionState: async (ref) => (await serving(ref, true)).log.state(),
    deleteRecords: async (ref, offset) => deleteRecordsBefore((await serving(ref, false)).log, offset),
    ...groups,
    runMaintenance,
    markMirror: async (name, mark) => mirrors.mark(await controller.getTopic(name), mark),
    mirrorOf: async (name) => mirrors.markOf(await controller.getTopic(name)),
    async appendMirrored(name, partition, bytes, mirrorOptions) {
      const replica = await mirrorReplica(name, partition);
      const result = await replica.log.appendMirrored(bytes, mirrorOptions);
      // a mirror has one replica, so what is stored is committed
      replica.log.setHighWatermark((await replica.log.state()).logEndOffset);
      return result;
    },
    async resetMirror(name, partition, offset) {
      await (await mirrorReplica(name, partition)).log.resetTo(offset);
    },
    async close() {
      clearInterval(timer);
      groups.close();
      await storage.close();
    },
  };
}
