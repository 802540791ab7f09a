// kafkajs's consumer over @rill/client's group consumer (KIP-848: the broker assigns). run()
// resolves once the member has joined, as kafkajs's does, and consumes in the background until
// stop() or disconnect(). kafkajs's per-topic fromBeginning is honoured: when some subscribed
// topics want it and others do not, their partitions without a committed offset are moved to the
// start as they are assigned. Handlers run one partition at a time (partitionsConsumedConcurrently
// is accepted; Rill's consumer hands over one partition's chunk at a time).

import type { Client, Consumer as RillConsumer, TopicPartition } from "@rill/client";
import { toBuffer } from "./buffer.ts";
import { KafkaJSInvalidArgument, kafkaErrors, toKafkaJSError } from "./errors.ts";
import { CONSUMER_EVENTS, createEmitter } from "./events.ts";
import type { ClientFactory } from "./kafka.ts";
import { toKafkaBatch, toKafkaMessage } from "./messages.ts";
import { checkKeys, offsetNumber } from "./options.ts";
import type {
  Consumer,
  ConsumerConfig,
  ConsumerRunConfig,
  ConsumerSubscribeTopic,
  ConsumerSubscribeTopics,
  GroupDescription,
  TopicPartitions,
} from "./types.ts";

const CONSUMER_OPTIONS = [
  "groupId",
  "partitionAssigners",
  "metadataMaxAge",
  "sessionTimeout",
  "rebalanceTimeout",
  "heartbeatInterval",
  "maxBytesPerPartition",
  "minBytes",
  "maxBytes",
  "maxWaitTimeInMs",
  "retry",
  "allowAutoTopicCreation",
  "maxInFlightRequests",
  "readUncommitted",
  "rackId",
];
const SUBSCRIBE_OPTIONS = ["topic", "topics", "fromBeginning"];
const RUN_OPTIONS = [
  "autoCommit",
  "autoCommitInterval",
  "autoCommitThreshold",
  "eachBatchAutoResolve",
  "partitionsConsumedConcurrently",
  "eachBatch",
  "eachMessage",
];

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

export function createConsumer(factory: ClientFactory, config: ConsumerConfig): Consumer {
  checkKeys("consumer()", config, CONSUMER_OPTIONS);
  if (!config?.groupId) throw new KafkaJSInvalidArgument("Consumer groupId must be a non-empty string.");
  const { groupId } = config;
  const emitter = createEmitter("consumer", CONSUMER_EVENTS);
  const logger = factory.logger.namespace("Consumer");
  const subscriptions: Array<{ topic: string | RegExp; fromBeginning: boolean }> = [];
  const pendingSeeks = new Map<string, number | "earliest" | "latest">();
  let client: Client | undefined;
  let native: RillConsumer | undefined;
  let running: Promise<void> | undefined;
  const key = (tp: TopicPartition) => `${tp.topic}\u0000${tp.partition}`;

  async function clientOf(): Promise<Client> {
    client ??= await factory.client(emitter);
    return client;
  }

  function applySeeks(): void {
    if (!native) return;
    const assigned = new Set(native.assignment().map(key));
    for (const [id, offset] of pendingSeeks) {
      if (!assigned.has(id)) continue;
      const [topic, partition] = id.split("\u0000") as [string, string];
      native.seek({ topic, partition: Number(partition), offset });
      pendingSeeks.delete(id);
    }
  }

  /** Partitions of topics subscribed fromBeginning (when others are not) start at the log's start if the group has no offset. */
  async function startFromBeginning(tps: TopicPartition[]): Promise<void> {
    const wanted = tps.filter((tp) =>
      subscriptions.some((s) => s.fromBeginning && (s.topic instanceof RegExp ? s.topic.test(tp.topic) : s.topic === tp.topic)),
    );
    if (!native || wanted.length === 0) return;
    const committed = await native.committed(wanted);
    for (const tp of wanted) {
      if (!committed.some((c) => c.topic === tp.topic && c.partition === tp.partition) && !pendingSeeks.has(key(tp))) {
        pendingSeeks.set(key(tp), "earliest");
      }
    }
  }

  async function start(run: ConsumerRunConfig): Promise<void> {
    if (subscriptions.length === 0) throw new KafkaJSInvalidArgument("Consumer: subscribe() before run()");
    const c = await clientOf();
    native = c.consumer({
      groupId,
      sessionTimeoutMs: config.sessionTimeout,
      rebalanceTimeoutMs: config.rebalanceTimeout,
      autoCommit: run.autoCommit ?? true,
      autoCommitIntervalMs: run.autoCommitInterval ?? undefined,
      fetchMinBytes: config.minBytes,
      fetchMaxWaitMs: config.maxWaitTimeInMs,
      maxPartitionFetchBytes: config.maxBytesPerPartition,
      retry: config.retry ?? factory.retry,
    });
    const all = subscriptions.every((s) => s.fromBeginning);
    const mixed = !all && subscriptions.some((s) => s.fromBeginning);
    const literal = subscriptions.every((s) => typeof s.topic === "string");
    const names = subscriptions.map((s) => (typeof s.topic === "string" ? escapeRegExp(s.topic) : s.topic.source));
    await native.subscribe({
      ...(literal ? { topics: subscriptions.map((s) => s.topic as string) } : { pattern: `^(?:${names.join("|")})$` }),
      fromBeginning: all,
      onPartitionsAssigned: async (tps) => {
        if (mixed) await startFromBeginning(tps);
        emitter.emit("GROUP_JOIN", { groupId, memberId: native?.groupMetadata()?.memberId, memberAssignment: groupBy(tps) });
        // the partitions join the fetcher right after this listener: seek then
        setTimeout(applySeeks, 0);
      },
      onPartitionsRevoked: () => emitter.emit("REBALANCING", { groupId, memberId: native?.groupMetadata()?.memberId }),
    });
    let sinceCommit = 0;
    const threshold = run.autoCommitThreshold ?? 0;
    const counted = async (n: number) => {
      sinceCommit += n;
      if (threshold > 0 && (run.autoCommit ?? true) && sinceCommit >= threshold) {
        sinceCommit = 0;
        await native?.commitAsync().catch(() => undefined);
      }
    };
    const batchEvent = (name: "START_BATCH_PROCESS" | "END_BATCH_PROCESS", b: ReturnType<typeof toKafkaBatch>, started: number) =>
      emitter.emit(name, {
        topic: b.topic,
        partition: b.partition,
        highWatermark: b.highWatermark,
        offsetLag: b.offsetLag(),
        offsetLagLow: b.offsetLagLow(),
        batchSize: b.messages.length,
        firstOffset: b.firstOffset(),
        lastOffset: b.lastOffset(),
        duration: Date.now() - started,
      });
    const consumer = native;
    running = consumer
      .run({
        eachBatchAutoResolve: run.eachBatchAutoResolve ?? true,
        ...(run.eachBatch
          ? {
              eachBatch: async (payload) => {
                const batch = toKafkaBatch(payload.batch);
                const started = Date.now();
                batchEvent("START_BATCH_PROCESS", batch, started);
                await run.eachBatch?.({
                  batch,
                  resolveOffset: (offset) => payload.resolveOffset(offsetNumber(offset)),
                  heartbeat: payload.heartbeat,
                  pause: payload.pause,
                  isRunning: payload.isRunning,
                  isStale: payload.isStale,
                  commitOffsetsIfNecessary: async () => {
                    if (run.autoCommit ?? true) await consumer.commitSync();
                  },
                  uncommittedOffsets: () => ({ topics: [] }),
                });
                batchEvent("END_BATCH_PROCESS", batch, started);
                await counted(batch.messages.length);
              },
            }
          : {
              eachMessage: async (payload) => {
                await run.eachMessage?.({
                  topic: payload.topic,
                  partition: payload.partition,
                  message: toKafkaMessage(payload.message),
                  heartbeat: payload.heartbeat,
                  pause: payload.pause,
                });
                await counted(1);
              },
            }),
      })
      .catch((error: unknown) => {
        const e = toKafkaJSError(error);
        logger.error(`Crash: ${e.name}: ${e.message}`, { groupId });
        emitter.emit("CRASH", { error: e, groupId, restart: false });
      });
    await consumer.connect();
  }

  return {
    events: emitter.events,
    on: emitter.on,
    logger: () => logger,
    async connect() {
      await kafkaErrors(() => clientOf());
      emitter.emit("CONNECT");
    },
    async subscribe(subscription: ConsumerSubscribeTopics | ConsumerSubscribeTopic) {
      checkKeys("subscribe()", subscription, SUBSCRIBE_OPTIONS);
      const s = subscription as { topic?: string | RegExp; topics?: Array<string | RegExp>; fromBeginning?: boolean };
      const topics = s.topics ?? (s.topic === undefined ? [] : [s.topic]);
      if (topics.length === 0) throw new KafkaJSInvalidArgument('Missing required argument "topics"');
      for (const topic of topics) {
        if (typeof topic !== "string" && !(topic instanceof RegExp)) throw new KafkaJSInvalidArgument(`Invalid topic ${String(topic)}`);
        subscriptions.push({ topic, fromBeginning: Boolean(s.fromBeginning) });
      }
    },
    async run(runConfig: ConsumerRunConfig = {}) {
      checkKeys("run()", runConfig, RUN_OPTIONS);
      if (running) {
        logger.warn("consumer#run was called while the consumer is already running");
        return;
      }
      await kafkaErrors(() => start(runConfig));
    },
    async stop() {
      await kafkaErrors(async () => {
        await native?.stop();
        await running;
      });
      running = undefined;
      emitter.emit("STOP");
    },
    async disconnect() {
      await kafkaErrors(async () => {
        await native?.disconnect();
        await running;
      });
      running = undefined;
      native = undefined;
      emitter.emit("DISCONNECT");
    },
    async commitOffsets(offsets) {
      await kafkaErrors(async () => {
        if (!native) throw new KafkaJSInvalidArgument("commitOffsets() needs a running consumer");
        const list = offsets.map((o) => ({ topic: o.topic, partition: o.partition, offset: offsetNumber(o.offset) }));
        await native.commitOffsets(list);
        emitter.emit("COMMIT_OFFSETS", { groupId, memberId: native.groupMetadata()?.memberId, topics: groupOffsets(list) });
      });
    },
    seek({ topic, partition, offset }) {
      const n = offsetNumber(offset);
      // kafkajs's special offsets: -1 is the end, -2 the start
      pendingSeeks.set(key({ topic, partition }), n === -1 ? "latest" : n === -2 ? "earliest" : n);
      applySeeks();
    },
    pause(topics: TopicPartitions[]) {
      if (!native) throw new KafkaJSInvalidArgument("pause() needs a running consumer");
      native.pause(topics);
    },
    resume(topics: TopicPartitions[]) {
      if (!native) throw new KafkaJSInvalidArgument("resume() needs a running consumer");
      native.resume(topics);
    },
    paused: () => groupBy(native?.paused() ?? []).map((t) => ({ topic: t.topic, partitions: t.partitions })),
    async describeGroup(): Promise<GroupDescription> {
      return kafkaErrors(async () => {
        const described = await (await clientOf()).admin().describeGroup(groupId);
        return toGroupDescription(described);
      });
    },
  };
}

function groupBy(tps: TopicPartition[]): Array<{ topic: string; partitions: number[] }> {
  const map = new Map<string, number[]>();
  for (const tp of tps) map.set(tp.topic, [...(map.get(tp.topic) ?? []), tp.partition]);
  return [...map].map(([topic, partitions]) => ({ topic, partitions: partitions.sort((a, b) => a - b) }));
}

function groupOffsets(list: Array<TopicPartition & { offset: number }>) {
  const map = new Map<string, Array<{ partition: string; offset: string }>>();
  for (const o of list) map.set(o.topic, [...(map.get(o.topic) ?? []), { partition: String(o.partition), offset: String(o.offset) }]);
  return [...map].map(([topic, partitions]) => ({ topic, partitions }));
}

/** Rill's group description in kafkajs's shape (assignments as JSON bytes: Rill has no consumer protocol blobs). */
export function toGroupDescription(d: Awaited<ReturnType<ReturnType<Client["admin"]>["describeGroup"]>>): GroupDescription {
  const encode = (v: unknown) => toBuffer(new TextEncoder().encode(JSON.stringify(v)));
  return {
    groupId: d.groupId,
    protocol: d.assignor,
    protocolType: "consumer",
    // kafkajs's (classic protocol) names for KIP-848's states
    state: d.state === "Stable" ? "Stable" : d.state === "Empty" ? (d.members.length === 0 ? "Empty" : "Stable") : "PreparingRebalance",
    errorCode: 0,
    members: d.members.map((m) => ({
      memberId: m.memberId,
      clientId: m.clientId,
      clientHost: "",
      memberMetadata: encode({ topics: m.subscribedTopics }),
      memberAssignment: encode(m.assignment),
    })),
  };
}
