// The Broker of the HTTP app at the edge: metadata from the controller object (cached briefly in
// the isolate), data from one Durable Object per partition. Batches pass through as bytes.

import { isRillError, type TopicMetadata } from "@rill/core";
import type { Broker, PartitionRef } from "@rill/server";
import { assignmentOf, partitionStub } from "./assignment.ts";
import type { Env } from "./env.ts";
import { call } from "./rpc.ts";

/** Metadata freshness in the isolate; a stale entry costs at most one retry (see withFreshTopic). */
const METADATA_TTL_MS = 5_000;
const cache = new Map<string, { topic: TopicMetadata; expires: number }>();
/** Groups this isolate has already put in the controller's registry. */
const registered = new Set<string>();

export function createEdgeBroker(env: Env): Broker {
  const controller = () => env.CONTROLLER.get(env.CONTROLLER.idFromName("controller"));

  const remember = (topic: TopicMetadata) => {
    cache.set(topic.name, { topic, expires: Date.now() + METADATA_TTL_MS });
    return topic;
  };

  async function topic(name: string): Promise<TopicMetadata> {
    const hit = cache.get(name);
    if (hit && hit.expires > Date.now()) return hit.topic;
    cache.delete(name);
    return remember(await call(controller().getTopic(name)));
  }

  /**
   * Runs a partition call; if the partition says the topic is gone (a cached topic id that was
   * deleted elsewhere), refreshes metadata once and retries on the current incarnation.
   */
  async function withFreshTopic<T>(ref: PartitionRef, fn: (ref: PartitionRef) => Promise<T>): Promise<T> {
    try {
      return await fn(ref);
    } catch (error) {
      if (!isRillError(error, "UNKNOWN_TOPIC_OR_PARTITION") || !cache.has(ref.topic.name)) throw error;
      cache.delete(ref.topic.name);
      const fresh = await topic(ref.topic.name);
      if (fresh.topicId === ref.topic.topicId || ref.partition >= fresh.partitions.length) throw error;
      return fn({ topic: fresh, partition: ref.partition });
    }
  }

  const group = (id: string) => env.GROUPS.get(env.GROUPS.idFromName(id));
  async function register(id: string): Promise<void> {
    if (registered.has(id)) return;
    await call(controller().registerGroup(id));
    registered.add(id);
  }

  const stub = (ref: PartitionRef) => partitionStub(env, ref.topic, ref.partition);
  const assignment = (ref: PartitionRef) => assignmentOf(ref.topic, ref.partition);

  return {
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
    append: (ref, batches) => withFreshTopic(ref, (r) => call(stub(r).append(assignment(r), batches))),
    fetch: (ref, request) => withFreshTopic(ref, (r) => call(stub(r).read(assignment(r), request))),
    listOffset: (ref, spec) => withFreshTopic(ref, (r) => call(stub(r).listOffset(assignment(r), spec))),
    partitionState: (ref) => withFreshTopic(ref, (r) => call(stub(r).state(assignment(r)))),
    async groupHeartbeat(id, request) {
      await register(id);
      return call(group(id).heartbeat(id, request));
    },
    async commitOffsets(id, request) {
      await register(id);
      await call(group(id).commitOffsets(id, request));
    },
    fetchOffsets: (id) => call(group(id).fetchOffsets(id)),
    describeGroup: (id) => call(group(id).describe(id)),
    listGroups: () => call(controller().listGroups()),
    async resetGroupOffsets(id, offsets) {
      await register(id);
      await call(group(id).resetOffsets(id, offsets));
    },
    async deleteGroup(id) {
      await call(group(id).deleteGroup(id));
      await call(controller().unregisterGroup(id));
      registered.delete(id);
    },
  };
}
