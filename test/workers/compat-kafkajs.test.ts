// The kafkajs idioms inside workerd: @rill/kafkajs runs in the Workers runtime (where kafkajs
// itself cannot: it needs TCP) and speaks to the edge broker's Worker through SELF.fetch.
import { SELF } from "cloudflare:test";
import { Kafka, type KafkaConfig } from "@rill/kafkajs";
import { describe, it } from "vitest";
import { idioms } from "../node/compat-kafkajs-idioms.ts";

let n = 0;

describe("kafkajs idioms on @rill/kafkajs, in workerd (durable objects)", () => {
  const run = Date.now().toString(36);
  for (const idiom of idioms) {
    it(idiom.name, async () => {
      const config: KafkaConfig = {
        clientId: "my-worker",
        brokers: ["http://rill.local"],
        fetch: (input, init) => SELF.fetch(input, init),
      };
      const kafka = new Kafka(config);
      await idiom.run({
        kafka,
        kafkaWith: (more) => new Kafka({ ...config, ...more }),
        group: () => `kjw-${run}-${n++}`,
        async topic(partitions = 1) {
          const topic = `kjw-${run}-${n++}`;
          await kafka.admin().createTopics({ topics: [{ topic, numPartitions: partitions }] });
          return topic;
        },
      });
    });
  }
});
