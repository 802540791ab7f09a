// Topic administration (kafkajs's admin shapes where they fit): create, delete, list, describe,
// alter config, add partitions, and list offsets by end or by time. Group administration comes
// from admin-groups.ts.

import { RillError } from "@rill/core";
import { paths } from "@rill/protocol";
import { createGroupAdmin, type GroupAdmin } from "./admin-groups.ts";
import { createSecurityAdmin, type SecurityAdmin } from "./admin-security.ts";
import { createSubscriptionAdmin, type SubscriptionAdmin } from "./admin-subscriptions.ts";
import type { MetadataCache, TopicDescription } from "./metadata.ts";
import { resolveOffset } from "./offsets.ts";
import type { Transport } from "./transport.ts";

export interface TopicSpec {
  topic: string;
  /** Default 1. */
  numPartitions?: number;
  /** Default 1. */
  replicationFactor?: number;
  /** Config overrides under Kafka's names, e.g. { name: "retention.ms", value: "60000" }. */
  configEntries?: Array<{ name: string; value: string }>;
}

export interface PartitionOffsets {
  partition: number;
  /** The high watermark: the offset the next record gets (kafkajs's `offset`). */
  offset: number;
  high: number;
  /** The log start offset. */
  low: number;
}

export interface PartitionsAdded {
  topic: string;
  partitions: number;
  /** Why this is risky: keyed records now map to other partitions. */
  warning: string;
}

export interface Admin extends GroupAdmin, SecurityAdmin, SubscriptionAdmin {
  /** Creates topics; resolves true when all were created, false when some already existed. */
  createTopics(args: { topics: TopicSpec[] }): Promise<boolean>;
  deleteTopics(args: { topics: string[] }): Promise<void>;
  listTopics(): Promise<string[]>;
  describeTopic(topic: string): Promise<TopicDescription>;
  /** kafkajs's metadata shape: partitions with leader, replicas and in-sync replicas. */
  fetchTopicMetadata(args?: { topics?: string[] }): Promise<{
    topics: Array<{ name: string; partitions: Array<{ partitionId: number; leader: number; replicas: number[]; isr: number[] }> }>;
  }>;
  /** Sets config keys; null removes an override. Resolves with the topic's new description. */
  alterTopicConfig(topic: string, config: Record<string, string | null>): Promise<TopicDescription>;
  /**
   * Grows topics to `count` partitions. Keyed records move: a key's new records may land on
   * another partition than its old ones, so per-key order across the change is lost.
   */
  createPartitions(args: { topicPartitions: Array<{ topic: string; count: number }> }): Promise<PartitionsAdded[]>;
  /** Each partition's low and high offsets. */
  fetchTopicOffsets(topic: string): Promise<PartitionOffsets[]>;
  /** Each partition's first offset whose record is at or after `timestamp` (the end when none is). */
  fetchTopicOffsetsByTimestamp(topic: string, timestamp: number): Promise<Array<{ partition: number; offset: number }>>;
}

export interface AdminDeps {
  transport: Transport;
  metadata: MetadataCache;
  warn(message: string): void;
}

export function createAdmin(deps: AdminDeps): Admin {
  const { transport, metadata } = deps;

  async function describeTopic(topic: string): Promise<TopicDescription> {
    return transport.json<TopicDescription>({ method: "GET", path: paths.topic(topic) });
  }

  async function listTopics(): Promise<string[]> {
    const answer = await transport.json<{ topics: Array<{ name: string }> }>({ method: "GET", path: paths.topics() });
    return answer.topics.map((t) => t.name);
  }

  return {
    ...createGroupAdmin(transport),
    ...createSecurityAdmin(transport),
    ...createSubscriptionAdmin(transport),
    async createTopics({ topics }) {
      let all = true;
      for (const t of topics) {
        const config = Object.fromEntries((t.configEntries ?? []).map((e) => [e.name, e.value]));
        try {
          await transport.json({
            method: "POST",
            path: paths.topics(),
            json: { name: t.topic, partitions: t.numPartitions ?? 1, replicationFactor: t.replicationFactor ?? 1, config },
          });
        } catch (error) {
          if (!(error instanceof RillError && error.code === "TOPIC_ALREADY_EXISTS")) throw error;
          all = false;
        }
        metadata.invalidate(t.topic);
      }
      return all;
    },
    async deleteTopics({ topics }) {
      for (const topic of topics) {
        await transport.json({ method: "DELETE", path: paths.topic(topic) });
        metadata.invalidate(topic);
      }
    },
    listTopics,
    describeTopic,
    async fetchTopicMetadata(args = {}) {
      const names = args.topics ?? (await listTopics());
      const topics = await Promise.all(names.map(describeTopic));
      return {
        topics: topics.map((t) => ({
          name: t.name,
          partitions: t.partitions.map((p) => ({
            partitionId: p.partition,
            leader: p.leader ?? p.replicas[0] ?? 0,
            replicas: p.replicas,
            isr: p.isr,
          })),
        })),
      };
    },
    async alterTopicConfig(topic, config) {
      const answer = await transport.json<TopicDescription>({ method: "PATCH", path: paths.topicConfig(topic), json: { config } });
      metadata.invalidate(topic);
      return answer;
    },
    async createPartitions({ topicPartitions }) {
      const out: PartitionsAdded[] = [];
      for (const { topic, count } of topicPartitions) {
        const answer = await transport.json<TopicDescription & { warning?: string }>({
          method: "POST",
          path: paths.topicPartitions(topic),
          json: { count },
        });
        metadata.invalidate(topic);
        const warning =
          answer.warning ?? `topic ${topic} now has ${count} partitions: keyed records may land on other partitions than before`;
        deps.warn(warning);
        out.push({ topic, partitions: answer.partitions.length, warning });
      }
      return out;
    },
    async fetchTopicOffsets(topic) {
      const described = await describeTopic(topic);
      return described.partitions.map((p) => ({
        partition: p.partition,
        offset: p.highWatermark,
        high: p.highWatermark,
        low: p.logStartOffset,
      }));
    },
    async fetchTopicOffsetsByTimestamp(topic, timestamp) {
      const described = await describeTopic(topic);
      return Promise.all(
        described.partitions.map(async (p) => ({
          partition: p.partition,
          offset: await resolveOffset(transport, { topic, partition: p.partition }, { timestamp }),
        })),
      );
    },
  };
}
