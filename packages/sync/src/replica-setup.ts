// Setting up a local replica of an edge topic, and noticing when the edge topic is re-created.
// The replica is a local topic marked read-only in the broker (local producers are refused) with
// as many partitions as the edge topic. The edge topic's id is kept beside it: a different id
// means the topic was deleted and created again, and the replica starts over from the new log.

import { isRillError, RillError, type Storage } from "@rill/core";
import type { LocalBroker } from "@rill/server";
import type { Downloader } from "./downloader.ts";
import type { Edge, EdgeTopic } from "./edge.ts";
import { pause } from "./sleep.ts";
import type { StatusHub } from "./status-hub.ts";
import type { DownloadSpec } from "./types.ts";
import { SYNC_NAMESPACE } from "./upload-store.ts";

const TOPIC_CHECK_MS = 5_000;

export interface ReplicaWatch {
  partitions: number;
  /** Asks the edge for the topic's id now; when it changed, asks every downloader to reset and resolves true. */
  check(downloaders: readonly Downloader[]): Promise<boolean>;
  /** Checks every few seconds until the engine stops. */
  watch(downloaders: readonly Downloader[]): Promise<void>;
}

export interface ReplicaSetupOptions {
  broker: LocalBroker;
  storage: Storage;
  edge: Edge;
  hub: StatusHub;
  spec: DownloadSpec;
  local: string;
  signal: AbortSignal;
  now: () => number;
  warn: (message: string) => void;
}

interface ReplicaDoc {
  edgeTopic: string;
  edgeTopicId: string;
}

export async function setUpDownload(o: ReplicaSetupOptions): Promise<ReplicaWatch> {
  const key = `replica/${o.local}`;
  const remote = await o.edge.describeTopic(o.spec.edge, o.signal);
  o.hub.contact();
  let topic = await o.broker.topic(o.local).catch(async (error) => {
    if (!isRillError(error, "UNKNOWN_TOPIC_OR_PARTITION")) throw error;
    return o.broker.createTopic({ name: o.local, partitions: remote.partitions.length, replicationFactor: 1 });
  });
  const mark = await o.broker.mirrorOf(o.local);
  if (!mark) {
    // a replica created by a start that crashed before marking it is still empty; anything else is the app's topic
    const states = await Promise.all(topic.partitions.map((p) => o.broker.partitionState({ topic, partition: p.partition })));
    if (states.some((s) => s.logEndOffset > 0)) {
      throw new RillError("INVALID_TOPIC_EXCEPTION", `local topic ${o.local} exists and is not a replica of edge topic ${o.spec.edge}`);
    }
    await o.broker.markMirror(o.local, { upstream: o.spec.edge });
  } else if (mark.upstream !== o.spec.edge) {
    throw new RillError("INVALID_TOPIC_EXCEPTION", `local topic ${o.local} is a replica of ${mark.upstream}, not of ${o.spec.edge}`);
  }
  if (topic.partitions.length < remote.partitions.length) topic = await o.broker.addPartitions(o.local, remote.partitions.length);

  const stored = await o.storage.getDocument<ReplicaDoc>(SYNC_NAMESPACE, key);
  let version = stored?.version ?? 0;
  let topicId = stored?.value.edgeTopicId ?? null;

  async function remember(id: string): Promise<void> {
    for (let attempt = 0; attempt < 5; attempt++) {
      if (await o.storage.putDocument(SYNC_NAMESPACE, key, version, { edgeTopic: o.spec.edge, edgeTopicId: id })) {
        version++;
        topicId = id;
        return;
      }
      version = (await o.storage.getDocument<ReplicaDoc>(SYNC_NAMESPACE, key))?.version ?? 0;
    }
  }

  if (topicId === null) {
    // a new replica starts where the spec says, without reporting a gap
    for (const p of remote.partitions) {
      const start = o.spec.from === "latest" ? p.highWatermark : p.logStartOffset;
      if (start > 0) await o.broker.resetMirror(o.local, p.partition, start);
    }
    await remember(remote.topicId);
  } else if (topicId !== remote.topicId) {
    await resetAll(remote);
    await remember(remote.topicId);
  }

  async function resetAll(info: EdgeTopic): Promise<void> {
    for (const p of info.partitions) {
      if (p.partition >= topic.partitions.length) continue;
      const state = await o.broker.partitionState({ topic, partition: p.partition });
      await o.broker.resetMirror(o.local, p.partition, p.logStartOffset);
      o.hub.counters.replicaResets++;
      o.hub.gap({
        topic: o.local,
        partition: p.partition,
        from: state.logEndOffset,
        to: p.logStartOffset,
        reason: "recreated",
        at: o.now(),
      });
    }
    o.warn(`rill sync: edge topic ${o.spec.edge} was re-created; replica ${o.local} starts over`);
  }

  let resetting: Promise<void> | undefined;
  let checking: Promise<boolean> | undefined;

  async function check(downloaders: readonly Downloader[]): Promise<boolean> {
    if (resetting) return true;
    const info = await o.edge.describeTopic(o.spec.edge, o.signal);
    o.hub.contact();
    if (info.topicId === topicId) return false;
    o.warn(`rill sync: edge topic ${o.spec.edge} was re-created; replica ${o.local} starts over`);
    resetting = Promise.all(
      downloaders.map((d, partition) => d.requestReset(info.partitions[partition]?.logStartOffset ?? 0, "recreated")),
    ).then(
      () => remember(info.topicId),
      () => undefined,
    );
    resetting.finally(() => {
      resetting = undefined;
    });
    return true;
  }

  function checkOnce(downloaders: readonly Downloader[]): Promise<boolean> {
    checking ??= check(downloaders).finally(() => {
      checking = undefined;
    });
    return checking;
  }

  return {
    partitions: remote.partitions.length,
    check: checkOnce,
    async watch(downloaders) {
      while (!o.signal.aborted) {
        await pause(TOPIC_CHECK_MS, o.signal);
        if (o.signal.aborted) break;
        try {
          await checkOnce(downloaders);
        } catch (error) {
          if (!o.signal.aborted) o.hub.failure(error, { topic: o.local });
        }
      }
    },
  };
}
