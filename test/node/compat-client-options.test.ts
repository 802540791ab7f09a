// The native client's options, as kafkajs users write them: subscribe({ fromBeginning: true })
// makes a new group start at the log's start (it used to be ignored, and a new group waited at the
// end forever), and an option no options object knows is refused with INVALID_CONFIG instead of
// silently leaving a default in place.
import { describe, expect, it } from "vitest";
import { createClient, isRillError, RillError } from "../../packages/client/src/index.ts";
import { inProcessBroker } from "../../packages/client/test/in-process.ts";
import { uniqueTopic } from "../helpers/names.ts";
import { until } from "../helpers/wait.ts";

async function seeded(values: string[]) {
  const env = inProcessBroker();
  const client = env.client({ retry: { initialRetryTime: 1, retries: 2 } });
  const topic = uniqueTopic("opts");
  await client.admin().createTopics({ topics: [{ topic, numPartitions: 1 }] });
  const producer = client.producer({ lingerMs: 0 });
  await producer.send({ topic, messages: values.map((value) => ({ value })) });
  await producer.disconnect();
  return { env, client, topic };
}

function invalidConfig(option: string) {
  return (error: unknown) => isRillError(error, "INVALID_CONFIG") && (error as RillError).details?.option === option;
}

describe("subscribe({ fromBeginning })", () => {
  it("true: a new group reads what was written before it joined", async () => {
    const { client, topic } = await seeded(["a", "b", "c"]);
    const consumer = client.consumer({ groupId: `g-${topic}`, fetchMaxWaitMs: 50 });
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    const seen: string[] = [];
    const running = consumer.run({ eachMessage: ({ message }) => void seen.push(new TextDecoder().decode(message.value as Uint8Array)) });
    await until(() => seen.length === 3, "the three earlier records");
    expect(seen).toEqual(["a", "b", "c"]);
    await consumer.disconnect();
    await running;
  });

  it("false: a new group starts at the end, even on a consumer whose autoOffsetReset says earliest", async () => {
    const { client, topic } = await seeded(["old"]);
    const consumer = client.consumer({ groupId: `g-${topic}`, fetchMaxWaitMs: 50, autoOffsetReset: "earliest" });
    await consumer.subscribe({ topics: [topic], fromBeginning: false });
    const seen: string[] = [];
    const running = consumer.run({ eachMessage: ({ message }) => void seen.push(new TextDecoder().decode(message.value as Uint8Array)) });
    // once the member has its partition and a position, a new record is the first it sees
    await until(() => consumer.position({ topic, partition: 0 }) === 1, "a position at the end");
    const producer = client.producer({ lingerMs: 0 });
    await producer.send({ topic, messages: [{ value: "new" }] });
    await until(() => seen.length === 1, "the new record");
    expect(seen).toEqual(["new"]);
    await producer.disconnect();
    await consumer.disconnect();
    await running;
  });
});

describe("unknown options are refused", () => {
  it("by createClient, producer, consumer, subscribe, run, send and sendBatch, naming the option", async () => {
    const { client, topic } = await seeded(["x"]);
    const loose = (o: object) => o as never;
    expect(() => createClient(loose({ brokers: ["http://127.0.0.1:1"], clientID: "typo" }))).toThrow(
      expect.objectContaining({ code: "INVALID_CONFIG" }),
    );
    expect(() => createClient(loose({ brokers: ["http://127.0.0.1:1"], retry: { retry: 3 } }))).toThrow(RillError);
    expect(() => client.producer(loose({ lingerMS: 5 }))).toThrow(expect.objectContaining({ code: "INVALID_CONFIG" }));
    expect(() => client.consumer(loose({ groupId: "g", autoCommitInterval: 100 }))).toThrow(
      expect.objectContaining({ code: "INVALID_CONFIG" }),
    );
    const consumer = client.consumer({ groupId: `g-${topic}` });
    await expect(consumer.subscribe(loose({ topics: [topic], fromBegining: true }))).rejects.toSatisfy(invalidConfig("fromBegining"));
    await expect(consumer.run(loose({ eachMessage: () => undefined, autoCommit: false }))).rejects.toSatisfy(invalidConfig("autoCommit"));
    const producer = client.producer({ lingerMs: 0 });
    await expect(producer.send(loose({ topic, messages: [{ value: "y" }], timeout: 100 }))).rejects.toSatisfy(invalidConfig("timeout"));
    await expect(producer.sendBatch(loose({ topicMessages: [], compresion: 1 }))).rejects.toSatisfy(invalidConfig("compresion"));
    // nothing was written by the refused sends
    const offsets = await client.admin().fetchTopicOffsets(topic);
    expect(offsets[0]).toMatchObject({ partition: 0, high: 1 });
    await producer.disconnect();
  });
});
