// Decisions every broker must take the same way, whatever runs it (the in-process broker in Node or
// a browser, the Durable Objects at the edge). They live here once so the runtimes cannot drift.

import type { TopicMetadata } from "./controller.ts";
import { RillError } from "./errors.ts";

/**
 * Storage (or Durable Object) name of one replica's log. Named by topic id, so a re-created topic
 * never meets the old one's data; replica 0 keeps the plain name, so an unreplicated partition is one log.
 */
export function replicaLogName(topicId: string, partition: number, replicaId: number): string {
  return replicaId === 0 ? `${topicId}/${partition}` : `${topicId}/${partition}#${replicaId}`;
}

/**
 * The replica that serves a call: the leader, or for a read that names one, that replica (Kafka's
 * KIP-392 follower fetching). A replica the partition does not have is the caller's mistake (never
 * retriable); one that exists but is out of sync may catch up (retriable); no leader is an election
 * in progress (retriable).
 */
export function servingReplica(topic: TopicMetadata, partition: number, read: { replica?: number } | null): number {
  const p = topic.partitions[partition];
  if (!p) throw new RillError("UNKNOWN_TOPIC_OR_PARTITION", `topic ${topic.name} has no partition ${partition}`);
  if (read && read.replica !== undefined) {
    if (!p.replicas.includes(read.replica))
      throw new RillError(
        "INVALID_REQUEST",
        `partition ${partition} has no replica ${read.replica} (replicas ${JSON.stringify(p.replicas)})`,
      );
    if (!p.isr.includes(read.replica))
      throw new RillError("NOT_LEADER_OR_FOLLOWER", `replica ${read.replica} is not in sync (ISR ${JSON.stringify(p.isr)})`);
    return read.replica;
  }
  if (p.leader < 0) throw new RillError("LEADER_NOT_AVAILABLE", `partition ${topic.name}/${partition} has no leader right now`);
  return p.leader;
}

/**
 * What the leader replica waits for. acks=0 only changes when the producer hears back (the HTTP
 * layer answers before the append finishes); the append itself still runs as acks=1.
 */
export function replicaAcks(acks: 0 | 1 | -1): 1 | -1 {
  return acks === 0 ? 1 : acks;
}

/**
 * A subscription's topic filter: the names listed, or any name a pattern matches whole (Kafka's
 * regex subscription). A pattern that is not a valid regular expression is refused.
 */
export function topicMatcher(topics: readonly string[], patterns: readonly string[]): (name: string) => boolean {
  const matchers = patterns.map(compilePattern);
  return (name) => topics.includes(name) || matchers.some((m) => m.test(name));
}

/** A topic-name pattern as a whole-name regular expression; INVALID_REQUEST if it does not compile. */
export function compilePattern(pattern: string): RegExp {
  try {
    return new RegExp(`^(?:${pattern})$`);
  } catch (error) {
    throw new RillError("INVALID_REQUEST", `topic pattern ${JSON.stringify(pattern)} is not a valid regular expression: ${String(error)}`);
  }
}

/** Partition counts of the topics a subscription names or matches; unknown topics are left out. */
export function subscribedTopicCounts(
  all: ReadonlyArray<{ name: string; partitions: number }>,
  topics: readonly string[],
  patterns: readonly string[],
): Record<string, number> {
  const matches = topicMatcher(topics, patterns);
  const counts: Record<string, number> = {};
  for (const t of all) if (matches(t.name)) counts[t.name] = t.partitions;
  return counts;
}
