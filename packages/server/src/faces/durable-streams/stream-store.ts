// Where a Durable Stream's settings live: a stream is a Rill topic of one partition with the same
// name, and what the protocol adds (content type, TTL, closure, fork source, writer sequence) is
// kept as committed-offset metadata of an internal consumer group per stream — Kafka's own place
// for small per-partition client state — so the face keeps no storage of its own. Each mutable
// part has its own entry (partition number), so a TTL touch never overwrites a concurrent close.

import { type CommittedOffset, isRillError, type TopicMetadata } from "@rill/core";
import { INTERNAL_GROUP_PREFIX } from "@rill/protocol";
import type { Broker } from "../../broker.ts";

/** Who closed a stream, so a retry of that same close is recognised. */
export interface ProducerTuple {
  id: string;
  epoch: number;
  seq: number;
}

export interface StreamConfig {
  topicId: string;
  contentType: string;
  ttlSeconds?: number;
  expiresAt?: string;
  createdAt: number;
  /** A fork reads `from` below `offset` (a position of the source), then its own records. */
  fork?: { from: string; offset: number; subOffset?: number };
}

export interface StreamState {
  config: StreamConfig;
  /** Last read or write, for the sliding TTL. */
  lastAccessAt: number;
  /** Set once: the position the stream ends at, and the producer that closed it. */
  closed?: { at: number; by?: ProducerTuple };
  /** Writer coordination (Stream-Seq) and the producers that sent one with it. */
  writer?: { seq?: string; producers?: Record<string, [number, number]> };
  /** Forks reading this stream, and whether it was deleted while they still do. */
  refs?: { forks: number; softDeleted: boolean };
}

export interface Stream {
  name: string;
  topic: TopicMetadata;
  state: StreamState;
  /** A plain Rill topic, read as an octet stream (no settings stored yet). */
  plain: boolean;
}

enum Entry {
  Config = 0,
  Access = 1,
  Closed = 2,
  Writer = 3,
  Refs = 4,
}

export function metadataGroup(name: string): string {
  return `${INTERNAL_GROUP_PREFIX}durable_streams.${name}`;
}

function parse<T>(entry: CommittedOffset | undefined): T | undefined {
  if (!entry?.metadata) return undefined;
  try {
    return JSON.parse(entry.metadata) as T;
  } catch {
    return undefined;
  }
}

export function createStreamStore(broker: Broker, now: () => number = Date.now) {
  async function topicOf(name: string, fresh: boolean): Promise<TopicMetadata | null> {
    try {
      return await broker.topic(name, { fresh });
    } catch (error) {
      if (isRillError(error, "UNKNOWN_TOPIC_OR_PARTITION")) return null;
      throw error;
    }
  }

  async function write(name: string, entry: Entry, offset: number, metadata: unknown): Promise<void> {
    await broker.resetGroupOffsets(metadataGroup(name), [
      {
        topic: name,
        partition: entry,
        offset,
        metadata: metadata === undefined ? null : JSON.stringify(metadata),
        leaderEpoch: -1,
        commitTimestamp: now(),
      },
    ]);
  }

  async function load(name: string, options: { fresh?: boolean } = {}): Promise<Stream | null> {
    const [topic, entries] = await Promise.all([topicOf(name, options.fresh ?? false), broker.fetchOffsets(metadataGroup(name))]);
    if (!topic) return null;
    const at = (entry: Entry) => entries.find((e) => e.topic === name && e.partition === entry);
    const config = parse<StreamConfig>(at(Entry.Config));
    // settings of an earlier topic of this name (deleted and made again by the Kafka API) do not apply
    if (!config || config.topicId !== topic.topicId) {
      // a cached topic may be one deleted (or made again) elsewhere: ask again before calling it plain
      if (!options.fresh) return load(name, { fresh: true });
      return {
        name,
        topic,
        plain: true,
        state: {
          config: { topicId: topic.topicId, contentType: "application/octet-stream", createdAt: topic.createdAt },
          lastAccessAt: now(),
        },
      };
    }
    return {
      name,
      topic,
      plain: false,
      state: {
        config,
        lastAccessAt: at(Entry.Access)?.offset ?? config.createdAt,
        closed: parse(at(Entry.Closed)),
        writer: parse(at(Entry.Writer)),
        refs: parse(at(Entry.Refs)),
      },
    };
  }

  function isExpired(state: StreamState): boolean {
    const t = now();
    const { expiresAt, ttlSeconds } = state.config;
    if (expiresAt !== undefined) {
      const at = Date.parse(expiresAt);
      if (!Number.isFinite(at) || t >= at) return true;
    }
    return ttlSeconds !== undefined && t >= state.lastAccessAt + ttlSeconds * 1000;
  }

  /** Deletes a stream's topic and settings; a fork lets go of its source (which may then go too). */
  async function destroy(stream: Stream): Promise<void> {
    try {
      await broker.deleteTopic(stream.name);
    } catch (error) {
      if (!isRillError(error, "UNKNOWN_TOPIC_OR_PARTITION")) throw error;
    }
    try {
      await broker.deleteGroup(metadataGroup(stream.name));
    } catch (error) {
      if (!isRillError(error, "GROUP_ID_NOT_FOUND")) throw error;
    }
    const from = stream.state.config.fork?.from;
    if (from) {
      const source = await load(from, { fresh: true });
      if (source && !source.plain) {
        const refs = { forks: Math.max(0, (source.state.refs?.forks ?? 1) - 1), softDeleted: source.state.refs?.softDeleted ?? false };
        if (refs.forks === 0 && refs.softDeleted) await destroy(source);
        else await write(from, Entry.Refs, refs.forks, refs);
      }
    }
  }

  return {
    load,
    isExpired,
    destroy,

    /**
     * The stream as a request may use it: null when it does not exist or has expired (an expired
     * stream that forks still read is kept, soft-deleted).
     */
    async open(name: string, options: { fresh?: boolean } = {}): Promise<Stream | null> {
      const stream = await load(name, options);
      if (!stream || stream.plain || !isExpired(stream.state)) return stream;
      if ((stream.state.refs?.forks ?? 0) > 0) {
        if (!stream.state.refs?.softDeleted) await this.setRefs(stream, { forks: stream.state.refs?.forks ?? 0, softDeleted: true });
        return stream;
      }
      await destroy(stream);
      return null;
    },

    async saveConfig(name: string, config: StreamConfig): Promise<void> {
      await write(name, Entry.Config, 0, config);
      await write(name, Entry.Access, now(), undefined);
    },

    /** Moves the sliding TTL on, at most every tenth of the TTL (a read need not write every time). */
    async touch(stream: Stream): Promise<void> {
      const ttl = stream.state.config.ttlSeconds;
      if (stream.plain || ttl === undefined) return;
      const t = now();
      if (t - stream.state.lastAccessAt < ttl * 100) return;
      stream.state.lastAccessAt = t;
      await write(stream.name, Entry.Access, t, undefined);
    },

    async setClosed(stream: Stream, closed: NonNullable<StreamState["closed"]>): Promise<void> {
      stream.state.closed = closed;
      await write(stream.name, Entry.Closed, closed.at, closed);
    },

    async setWriter(stream: Stream, writer: NonNullable<StreamState["writer"]>): Promise<void> {
      stream.state.writer = writer;
      await write(stream.name, Entry.Writer, 0, writer);
    },

    async setRefs(stream: Stream, refs: NonNullable<StreamState["refs"]>): Promise<void> {
      stream.state.refs = refs;
      await write(stream.name, Entry.Refs, refs.forks, refs);
    },
  };
}

export type StreamStore = ReturnType<typeof createStreamStore>;
