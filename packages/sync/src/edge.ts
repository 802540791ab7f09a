// The edge as the sync engine sees it: five calls over @rill/client's transport (failover,
// deadlines, RillError rebuilt from answers). Binary both ways: batches are POSTed as the bytes the
// uploader built, and fetched as the bytes the edge stores.

import { type Auth, createTransport, type FetchLike } from "@rill/client";
import { RillError } from "@rill/core";
import { BATCHES_MEDIA_TYPE, HIGH_WATERMARK_HEADER, LOG_START_OFFSET_HEADER, NEXT_OFFSET_HEADER, paths } from "@rill/protocol";
import type { EdgeConfig } from "./types.ts";

export interface EdgeTopic {
  name: string;
  topicId: string;
  partitions: Array<{ partition: number; logStartOffset: number; highWatermark: number }>;
}

export interface EdgeProduceAnswer {
  baseOffset: number;
  lastOffset: number;
  batches: Array<{ baseOffset: number; lastOffset: number; duplicate: boolean }>;
}

export interface EdgeFetchAnswer {
  /** Concatenated stored batches (may be empty). */
  bytes: Uint8Array;
  nextOffset: number;
  highWatermark: number;
  logStartOffset: number;
}

export interface Edge {
  describeTopic(topic: string, signal?: AbortSignal): Promise<EdgeTopic>;
  initProducer(transactionalId: string, signal?: AbortSignal): Promise<{ producerId: number; producerEpoch: number }>;
  /** One record batch, acks=all. */
  produceBatch(topic: string, partition: number, bytes: Uint8Array, signal?: AbortSignal): Promise<EdgeProduceAnswer>;
  fetchBatches(
    topic: string,
    partition: number,
    offset: number,
    options: { maxBytes: number; maxWaitMs: number; signal?: AbortSignal },
  ): Promise<EdgeFetchAnswer>;
}

function headerInt(headers: Headers, name: string): number {
  const n = Number(headers.get(name));
  if (!Number.isSafeInteger(n)) throw new RillError("UNKNOWN_SERVER_ERROR", `the edge's fetch answer has no usable ${name} header`);
  return n;
}

/** Auth asked for per request, so a token refreshed by the app is used at once. */
function authorised(base: FetchLike, getAuth: NonNullable<EdgeConfig["getAuth"]>): FetchLike {
  return async (input, init) => {
    const auth: Auth | undefined = await getAuth();
    const headers = new Headers(init.headers);
    if (auth && "bearer" in auth) headers.set("authorization", `Bearer ${auth.bearer}`);
    if (auth && "headers" in auth) for (const [k, v] of Object.entries(auth.headers)) headers.set(k, v);
    return base(input, { ...init, headers });
  };
}

export function createEdge(config: EdgeConfig): Edge {
  const base: FetchLike = config.fetch ?? ((input, init) => fetch(input, init));
  const transport = createTransport({
    brokers: config.brokers,
    clientId: "rill-sync",
    auth: config.getAuth ? undefined : config.auth,
    fetch: config.getAuth ? authorised(base, config.getAuth) : base,
    requestTimeoutMs: config.requestTimeoutMs ?? 15_000,
  });

  return {
    describeTopic: (topic, signal) => transport.json<EdgeTopic>({ method: "GET", path: paths.topic(topic), signal }),

    initProducer: (transactionalId, signal) =>
      transport.json({ method: "POST", path: paths.producers(), json: { transactionalId }, signal }),

    produceBatch: (topic, partition, bytes, signal) =>
      transport.json<EdgeProduceAnswer>({
        method: "POST",
        path: paths.batches(topic, partition),
        query: { acks: "all" },
        bytes,
        signal,
      }),

    async fetchBatches(topic, partition, offset, options) {
      const result = await transport.request({
        method: "GET",
        path: paths.partitionRecords(topic, partition),
        query: { offset, maxBytes: options.maxBytes, maxWaitMs: options.maxWaitMs },
        accept: BATCHES_MEDIA_TYPE,
        waitMs: options.maxWaitMs,
        signal: options.signal,
      });
      return {
        bytes: result.body,
        nextOffset: headerInt(result.headers, NEXT_OFFSET_HEADER),
        highWatermark: headerInt(result.headers, HIGH_WATERMARK_HEADER),
        logStartOffset: headerInt(result.headers, LOG_START_OFFSET_HEADER),
      };
    },
  };
}
