// The Broker of the HTTP app at the edge: metadata from the controller object (cached briefly in
// the isolate), data from one Durable Object per partition replica. Batches pass through as bytes.
// When a leader cannot be reached the controller is told, which elects another if it is really
// gone; the caller gets a retriable error and comes back with fresh metadata.

import {
  createBoundedCache,
  isErrorCode,
  isRillError,
  parseClientBatches,
  RillError,
  resolveTopicConfig,
  servingReplica,
  type TopicMetadata,
} from "@rill/core";
import type { Broker, PartitionRef } from "@rill/server";
import { assignmentOf, replicaStub } from "./assignment.ts";
import type { Env } from "./env.ts";
import { call } from "./rpc.ts";
import { createEdgeSubscriptions } from "./subscription-service.ts";

/** Metadata freshness in the isolate; a stale entry costs at most one retry or one retriable error. */
const METADATA_TTL_MS = 5_000;
/** The isolate keeps at most this much topic metadata (about 2 bytes per character of its JSON). */
export const METADATA_CACHE_BYTES = 1024 * 1024;
const cache = createBoundedCache<string, { topic: TopicMetadata; expires: number }>(METADATA_CACHE_BYTES);

export function createEdgeBroker(env: Env): Broker {
  const controller = () => env.CONTROLLER.get(env.CONTROLLER.idFromName("controller"));

  const remember = (topic: TopicMetadata) => {
    cache.set(topic.name, { topic, expires: Date.now() + METADATA_TTL_MS }, 2 * JSON.stringify(topic).length);
    return topic;
  };

  async function topic(name: string, options?: { fresh?: boolean }): Promise<TopicMetadata> {
    const hit = cache.get(name);
    if (hit && hit.expires > Date.now() && !options?.fresh) return hit.topic;
    cache.delete(name);
    return remember(await call(controller().getTopic(name)));
  }

  /**
   * Runs a replica call with current metadata. A leader that cannot be reached is reported to the
   * controller; a topic the replica says is gone (a deleted incarnation) or a replica that is not
   * the leader any more refreshes the cache. Reads, which change nothing, are retried once.
   */
  async function onReplica<T>(ref: PartitionRef, read: boolean, fn: (ref: PartitionRef, replica: number) => Promise<T>): Promise<T> {
    try {
      if (ref.topic.partitions[ref.partition]?.leader === -1) ref = { ...ref, topic: await recover(ref) };
      return await fn(ref, servingReplica(ref.topic, ref.partition, read ? { replica: ref.replica } : null));
    } catch (error) {
      const stale = isRillError(error, "UNKNOWN_TOPIC_OR_PARTITION") || isRillError(error, "NOT_LEADER_OR_FOLLOWER");
      const unreachable = isRillError(error, "NETWORK_EXCEPTION");
      if (isRillError(error, "NOT_ENOUGH_REPLICAS") || isRillError(error, "NOT_ENOUGH_REPLICAS_AFTER_APPEND")) cache.delete(ref.topic.name);
      if (!stale && !unreachable) throw error;
      cache.delete(ref.topic.name);
      if (unreachable && ref.replica === undefined) await recover(ref).catch(() => undefined);
      const fresh = await topic(ref.topic.name);
      if (ref.partition >= fresh.partitions.length) throw error;
      // a deleted incarnation refused without writing, so even a write may go to the new one; otherwise
      // a write may have landed somewhere: the producer decides (idempotence makes its retry safe)
      const recreated = isRillError(error, "UNKNOWN_TOPIC_OR_PARTITION") && fresh.topicId !== ref.topic.topicId;
      if (!read && !recreated) throw error;
      const again = { ...ref, topic: fresh };
      return fn(again, servingReplica(again.topic, again.partition, read ? { replica: again.replica } : null));
    }
  }

  /** Asks the controller to check the leader and elect another if it is gone. */
  async function recover(ref: PartitionRef): Promise<TopicMetadata> {
    const epoch = ref.topic.partitions[ref.partition]?.leaderEpoch ?? 0;
    return remember(await call(controller().reportLeaderFailure(ref.topic.name, ref.partition, epoch)));
  }

  const stub = (ref: PartitionRef, replica: number) => replicaStub(env, ref.topic.topicId, ref.partition, replica);
  const assignment = (ref: PartitionRef, replica: number) => assignmentOf(ref.topic, ref.partition, replica);
  const group = (id: string) => env.GROUPS.get(env.GROUPS.idFromName(id));
  return {
    subscriptions: createEdgeSubscriptions(env, topic),
    topic,
    createTopic: async (input) => remember(await call(controller().createTopic(input))),
    listTopics: () => call(controller().listTopics()),
    alterConfig: async (name, changes) => remember(await call(controller().alterConfig(name, changes))),
    addPartitions: async (name, total) => remember(await call(controller().addPartitions(name, total))),
    async deleteTopic(name) {
      cache.delete(name);
      await call(controller().deleteTopic(name));
    },
    initProducer: (transactionalId) => call(controller().initProducer(transactionalId)),
    append(ref, batches, acks, appendOptions) {
      // CRC and framing are checked here, in the Worker, which scales out, not in the partition
      // object, which is one per partition: it then skips that walk (it keeps the config checks)
      if (!appendOptions?.encoded) parseClientBatches(batches, resolveTopicConfig(ref.topic.config));
      return onReplica(ref, false, (r, replica) => call(stub(r, replica).append(assignment(r, replica), batches, acks, true)));
    },
    fetch: (ref, request) => onReplica(ref, true, (r, replica) => call(stub(r, replica).read(assignment(r, replica), request))),
    fetchBatches: (ref, request) =>
      onReplica(ref, true, (r, replica) => call(stub(r, replica).readBatches(assignment(r, replica), request))),
    tail: (ref, request, options) =>
      onReplica(ref, true, async (r, replica) => {
        const url = `https://replica/tail?offset=${options.offset}&encoding=${options.encoding}`;
        const headers = new Headers(request.headers);
        headers.set("rill-assignment", JSON.stringify(assignment(r, replica)));
        const response = await stub(r, replica).fetch(url, { headers });
        if (response.status === 101) return response;
        const body = (await response.json()) as { error: { code: string; message: string } };
        throw new RillError(isErrorCode(body.error.code) ? body.error.code : "UNKNOWN_SERVER_ERROR", body.error.message);
      }),
    listOffset: (ref, spec) => onReplica(ref, true, (r, replica) => call(stub(r, replica).listOffset(assignment(r, replica), spec))),
    partitionState: (ref) => onReplica(ref, true, (r, replica) => call(stub(r, replica).state(assignment(r, replica)))),
    deleteRecords: (ref, offset) =>
      onReplica(ref, false, (r, replica) => call(stub(r, replica).deleteRecords(assignment(r, replica), offset))),
    groupHeartbeat: (id, request) => call(group(id).heartbeat(id, request)),
    async commitOffsets(id, request) {
      await call(group(id).commitOffsets(id, request));
    },
    fetchOffsets: (id) => call(group(id).fetchOffsets(id)),
    describeGroup: (id) => call(group(id).describe(id)),
    listGroups: () => call(controller().listGroups()),
    async resetGroupOffsets(id, offsets) {
      await call(group(id).resetOffsets(id, offsets));
    },
    async deleteGroup(id) {
      await call(group(id).deleteGroup(id));
    },
  };
}
