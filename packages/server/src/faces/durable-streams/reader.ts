// Reading a Durable Stream: its own records (one record per append), after the records it
// inherits from a fork source (read from the source, capped at the fork position), with the
// close marker ending the stream. Positions are Kafka offsets shifted by the inherited prefix.

import { decodeBatches, isRillError, type LogRecord } from "@rill/core";
import type { Broker } from "../../broker.ts";
import type { Stream, StreamStore } from "./stream-store.ts";

/** Header of the record that closes a stream: no value (close only) or the last append's value. */
export const CLOSE_HEADER = "durable-streams.closed";

export interface Chunk {
  /** The stream position of the record; the next position is `position + 1`. */
  position: number;
  value: Uint8Array;
}

export interface ReadOutcome {
  chunks: Chunk[];
  /** The position to read next. */
  next: number;
  /** Every record that existed when the read was answered is in `chunks` (or before). */
  upToDate: boolean;
  /** Where the stream ends, when a close marker was met. */
  closedAt?: number;
}

export interface ReadOptions {
  maxBytes: number;
  maxWaitMs?: number;
  signal?: AbortSignal;
}

function closes(record: LogRecord): boolean {
  return record.headers.some((h) => h.key === CLOSE_HEADER);
}

export function createStreamReader(broker: Broker, store: StreamStore) {
  /** The stream's own records from `from` (not below its fork position). */
  async function readOwn(stream: Stream, from: number, options: ReadOptions, honourClose: boolean): Promise<ReadOutcome> {
    const base = stream.state.config.fork?.offset ?? 0;
    const ref = { topic: stream.topic, partition: 0 };
    let result: Awaited<ReturnType<Broker["fetch"]>>;
    try {
      result = await broker.fetch(
        ref,
        { offset: from - base, maxBytes: options.maxBytes, minBytes: 1, maxWaitMs: options.maxWaitMs ?? 0 },
        { signal: options.signal },
      );
    } catch (error) {
      // a position past the end reads as nothing new, at the end
      if (!isRillError(error, "OFFSET_OUT_OF_RANGE")) throw error;
      const end = (await broker.listOffset(ref, "latest")).offset;
      if (from - base <= end) throw error;
      return { chunks: [], next: base + end, upToDate: true };
    }
    const chunks: Chunk[] = [];
    let closedAt: number | undefined;
    for (const record of decodeBatches(result.batches.map((b) => b.bytes))) {
      if (record.offset < from - base || record.offset >= result.highWatermark) continue;
      const position = base + record.offset;
      if (honourClose && closes(record)) {
        if (record.value !== null) chunks.push({ position, value: record.value });
        closedAt = record.value === null ? position : position + 1;
        break;
      }
      if (record.value !== null) chunks.push({ position, value: record.value });
    }
    if (closedAt !== undefined) return { chunks, next: closedAt, upToDate: true, closedAt };
    const next = base + result.nextOffset;
    return { chunks, next, upToDate: next >= base + result.highWatermark };
  }

  /** Records of `stream` in [from, cap): what a fork inherits (closure of the source does not carry over). */
  async function readInherited(name: string, from: number, cap: number, options: ReadOptions): Promise<ReadOutcome> {
    const source = await store.load(name);
    if (!source) return { chunks: [], next: cap, upToDate: true };
    const outcome = await readChain(source, from, { ...options, maxWaitMs: 0 }, false);
    const chunks = outcome.chunks.filter((c) => c.position < cap);
    const next = Math.min(outcome.next, cap);
    return { chunks, next, upToDate: next >= cap };
  }

  async function readChain(stream: Stream, from: number, options: ReadOptions, honourClose: boolean): Promise<ReadOutcome> {
    const fork = stream.state.config.fork;
    if (!fork || from >= fork.offset) return readOwn(stream, Math.max(from, fork?.offset ?? 0), options, honourClose);
    const inherited = await readInherited(fork.from, from, fork.offset, options);
    if (!inherited.upToDate) return { ...inherited, upToDate: false };
    const used = inherited.chunks.reduce((n, c) => n + c.value.length, 0);
    if (used >= options.maxBytes && inherited.chunks.length > 0) return { ...inherited, upToDate: false };
    // nothing inherited is left: the fork's own records follow (a wait only when nothing came)
    const own = await readOwn(
      stream,
      fork.offset,
      { ...options, maxBytes: Math.max(1, options.maxBytes - used), maxWaitMs: inherited.chunks.length > 0 ? 0 : options.maxWaitMs },
      honourClose,
    );
    return { ...own, chunks: [...inherited.chunks, ...own.chunks] };
  }

  return {
    /** Reads from position `from`; waits up to `maxWaitMs` when nothing is there. */
    read: (stream: Stream, from: number, options: ReadOptions) => readChain(stream, from, options, true),

    /** The position after the last record (the closed end when closed). */
    async tail(stream: Stream): Promise<number> {
      if (stream.state.closed) return stream.state.closed.at;
      const base = stream.state.config.fork?.offset ?? 0;
      return base + (await broker.listOffset({ topic: stream.topic, partition: 0 }, "latest")).offset;
    },

    /** The first record at or after `position` (a fork's sub-offset takes part of it). */
    async recordAt(stream: Stream, position: number): Promise<Chunk | undefined> {
      return (await readChain(stream, position, { maxBytes: 1 }, false)).chunks[0];
    },
  };
}

export type StreamReader = ReturnType<typeof createStreamReader>;
