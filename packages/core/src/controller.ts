// Cluster metadata: the role ZooKeeper/KRaft play for Kafka. Topics, their partitions with leader
// epoch and replica set, per-topic config overrides, and producer id allocation, all kept as
// versioned documents written by compare-and-set, so two writers can never both win.

import { RillError } from "./errors.ts";
import type { Storage } from "./storage.ts";
import { parseTopicConfig, resolveTopicConfig, type TopicConfig, type TopicConfigInput } from "./topic-config.ts";

export interface PartitionMetadata {
  partition: number;
  /** Replica id of the leader, or -1 when no replica can lead. */
  leader: number;
  leaderEpoch: number;
  replicas: number[];
  isr: number[];
}

export interface TopicMetadata {
  name: string;
  /** Changes when a topic is deleted and created again, so old partition state is never reused. */
  topicId: string;
  replicationFactor: number;
  partitions: PartitionMetadata[];
  /** Overrides only; resolve with resolveTopicConfig. */
  config: Partial<TopicConfig>;
  /** Bumped by every change, so caches can tell fresh from stale. */
  version: number;
  createdAt: number;
}

export interface CreateTopicInput {
  name: string;
  partitions?: number;
  replicationFactor?: number;
  config?: TopicConfigInput;
}

export interface ProducerIdentity {
  producerId: number;
  producerEpoch: number;
}

export interface ControllerLimits {
  maxPartitions: number;
  maxReplicationFactor: number;
}

export const defaultControllerLimits: ControllerLimits = { maxPartitions: 1024, maxReplicationFactor: 5 };

const TOPICS = "topics";
const PRODUCERS = "producers";
const MAX_CAS_ATTEMPTS = 20;

/** Kafka's topic name rule: 1..249 of [a-zA-Z0-9._-], and not "." or "..". */
export function validateTopicName(name: unknown): string {
  if (
    typeof name !== "string" ||
    name.length === 0 ||
    name.length > 249 ||
    !/^[a-zA-Z0-9._-]+$/.test(name) ||
    name === "." ||
    name === ".."
  ) {
    throw new RillError(
      "INVALID_TOPIC_EXCEPTION",
      `invalid topic name ${JSON.stringify(name)}: use 1 to 249 of the characters a-z A-Z 0-9 . _ -, and not "." or ".."`,
    );
  }
  return name;
}

function count(what: string, value: unknown, min: number, max: number, code: "INVALID_PARTITIONS" | "INVALID_REPLICATION_FACTOR"): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw new RillError(code, `${what} must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`);
  }
  return value;
}

function unknownTopic(name: string): RillError {
  return new RillError("UNKNOWN_TOPIC_OR_PARTITION", `topic ${JSON.stringify(name)} does not exist`);
}

export interface Controller {
  createTopic(input: CreateTopicInput): Promise<TopicMetadata>;
  getTopic(name: string): Promise<TopicMetadata>;
  listTopics(): Promise<TopicMetadata[]>;
  /** Sets (value) or removes (null) config overrides. */
  alterConfig(name: string, changes: Record<string, string | number | boolean | null>): Promise<TopicMetadata>;
  /** Grows the topic to `total` partitions (Kafka's CreatePartitions takes the new total). */
  addPartitions(name: string, total: number): Promise<TopicMetadata>;
  deleteTopic(name: string): Promise<TopicMetadata>;
  /** Applies `change` to one partition's metadata (leader elections, ISR changes). */
  updatePartition(name: string, partition: number, change: (p: PartitionMetadata) => PartitionMetadata): Promise<TopicMetadata>;
  /** The leader's request to change the ISR (Kafka's AlterPartition), refused unless its epoch is current. */
  alterIsr(name: string, partition: number, leaderEpoch: number, isr: number[]): Promise<PartitionMetadata>;
  /**
   * Elects a new leader for a partition whose leader `failed` (Kafka's controller on broker loss):
   * the first in-sync replica `isAlive` confirms, or with unclean election any live replica. The
   * epoch is bumped so the deposed leader is fenced everywhere. With no candidate the partition
   * goes offline (leader -1) until a later election finds one.
   */
  electLeader(name: string, partition: number, failed: number, isAlive: (replica: number) => Promise<boolean>): Promise<TopicMetadata>;
  /** A new producer id, or for a transactional id the same id with its epoch bumped (fencing the old holder). */
  initProducer(transactionalId?: string): Promise<ProducerIdentity>;
}

export interface ControllerOptions {
  now?: () => number;
  newId?: () => string;
  limits?: Partial<ControllerLimits>;
}

export function createController(storage: Storage, options: ControllerOptions = {}): Controller {
  const now = options.now ?? Date.now;
  const newId = options.newId ?? (() => Math.random().toString(36).slice(2, 12) + now().toString(36));
  const limits = { ...defaultControllerLimits, ...options.limits };

  async function load(name: string): Promise<{ version: number; value: TopicMetadata }> {
    const doc = await storage.getDocument<TopicMetadata>(TOPICS, name);
    if (!doc) throw unknownTopic(name);
    return doc;
  }

  /** Read-modify-write with compare-and-set, retried when another writer got there first. */
  async function modify(name: string, change: (t: TopicMetadata) => TopicMetadata): Promise<TopicMetadata> {
    for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
      const doc = await load(name);
      const next = { ...change(doc.value), version: doc.value.version + 1 };
      if (await storage.putDocument(TOPICS, name, doc.version, next)) return next;
    }
    throw new RillError("CONCURRENT_APPEND", `topic ${name} is being changed concurrently; try again`);
  }

  function newPartitions(from: number, to: number, replicationFactor: number): PartitionMetadata[] {
    const replicas = Array.from({ length: replicationFactor }, (_, r) => r);
    return Array.from({ length: to - from }, (_, i) => {
      const partition = from + i;
      // spread leadership over replica ids so leaders do not all share one replica slot
      const leader = (replicas[partition % replicationFactor] as number) ?? 0;
      return { partition, leader, leaderEpoch: 0, replicas: [...replicas], isr: [...replicas] };
    });
  }

  return {
    async createTopic(input) {
      const name = validateTopicName(input.name);
      const partitions = count("partitions", input.partitions ?? 1, 1, limits.maxPartitions, "INVALID_PARTITIONS");
      const rf = count("replicationFactor", input.replicationFactor ?? 1, 1, limits.maxReplicationFactor, "INVALID_REPLICATION_FACTOR");
      const config = parseTopicConfig(input.config ?? {});
      if ((config["min.insync.replicas"] ?? 1) > rf) {
        throw new RillError("INVALID_CONFIG", `min.insync.replicas ${config["min.insync.replicas"]} exceeds replicationFactor ${rf}`);
      }
      const topic: TopicMetadata = {
        name,
        topicId: newId(),
        replicationFactor: rf,
        partitions: newPartitions(0, partitions, rf),
        config,
        version: 1,
        createdAt: now(),
      };
      if (!(await storage.putDocument(TOPICS, name, 0, topic))) {
        throw new RillError("TOPIC_ALREADY_EXISTS", `topic ${JSON.stringify(name)} already exists`);
      }
      return topic;
    },

    async getTopic(name) {
      return (await load(name)).value;
    },

    async listTopics() {
      return (await storage.listDocuments<TopicMetadata>(TOPICS)).map((d) => d.value);
    },

    alterConfig(name, changes) {
      const set: TopicConfigInput = {};
      const removed: string[] = [];
      for (const [key, value] of Object.entries(changes)) {
        if (value === null) removed.push(key);
        else set[key] = value;
      }
      const parsed = parseTopicConfig(set);
      parseTopicConfig(Object.fromEntries(removed.map((k) => [k, String(resolveTopicConfig()[k as keyof TopicConfig])])));
      return modify(name, (t) => {
        const config: Partial<TopicConfig> = { ...t.config, ...parsed };
        for (const key of removed) delete config[key as keyof TopicConfig];
        if ((config["min.insync.replicas"] ?? 1) > t.replicationFactor) {
          throw new RillError(
            "INVALID_CONFIG",
            `min.insync.replicas ${config["min.insync.replicas"]} exceeds replicationFactor ${t.replicationFactor}`,
          );
        }
        return { ...t, config };
      });
    },

    addPartitions(name, total) {
      return modify(name, (t) => {
        count("partitions", total, 1, limits.maxPartitions, "INVALID_PARTITIONS");
        if (total <= t.partitions.length) {
          throw new RillError(
            "INVALID_PARTITIONS",
            `topic ${name} has ${t.partitions.length} partitions; the new total must be larger, got ${total}`,
          );
        }
        return { ...t, partitions: [...t.partitions, ...newPartitions(t.partitions.length, total, t.replicationFactor)] };
      });
    },

    async deleteTopic(name) {
      const doc = await load(name);
      await storage.deleteDocument(TOPICS, name);
      return doc.value;
    },

    updatePartition(name, partition, change) {
      return modify(name, (t) => {
        const current = t.partitions[partition];
        if (!current) throw new RillError("UNKNOWN_TOPIC_OR_PARTITION", `topic ${name} has no partition ${partition}`);
        const partitions = [...t.partitions];
        partitions[partition] = change(current);
        return { ...t, partitions };
      });
    },

    async alterIsr(name, partition, leaderEpoch, isr) {
      const topic = await modify(name, (t) => {
        const p = t.partitions[partition];
        if (!p) throw new RillError("UNKNOWN_TOPIC_OR_PARTITION", `topic ${name} has no partition ${partition}`);
        if (p.leaderEpoch !== leaderEpoch) {
          throw new RillError(
            "FENCED_LEADER_EPOCH",
            `leader epoch ${leaderEpoch} is stale; partition ${name}/${partition} is at ${p.leaderEpoch}`,
          );
        }
        const next = [...new Set(isr)].sort((a, b) => a - b);
        if (!next.includes(p.leader) || next.some((r) => !p.replicas.includes(r))) {
          throw new RillError(
            "INVALID_REQUEST",
            `ISR ${JSON.stringify(next)} must hold the leader ${p.leader} and only replicas of ${JSON.stringify(p.replicas)}`,
          );
        }
        const partitions = [...t.partitions];
        partitions[partition] = { ...p, isr: next };
        return { ...t, partitions };
      });
      return topic.partitions[partition] as PartitionMetadata;
    },

    async electLeader(name, partition, failed, isAlive) {
      const before = (await load(name)).value.partitions[partition];
      if (!before) throw new RillError("UNKNOWN_TOPIC_OR_PARTITION", `topic ${name} has no partition ${partition}`);
      if (before.leader !== failed) return (await load(name)).value; // a stale report: that replica no longer leads
      const unclean = resolveTopicConfig((await load(name)).value.config)["unclean.leader.election.enable"];
      const inSync = before.isr.filter((r) => r !== failed);
      const candidates = [...inSync, ...(unclean ? before.replicas.filter((r) => r !== failed && !inSync.includes(r)) : [])];
      let leader = -1;
      for (const c of candidates) {
        if (await isAlive(c).catch(() => false)) {
          leader = c;
          break;
        }
      }
      return modify(name, (t) => {
        const p = t.partitions[partition] as PartitionMetadata;
        if (p.leaderEpoch !== before.leaderEpoch) return t; // someone else already elected
        // an offline partition keeps its last ISR, so the old leader can lead again when it returns
        const isr = leader === -1 ? p.isr : inSync.includes(leader) ? inSync : [leader];
        const partitions = [...t.partitions];
        partitions[partition] = { ...p, leader, leaderEpoch: p.leaderEpoch + 1, isr };
        return { ...t, partitions };
      });
    },

    async initProducer(transactionalId) {
      for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
        if (transactionalId !== undefined) {
          const doc = await storage.getDocument<ProducerIdentity>(PRODUCERS, `txn:${transactionalId}`);
          if (doc) {
            const bumped = { producerId: doc.value.producerId, producerEpoch: doc.value.producerEpoch + 1 };
            // an exhausted epoch takes a fresh id, as Kafka does when the epoch would overflow
            if (bumped.producerEpoch > 32767) await storage.deleteDocument(PRODUCERS, `txn:${transactionalId}`);
            else if (await storage.putDocument(PRODUCERS, `txn:${transactionalId}`, doc.version, bumped)) return bumped;
            continue;
          }
        }
        const counter = await storage.getDocument<number>(PRODUCERS, "next-id");
        const producerId = counter?.value ?? 1000;
        if (!(await storage.putDocument(PRODUCERS, "next-id", counter?.version ?? 0, producerId + 1))) continue;
        const identity = { producerId, producerEpoch: 0 };
        if (transactionalId === undefined) return identity;
        if (await storage.putDocument(PRODUCERS, `txn:${transactionalId}`, 0, identity)) return identity;
      }
      throw new RillError("COORDINATOR_NOT_AVAILABLE", "could not allocate a producer id; try again");
    },
  };
}
