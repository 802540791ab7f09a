// The kafkajs idioms in Chromium: @rill/kafkajs with the browser's own fetch (over real HTTP and
// CORS) to a Node broker, and without Node's Buffer, so messages come as the package's small
// Buffer stand-in (toString("utf8" | "base64" | "hex")).
import { Kafka, type KafkaConfig } from "@rill/kafkajs";
import { describe, expect, inject, it } from "vitest";
import { idioms } from "../node/compat-kafkajs-idioms.ts";
import type {} from "./client-context.ts";

let n = 0;

describe("kafkajs idioms on @rill/kafkajs, in Chromium", () => {
  const run = Date.now().toString(36);
  it("has no Node Buffer here: messages use the package's own", () => {
    expect((globalThis as { Buffer?: unknown }).Buffer).toBeUndefined();
  });
  for (const idiom of idioms) {
    it(idiom.name, async () => {
      const config: KafkaConfig = { clientId: "my-page", brokers: [inject("rillBrokerUrl")] };
      const kafka = new Kafka(config);
      await idiom.run({
        kafka,
        kafkaWith: (more) => new Kafka({ ...config, ...more }),
        group: () => `kjb-${run}-${n++}`,
        async topic(partitions = 1) {
          const topic = `kjb-${run}-${n++}`;
          await kafka.admin().createTopics({ topics: [{ topic, numPartitions: partitions }] });
          return topic;
        },
      });
    });
  }
});
