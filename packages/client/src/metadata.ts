// Topic metadata the producer and consumer route with: partition counts and the topic config the
// broker enforces. Cached with a maximum age (Kafka's metadata.max.age.ms) and dropped early when a
// broker answers that the cache is wrong (unknown topic or partition, not the leader).

import type { ErrorCode } from "@rill/core";
import { paths } from "@rill/protocol";
import { untilAborted } from "./signals.ts";
import type { Transport } from "./transport.ts";

export interface PartitionDescription {
  partition: number;
  leader?: number;
  leaderEpoch: number;
  replicas: number[];
  isr: number[];
  logStartOffset: number;
  highWatermark: number;
  sizeInBytes?: number;
}

/** GET /v1/topics/:topic: a topic with its partitions' offsets and its resolved config. */
export interface TopicDescription {
  name: string;
  topicId?: string;
  partitions: PartitionDescription[];
  replicationFactor: number;
  /** Every config key with its effective value, as strings (Kafka's describe-configs). */
  config: Record<string, string>;
  /** Only the keys set on this topic. */
  overrides?: Record<string, string>;
}

export interface MetadataCache {
  /** The topic's description, from the cache while it is younger than maxAgeMs. */
  topic(name: string, signal?: AbortSignal): Promise<TopicDescription>;
  /** The cached description when it is known and fresh, without waiting (the producer's hot path). */
  peek(name: string): TopicDescription | undefined;
  /** Forgets a topic, so the next use asks a broker. */
  invalidate(name: string): void;
  /** Forgets the topic when `code` says the cached view may be stale. */
  noteError(name: string, code: ErrorCode): void;
}

/** Errors after which metadata is refreshed before the next attempt. */
const STALE_METADATA_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  "UNKNOWN_TOPIC_OR_PARTITION",
  "NOT_LEADER_OR_FOLLOWER",
  "LEADER_NOT_AVAILABLE",
  "FENCED_LEADER_EPOCH",
  "UNKNOWN_LEADER_EPOCH",
]);

export function createMetadataCache(transport: Transport, maxAgeMs = 300_000): MetadataCache {
  const entries = new Map<string, { at: number; value: Promise<TopicDescription>; resolved?: TopicDescription }>();

  return {
    topic(name, signal) {
      const hit = entries.get(name);
      if (hit && Date.now() - hit.at < maxAgeMs) return untilAborted(hit.value, signal);
      // callers share one lookup, so no caller's signal may cancel it for the others
      const value = transport.json<TopicDescription>({ method: "GET", path: paths.topic(name) });
      const entry: { at: number; value: Promise<TopicDescription>; resolved?: TopicDescription } = { at: Date.now(), value };
      entries.set(name, entry);
      // a failed lookup is not cached: the next caller asks again
      value.then(
        (described) => {
          entry.resolved = described;
        },
        () => {
          if (entries.get(name) === entry) entries.delete(name);
        },
      );
      return untilAborted(value, signal);
    },
    peek(name) {
      const hit = entries.get(name);
      return hit && Date.now() - hit.at < maxAgeMs ? hit.resolved : undefined;
    },
    invalidate(name) {
      entries.delete(name);
    },
    noteError(name, code) {
      if (STALE_METADATA_CODES.has(code)) entries.delete(name);
    },
  };
}
