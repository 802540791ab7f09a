// The producer (kafkajs's shape): send() prepares the records, waits for buffer memory, and hands
// them to the accumulator; closed batches go to one sender per partition, which retries, keeps
// order and, by default, makes retries idempotent. send() resolves once its records are acknowledged.

import { type CompressionType, createStickyPartitioner, RillError, type StickyPartitioner } from "@rill/core";
import { paths } from "@rill/protocol";
import { createBufferPool } from "./buffer-pool.ts";
import type { MetadataCache } from "./metadata.ts";
import { checkOptions, type KnownKeys } from "./options.ts";
import { type AppendAnswer, createPartitionSender, type PartitionSender, type ProducerIdentity } from "./partition-sender.ts";
import { defaultPartitioner, type Partitioner } from "./partitioner.ts";
import { type Acks, createAccumulator, type ProducerBatch, type RecordMetadata, type SendOutcome } from "./producer-batches.ts";
import { type Message, maxBatchBytesOf, type PreparedRecord, prepareRecord } from "./producer-records.ts";
import { RETRY_OPTIONS, type ResolvedRetry, type RetryOptions, resolveRetry, withRetry } from "./retry.ts";
import { createRecordValidator, type TopicSchema } from "./schema.ts";
import { type MessageData, type Serializer, serializers } from "./serializers.ts";
import { createNotifier, deferred, untilAborted } from "./signals.ts";
import type { Transport } from "./transport.ts";

/** 0, 1, -1 or "all" (the default). */
export type AcksOption = Acks | "all";

export interface ProducerOptions<K = MessageData, V = MessageData> {
  /** Acknowledgement each send waits for, unless the send says otherwise (default "all"). */
  acks?: AcksOption;
  /** Sequenced batches, so retries never duplicate (default true; acks=0 sends are never sequenced). */
  idempotent?: boolean;
  /** Batch compression (default "none"). */
  compression?: Exclude<CompressionType, "zstd">;
  /** Bytes a partition's batch gathers before it is sent (default 16 384, Kafka's batch.size). */
  batchSize?: number;
  /** How long a batch waits for more records before it is sent (default 5 ms, Kafka's linger.ms). */
  lingerMs?: number;
  /** Bytes of unacknowledged records before send() waits (default 32 MiB, Kafka's buffer.memory). */
  bufferMemory?: number;
  /** Longest send() waits for buffer memory, then REQUEST_TIMED_OUT (default 60 000, Kafka's max.block.ms). */
  maxBlockMs?: number;
  /** Batches in flight per partition (default 5; at most 5 with idempotence). */
  maxInFlight?: number;
  retry?: RetryOptions;
  /** Picks partitions for messages without one (default: Kafka's murmur2 / sticky). */
  partitioner?: Partitioner;
  /** Value schemas by topic, checked before a record leaves. */
  schemas?: Record<string, TopicSchema>;
  serializers?: { key?: Serializer<K>; value?: Serializer<V> };
}

export interface ProducerRecord<K = MessageData, V = MessageData> {
  topic: string;
  messages: Array<Message<K, V>>;
  acks?: AcksOption;
  /** Aborts the wait for metadata and buffer memory; records already batched are delivered regardless. */
  signal?: AbortSignal;
}

export interface ProducerBatchRecord<K = MessageData, V = MessageData> {
  topicMessages: Array<{ topic: string; messages: Array<Message<K, V>> }>;
  acks?: AcksOption;
  signal?: AbortSignal;
}

export interface Producer<K = MessageData, V = MessageData> {
  /** Obtains the producer id now, so a broker problem shows before the first send (optional). */
  connect(): Promise<void>;
  /** Sends messages to one topic; resolves with each record's metadata, in message order. */
  send(record: ProducerRecord<K, V>): Promise<RecordMetadata[]>;
  /** Sends messages to several topics at once. */
  sendBatch(batch: ProducerBatchRecord<K, V>): Promise<RecordMetadata[]>;
  /** Sends whatever is batched now and waits until every record sent so far is acknowledged or failed. */
  flush(): Promise<void>;
  /** Refuses new sends, then flushes. */
  disconnect(): Promise<void>;
}

export interface ProducerDeps {
  transport: Transport;
  metadata: MetadataCache;
  retry: RetryOptions | undefined;
}

export function toAcks(value: AcksOption | undefined): Acks {
  if (value === undefined || value === "all" || value === -1) return -1;
  if (value === 0 || value === 1) return value;
  throw new RillError("INVALID_REQUIRED_ACKS", `acks must be 0, 1, -1 or "all", got ${JSON.stringify(value)}`);
}

function positive(name: string, value: number | undefined, fallback: number, min = 1): number {
  const n = value ?? fallback;
  if (!Number.isFinite(n) || n < min) throw new RillError("INVALID_CONFIG", `producer ${name} must be a number >= ${min}, got ${value}`);
  return n;
}

const PRODUCER_OPTIONS: KnownKeys<ProducerOptions> = {
  acks: true,
  idempotent: true,
  compression: true,
  batchSize: true,
  lingerMs: true,
  bufferMemory: true,
  maxBlockMs: true,
  maxInFlight: true,
  retry: true,
  partitioner: true,
  schemas: true,
  serializers: true,
};
const RECORD_OPTIONS: KnownKeys<ProducerRecord> = { topic: true, messages: true, acks: true, signal: true };
const BATCH_OPTIONS: KnownKeys<ProducerBatchRecord> = { topicMessages: true, acks: true, signal: true };

export function createProducer<K = MessageData, V = MessageData>(deps: ProducerDeps, options: ProducerOptions<K, V> = {}): Producer<K, V> {
  checkOptions("producer", options, PRODUCER_OPTIONS as KnownKeys<ProducerOptions<K, V>>);
  checkOptions("producer retry", options.retry, RETRY_OPTIONS);
  const { transport, metadata } = deps;
  const retry: ResolvedRetry = resolveRetry(options.retry ?? deps.retry);
  const idempotent = options.idempotent ?? true;
  const compression = options.compression ?? "none";
  if (!["none", "gzip", "snappy", "lz4"].includes(compression)) {
    throw new RillError("UNSUPPORTED_COMPRESSION_TYPE", `compression must be none, gzip, snappy or lz4, got ${String(compression)}`);
  }
  const maxInFlight = positive("maxInFlight", options.maxInFlight, 5);
  if (idempotent && maxInFlight > 5) {
    throw new RillError("INVALID_CONFIG", "maxInFlight above 5 breaks idempotence (brokers remember 5 batches per producer)");
  }
  const maxBlockMs = positive("maxBlockMs", options.maxBlockMs, 60_000, 0);
  const defaultAcks = toAcks(options.acks);
  const keySerializer = (options.serializers?.key ?? serializers.bytes) as Serializer<K>;
  const valueSerializer = (options.serializers?.value ?? serializers.bytes) as Serializer<V>;
  const partitioner = options.partitioner ?? defaultPartitioner;
  const validator = createRecordValidator(options.schemas);
  const pool = createBufferPool(positive("bufferMemory", options.bufferMemory, 32 * 1024 * 1024));
  const senders = new Map<string, PartitionSender>();
  const stickies = new Map<string, { sticky: StickyPartitioner; partitionCount: number }>();
  const idle = createNotifier();
  let unfinished = 0;
  let closed = false;
  let identity: Promise<ProducerIdentity> | undefined;
  // sends enter the accumulator in call order (Kafka's per-partition order across send calls),
  // though they prepare concurrently: each waits for the previous one's turn to end
  let admission: Promise<void> = Promise.resolve();

  const initProducer = () =>
    withRetry(retry, () => transport.json<ProducerIdentity>({ method: "POST", path: paths.producers(), json: {} }));

  function sharedIdentity(): Promise<ProducerIdentity> {
    identity ??= initProducer().catch((error) => {
      identity = undefined;
      throw error;
    });
    return identity;
  }

  async function post(batch: ProducerBatch, bytes: Uint8Array) {
    const spec = {
      method: "POST" as const,
      path: paths.batches(batch.topic, batch.partition),
      query: { acks: batch.acks === -1 ? "all" : batch.acks },
      bytes,
      quota: "produce" as const,
    };
    if (batch.acks === 0) {
      await transport.request(spec);
      return null;
    }
    return transport.json<AppendAnswer>(spec);
  }

  function finished(batch: ProducerBatch): void {
    pool.release(batch.records.reduce((n, r) => n + r.size, 0));
    unfinished -= batch.records.length;
    if (unfinished === 0) idle.notify();
  }

  function senderFor(batch: ProducerBatch): PartitionSender {
    const sequenced = idempotent && batch.acks !== 0;
    const key = `${sequenced ? "s" : "p"}\u0000${batch.partition}\u0000${batch.topic}`;
    let sender = senders.get(key);
    if (!sender) {
      sender = createPartitionSender({
        topic: batch.topic,
        partition: batch.partition,
        idempotent: sequenced,
        maxInFlight,
        retry,
        compression,
        identity: sharedIdentity,
        freshIdentity: initProducer,
        post,
        finished,
        sawError: (error) => {
          if (error instanceof RillError) metadata.noteError(batch.topic, error.code);
        },
      });
      senders.set(key, sender);
    }
    return sender;
  }

  const accumulator = createAccumulator({
    batchSize: positive("batchSize", options.batchSize, 16_384),
    lingerMs: positive("lingerMs", options.lingerMs, 5, 0),
    onReady(batch) {
      // KIP-480: keyless records move on to the next partition once the current one's batch is sent
      const s = stickies.get(batch.topic);
      if (s && s.sticky.current(s.partitionCount) === batch.partition) s.sticky.next();
      senderFor(batch).add(batch);
    },
  });

  function stickyFor(topic: string, partitionCount: number): number {
    let s = stickies.get(topic);
    if (!s) stickies.set(topic, (s = { sticky: createStickyPartitioner(), partitionCount }));
    s.partitionCount = partitionCount;
    return s.sticky.current(partitionCount);
  }

  async function sendMany(groups: ProducerBatchRecord<K, V>["topicMessages"], acksOption: AcksOption | undefined, signal?: AbortSignal) {
    if (closed) throw new RillError("INVALID_REQUEST", "the producer is disconnected");
    const previous = admission;
    const turn = deferred<void>();
    admission = turn.promise;
    let admitted: { acknowledged: Promise<RecordMetadata[]> };
    try {
      admitted = await admit(groups, acksOption, previous, signal);
    } finally {
      turn.resolve();
    }
    return admitted.acknowledged;
  }

  async function admit(
    groups: ProducerBatchRecord<K, V>["topicMessages"],
    acksOption: AcksOption | undefined,
    previous: Promise<void>,
    signal?: AbortSignal,
  ): Promise<{ acknowledged: Promise<RecordMetadata[]> }> {
    const acks = acksOption === undefined ? defaultAcks : toAcks(acksOption);
    const prepared: Array<PreparedRecord & { topic: string; maxBatchBytes: number }> = [];
    for (const { topic, messages } of groups) {
      if (!Array.isArray(messages)) throw new RillError("INVALID_RECORD", `messages for topic ${topic} must be an array`);
      const info = metadata.peek(topic) ?? (await withRetry(retry, () => metadata.topic(topic, signal), { signal }));
      const ctx = {
        topic,
        info,
        keySerializer,
        valueSerializer,
        partitioner,
        validator,
        stickyPartition: stickyFor(topic, info.partitions.length),
        now: Date.now(),
      };
      const maxBatchBytes = maxBatchBytesOf(info);
      for (let i = 0; i < messages.length; i++) {
        const one = prepareRecord(ctx, messages[i] as Message<K, V>, i);
        const ready = one instanceof Promise ? await one : one;
        prepared.push({ partition: ready.partition, record: ready.record, size: ready.size, topic, maxBatchBytes });
      }
    }
    const bytes = prepared.reduce((n, p) => n + p.size, 0);
    await untilAborted(previous, signal);
    const waiting = pool.acquire(bytes, maxBlockMs, signal);
    if (waiting) await waiting;
    if (closed) {
      pool.release(bytes);
      throw new RillError("INVALID_REQUEST", "the producer was disconnected while the send waited");
    }
    unfinished += prepared.length;
    const send: SendOutcome = { metadata: new Array(prepared.length), remaining: prepared.length, result: deferred() };
    if (prepared.length === 0) send.result.resolve([]);
    prepared.forEach((p, index) => {
      accumulator.append(p.topic, p.partition, acks, { record: p.record, size: p.size, send, index }, p.maxBatchBytes);
    });
    // wrapped, not awaited: the turn ends once the records are batched, not once they are acknowledged
    return { acknowledged: send.result.promise };
  }

  async function flush(): Promise<void> {
    // sends called before flush() may still be preparing: they count as sent before it
    await admission;
    while (unfinished > 0) {
      const wake = idle.wait();
      accumulator.closeAll();
      await wake;
    }
  }

  return {
    async connect() {
      if (idempotent) await sharedIdentity();
    },
    async send(record) {
      checkOptions("send", record, RECORD_OPTIONS as KnownKeys<ProducerRecord<K, V>>);
      return sendMany([{ topic: record.topic, messages: record.messages }], record.acks, record.signal);
    },
    async sendBatch(batch) {
      checkOptions("sendBatch", batch, BATCH_OPTIONS as KnownKeys<ProducerBatchRecord<K, V>>);
      return sendMany(batch.topicMessages, batch.acks, batch.signal);
    },
    flush,
    async disconnect() {
      closed = true;
      await flush();
    },
  };
}
