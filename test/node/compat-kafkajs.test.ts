// The kafkajs idioms against the in-process broker, over a socket, as a Node app would run them;
// plus SASL credentials mapped to Rill's principals with auth on.
import { Kafka, KafkaJSProtocolError } from "@rill/kafkajs";
import { type ServedNodeBroker, startNodeBroker } from "@rill/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { idioms } from "./compat-kafkajs-idioms.ts";

let broker: ServedNodeBroker;
let secured: ServedNodeBroker;
const TOKEN = "kafkajs-compat-token";
let n = 0;

beforeAll(async () => {
  broker = await startNodeBroker();
  secured = await startNodeBroker({ auth: { tokens: [TOKEN] } });
});

afterAll(async () => {
  await broker?.close();
  await secured?.close();
});

describe("kafkajs idioms on @rill/kafkajs, in-process broker", () => {
  const run = Date.now().toString(36);
  for (const idiom of idioms) {
    it(idiom.name, async () => {
      const config = { clientId: "my-app", brokers: [broker.url] };
      const kafka = new Kafka(config);
      await idiom.run({
        kafka,
        kafkaWith: (more) => new Kafka({ ...config, ...more }),
        group: () => `kjs-${run}-${n++}`,
        async topic(partitions = 1) {
          const topic = `kjs-${run}-${n++}`;
          await kafka.admin().createTopics({ topics: [{ topic, numPartitions: partitions }] });
          return topic;
        },
      });
    });
  }
});

describe("SASL maps to Rill's credentials", () => {
  it("plain and oauthbearer carry the token; a wrong password is refused", async () => {
    const topic = `kjs-sasl-${Date.now().toString(36)}`;
    const plain = new Kafka({ brokers: [secured.url], sasl: { mechanism: "plain", username: "app", password: TOKEN } });
    await plain.admin().createTopics({ topics: [{ topic }] });
    const oauth = new Kafka({
      brokers: [secured.url],
      sasl: { mechanism: "oauthbearer", oauthBearerProvider: async () => ({ value: TOKEN }) },
    });
    expect(await oauth.admin().listTopics()).toContain(topic);
    const wrong = new Kafka({
      brokers: [secured.url],
      sasl: { mechanism: "plain", username: "app", password: "nope" },
      retry: { retries: 0 },
    });
    const error = await wrong
      .admin()
      .listTopics()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KafkaJSProtocolError);
    expect(error).toMatchObject({ type: "SASL_AUTHENTICATION_FAILED" });
  });
});
