// kafkajs's producer over @rill/client's: send / sendBatch with acks, compression and partitions;
// answers are kafkajs's (one entry per topic-partition, offsets as strings). Rill's producer is
// idempotent unless told `idempotent: false`, and sends without lingering, as kafkajs does.
// Transactions are refused with KafkaJSNotImplemented until the engine has them.

import type { Client, RecordMetadata as RillMetadata, Producer as RillProducer } from "@rill/client";
import { CompressionTypes } from "./constants.ts";
import { KafkaJSInvalidArgument, KafkaJSNotImplemented, kafkaErrors } from "./errors.ts";
import { createEmitter, PRODUCER_EVENTS } from "./events.ts";
import type { ClientFactory } from "./kafka.ts";
import { checkKeys, offsetNumber } from "./options.ts";
import type { Message, Producer, ProducerBatch, ProducerConfig, RecordMetadata, TopicMessages } from "./types.ts";

const PRODUCER_OPTIONS = [
  "createPartitioner",
  "retry",
  "metadataMaxAge",
  "allowAutoTopicCreation",
  "idempotent",
  "transactionalId",
  "transactionTimeout",
  "maxInFlightRequests",
];
const SEND_OPTIONS = ["topic", "messages", "acks", "timeout", "compression"];
const BATCH_OPTIONS = ["topicMessages", "acks", "timeout", "compression"];
const MESSAGE_OPTIONS = ["key", "value", "partition", "headers", "timestamp"];

const COMPRESSION: Record<number, "none" | "gzip" | "snappy" | "lz4"> = {
  [CompressionTypes.None]: "none",
  [CompressionTypes.GZIP]: "gzip",
  [CompressionTypes.Snappy]: "snappy",
  [CompressionTypes.LZ4]: "lz4",
};

/** kafkajs answers one entry per topic-partition: its first offset in this send. */
function perPartition(records: RillMetadata[]): RecordMetadata[] {
  const byPartition = new Map<string, RecordMetadata>();
  for (const r of records) {
    const id = `${r.topicName}\u0000${r.partition}`;
    const seen = byPartition.get(id);
    if (seen && Number(seen.baseOffset) <= r.offset) continue;
    byPartition.set(id, {
      topicName: r.topicName,
      partition: r.partition,
      errorCode: 0,
      baseOffset: String(r.offset),
      logAppendTime: String(r.logAppendTime),
      logStartOffset: "-1",
    });
  }
  return [...byPartition.values()];
}

function toRillMessage(message: Message) {
  checkKeys("message", message, MESSAGE_OPTIONS);
  return {
    key: message.key ?? null,
    value: message.value,
    headers: message.headers as Record<string, string | Uint8Array | Array<string | Uint8Array>> | undefined,
    partition: message.partition,
    timestamp: message.timestamp === undefined ? undefined : offsetNumber(message.timestamp, "timestamp"),
  };
}

export function createProducer(factory: ClientFactory, config: ProducerConfig): Producer {
  checkKeys("producer()", config, PRODUCER_OPTIONS);
  const emitter = createEmitter("producer", PRODUCER_EVENTS);
  const logger = factory.logger.namespace("Producer");
  const idempotent = config.idempotent ?? true;
  let client: Promise<Client> | undefined;
  // one Rill producer per compression codec a send asks for (Rill sets it per producer)
  const producers = new Map<string, RillProducer>();
  const customPartitioner = config.createPartitioner?.();

  async function producerFor(compression: number | undefined): Promise<RillProducer> {
    const codec = COMPRESSION[compression ?? CompressionTypes.None];
    if (!codec) throw new KafkaJSInvalidArgument(`compression ${compression} is not supported (use None, GZIP, Snappy or LZ4)`);
    let producer = producers.get(codec);
    if (!producer) {
      client ??= factory.client(emitter);
      producer = (await client).producer({
        idempotent,
        compression: codec,
        lingerMs: 0,
        maxInFlight: config.maxInFlightRequests === undefined ? undefined : Math.min(config.maxInFlightRequests, idempotent ? 5 : 100),
        retry: config.retry ?? factory.retry,
        partitioner: customPartitioner
          ? ({ topic, partitionCount, key, value }) =>
              customPartitioner({
                topic,
                partitionMetadata: Array.from({ length: partitionCount }, (_, partitionId) => ({ partitionId, leader: 0 })),
                message: { key: key as Uint8Array | null, value: value as Uint8Array | null },
              })
          : undefined,
      });
      producers.set(codec, producer);
    }
    return producer;
  }

  async function sendAll(topicMessages: TopicMessages[], acks: number | undefined, compression: number | undefined) {
    if (acks !== undefined && acks !== -1 && acks !== 0 && acks !== 1)
      throw new KafkaJSInvalidArgument(`acks must be -1, 0 or 1, got ${acks}`);
    const producer = await producerFor(compression);
    const metadata = await producer.sendBatch({
      topicMessages: topicMessages.map((t) => {
        if (!t.topic) throw new KafkaJSInvalidArgument("Invalid topic");
        if (!Array.isArray(t.messages)) throw new KafkaJSInvalidArgument(`Invalid messages array [${t.messages}] for topic "${t.topic}"`);
        return { topic: t.topic, messages: t.messages.map(toRillMessage) };
      }),
      acks: acks as -1 | 0 | 1 | undefined,
    });
    return perPartition(metadata);
  }

  return {
    events: emitter.events,
    on: emitter.on,
    logger: () => logger,
    isIdempotent: () => idempotent,
    async connect() {
      await kafkaErrors(async () => {
        await (await producerFor(CompressionTypes.None)).connect();
      });
      emitter.emit("CONNECT");
    },
    async disconnect() {
      await kafkaErrors(async () => {
        for (const producer of producers.values()) await producer.disconnect();
      });
      producers.clear();
      emitter.emit("DISCONNECT");
    },
    send(record) {
      return kafkaErrors(async () => {
        checkKeys("send()", record, SEND_OPTIONS);
        return sendAll([{ topic: record.topic, messages: record.messages }], record.acks, record.compression);
      });
    },
    sendBatch(batch: ProducerBatch) {
      return kafkaErrors(async () => {
        checkKeys("sendBatch()", batch, BATCH_OPTIONS);
        return sendAll(batch.topicMessages ?? [], batch.acks, batch.compression);
      });
    },
    async transaction(): Promise<never> {
      throw new KafkaJSNotImplemented("transactions are not supported by Rill yet (the engine refuses transactional batches)");
    },
  };
}
