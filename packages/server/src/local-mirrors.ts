// Read-only mirrors in the in-process broker: a local topic that copies an upstream topic (a
// browser's or an embedded app's replica of an edge topic). The mark lives in a storage document
// keyed by the topic id, so it survives restarts, and a topic deleted and created again under the
// same name is an ordinary topic. Local producers are refused on a mirror; only the mirrored
// append (upstream's batches at upstream's offsets) and a reset write it, so its log end can serve
// as the download checkpoint.

import { RillError, type Storage, type TopicMetadata } from "@rill/core";

const MIRRORS = "mirrors";

export interface MirrorMark {
  /** The upstream topic this one copies (e.g. the edge topic's name). */
  upstream: string;
}

export interface LocalMirrors {
  /** The mark of a topic, or null for an ordinary topic. */
  markOf(topic: TopicMetadata): Promise<MirrorMark | null>;
  /** Marks a topic as a mirror (idempotent; the upstream name may be updated). */
  mark(topic: TopicMetadata, mark: MirrorMark): Promise<void>;
  /** Throws the typed error a local producer gets for a mirror. */
  refuseLocalWrites(topic: TopicMetadata): Promise<void>;
  /** Throws unless the topic is a mirror (mirrored appends and resets only go there). */
  requireMirror(topic: TopicMetadata): Promise<MirrorMark>;
  forget(topic: TopicMetadata): Promise<void>;
}

export function createLocalMirrors(storage: Storage): LocalMirrors {
  const cache = new Map<string, MirrorMark | null>();

  async function markOf(topic: TopicMetadata): Promise<MirrorMark | null> {
    if (cache.has(topic.topicId)) return cache.get(topic.topicId) ?? null;
    const doc = await storage.getDocument<MirrorMark>(MIRRORS, topic.topicId);
    const value = doc?.value ?? null;
    cache.set(topic.topicId, value);
    return value;
  }

  return {
    markOf,
    async mark(topic, mark) {
      if (topic.replicationFactor !== 1) {
        throw new RillError("INVALID_REPLICATION_FACTOR", `mirror topic ${topic.name} must have replication factor 1`);
      }
      for (let attempt = 0; attempt < 5; attempt++) {
        const doc = await storage.getDocument<MirrorMark>(MIRRORS, topic.topicId);
        if (doc?.value.upstream === mark.upstream) break;
        if (await storage.putDocument(MIRRORS, topic.topicId, doc?.version ?? 0, mark)) break;
      }
      cache.set(topic.topicId, mark);
    },
    async refuseLocalWrites(topic) {
      const mark = await markOf(topic);
      if (mark) {
        throw new RillError(
          "INVALID_TOPIC_EXCEPTION",
          `topic ${topic.name} is a read-only replica of ${mark.upstream}: produce to ${mark.upstream} instead`,
          { readOnly: true, mirrorOf: mark.upstream },
        );
      }
    },
    async requireMirror(topic) {
      const mark = await markOf(topic);
      if (!mark) throw new RillError("INVALID_TOPIC_EXCEPTION", `topic ${topic.name} is not a mirror: mirrored appends go to mirrors only`);
      return mark;
    },
    async forget(topic) {
      cache.delete(topic.topicId);
      await storage.deleteDocument(MIRRORS, topic.topicId);
    },
  };
}
