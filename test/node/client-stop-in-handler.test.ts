// consumer.stop() from inside eachMessage, on the very first record of a fetched chunk: the handler
// is then called before run() has yielded once, and stop() must still see it is inside a handler
// (found by the packaging test: a group consumer stopping at the first record of its second
// partition never returned).
import { describe, expect, it } from "vitest";
import { deserializers } from "../../packages/client/src/index.ts";
import { inProcessBroker } from "../../packages/client/test/in-process.ts";
import { uniqueTopic } from "../helpers/names.ts";

describe("consumer.stop() inside the handler", () => {
  for (const mode of ["assigned", "group"] as const) {
    it(`settles run() when called at the first record of a chunk (${mode})`, async () => {
      const client = inProcessBroker().client();
      const topic = uniqueTopic("stop-inside");
      await client.admin().createTopics({ topics: [{ topic, numPartitions: 2 }] });
      const producer = client.producer();
      await producer.send({ topic, messages: [{ value: "only", partition: 1 }] });
      await producer.disconnect();
      const consumer = client.consumer({
        autoOffsetReset: "earliest",
        deserializers: { value: deserializers.string },
        ...(mode === "group" ? { groupId: `${topic}-g` } : {}),
      });
      if (mode === "group") await consumer.subscribe({ topics: [topic] });
      else await consumer.assign([{ topic, partitions: [0, 1] }]);
      const seen: string[] = [];
      // the handler stops at once, without an await before it: run() must settle all the same
      await consumer.run({
        eachMessage: ({ message }) => {
          seen.push(message.value ?? "");
          return consumer.stop();
        },
      });
      expect(seen).toEqual(["only"]);
      if (mode === "group") {
        const group = await client.admin().describeGroup(`${topic}-g`);
        expect(group.partitions.find((p) => p.partition === 1)?.committedOffset).toBe(1);
      }
    });
  }
});
