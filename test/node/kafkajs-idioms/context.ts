// What every kafkajs idiom gets (a Kafka instance on the broker under test, fresh topics and
// groups) and the few helpers the idioms share.
import type { EachMessagePayload, Kafka, KafkaConfig, Message } from "@rill/kafkajs";
import { until } from "../../helpers/wait.ts";

export interface IdiomContext {
  kafka: Kafka;
  /** A Kafka instance with other settings (same brokers and transport). */
  kafkaWith(config: Partial<KafkaConfig>): Kafka;
  /** A new topic of `partitions` partitions (made with kafkajs's own admin). */
  topic(partitions?: number): Promise<string>;
  group(): string;
}

export interface Idiom {
  name: string;
  run(ctx: IdiomContext): Promise<void>;
}

export const text = (b: { toString(): string } | null | undefined) => (b === null || b === undefined ? null : b.toString());

/** Sends `messages` with a producer of its own: the setup of the consumer and admin idioms. */
export async function send(ctx: IdiomContext, topic: string, messages: Message[]): Promise<void> {
  const producer = ctx.kafka.producer();
  await producer.connect();
  await producer.send({ topic, messages });
  await producer.disconnect();
}

/** Runs a consumer of `topics` from the beginning and collects what eachMessage hands over. */
export async function collect(ctx: IdiomContext, topics: string[], count: number) {
  const consumer = ctx.kafka.consumer({ groupId: ctx.group(), maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: true });
  const seen: EachMessagePayload[] = [];
  await consumer.run({ eachMessage: async (payload) => void seen.push(payload) });
  await until(() => seen.length >= count, `${count} messages`);
  await consumer.disconnect();
  return seen;
}
