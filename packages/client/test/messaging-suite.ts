// Request/reply over two topics and group administration through the client, in every runtime
// the group suite runs in.
import { isRillError } from "@rill/core";
import { describe, expect, it } from "vitest";
import { uniqueTopic } from "../../../test/helpers/names.ts";
import { until } from "../../../test/helpers/wait.ts";
import { createRequestReply, deserializers } from "../src/index.ts";
import { type ClientFixture, fixtureClient } from "./suite.ts";

export function messagingSuite(fixture: ClientFixture): void {
  describe(`request/reply and group admin: ${fixture.name}`, () => {
    it("answers requests by correlation id, each once, shared by the responders' group; fails and times out typed", {
      timeout: 90_000,
    }, async () => {
      const client = fixtureClient(fixture);
      const [requestTopic, replyTopic, silentTopic] = [uniqueTopic("req"), uniqueTopic("rep"), uniqueTopic("silent")];
      await client.admin().createTopics({
        topics: [{ topic: requestTopic, numPartitions: 2 }, { topic: replyTopic }, { topic: silentTopic }],
      });
      const rr = createRequestReply<{ n: number }, { doubled: number; by: string }>(client, {
        requestTopic,
        replyTopic,
        // a deadline against hangs, far past what a busy machine takes (the two responders may
        // still be sharing out the request partitions when the first requests arrive)
        timeoutMs: 60_000,
      });
      const handled: number[] = [];
      const responder = (by: string) => (request: { n: number }) => {
        if (request.n < 0) throw new Error(`cannot double ${request.n}`);
        handled.push(request.n);
        return { doubled: request.n * 2, by };
      };
      const groupId = uniqueTopic("responders");
      const one = rr.serve(responder("one"), { groupId });
      const two = rr.serve(responder("two"), { groupId });
      await Promise.all([one.ready, two.ready]);
      const replies = await Promise.all(Array.from({ length: 10 }, (_, n) => rr.request({ n }, { key: `k${n}` })));
      expect(replies.map((r) => r.doubled)).toEqual(Array.from({ length: 10 }, (_, n) => n * 2));
      expect([...handled].sort((a, b) => a - b)).toEqual(Array.from({ length: 10 }, (_, n) => n));
      await expect(rr.request({ n: -1 })).rejects.toThrow(/cannot double -1/);

      // nobody serves this topic: the request fails with a typed timeout
      const unanswered = createRequestReply(client, { requestTopic: silentTopic, replyTopic });
      const timedOut = await unanswered.request({ n: 1 }, { timeoutMs: 200 }).catch((e: unknown) => e);
      expect(isRillError(timedOut, "REQUEST_TIMED_OUT")).toBe(true);
      await unanswered.close();
      await rr.close();
      // both responders left their group on close
      expect((await client.admin().describeGroup(groupId)).members).toEqual([]);
    });

    it("lists groups, describes lag per partition, resets offsets of an empty group and deletes it", async () => {
      const client = fixtureClient(fixture);
      const admin = client.admin();
      const topic = uniqueTopic("adm");
      const groupId = uniqueTopic("g");
      await admin.createTopics({ topics: [{ topic, numPartitions: 2 }] });
      const producer = client.producer({ lingerMs: 0 });
      await producer.send({
        topic,
        messages: ["a", "b", "c", "d", "e"].map((value, i) => ({ value, partition: i % 2, timestamp: 1000 * (i + 1) })),
      });
      await producer.disconnect();
      const consumer = client.consumer({
        groupId,
        autoOffsetReset: "earliest",
        fetchMaxWaitMs: 50,
        deserializers: { value: deserializers.string },
      });
      await consumer.subscribe({ topics: [topic] });
      const seen: Array<string | null> = [];
      const running = consumer.run({
        eachMessage: async ({ message }) => {
          seen.push(message.value);
          if (seen.length === 2) await consumer.commitSync();
        },
      });
      await until(() => seen.length === 5, "every record");
      await consumer.commitSync();
      const busy = await admin.describeGroup(groupId);
      expect(busy).toMatchObject({ groupId, state: "Stable", totalLag: 0 });
      expect(busy.members).toHaveLength(1);
      expect(busy.members[0]?.assignment).toEqual([{ topic, partitions: [0, 1] }]);
      expect(busy.partitions.map((p) => [p.partition, p.committedOffset, p.highWatermark, p.lag, p.memberId])).toEqual([
        [0, 3, 3, 0, busy.members[0]?.memberId],
        [1, 2, 2, 0, busy.members[0]?.memberId],
      ]);
      expect((await admin.listGroups()).groups).toContainEqual({ groupId, state: "Stable", members: 1 });
      const refused = await admin.resetOffsets({ groupId, topic, to: "earliest" }).catch((e: unknown) => e);
      expect(isRillError(refused, "NON_EMPTY_GROUP")).toBe(true);
      await consumer.stop();
      await running;
      await consumer.disconnect();

      expect(await admin.resetOffsets({ groupId, topic, to: "earliest" })).toEqual([
        { topic, partition: 0, offset: 0 },
        { topic, partition: 1, offset: 0 },
      ]);
      expect((await admin.describeGroup(groupId)).totalLag).toBe(5);
      expect(await admin.resetOffsets({ groupId, topic, partitions: [0], to: { timestamp: 2500 } })).toEqual([
        { topic, partition: 0, offset: 1 },
      ]);
      expect(await admin.resetOffsets({ groupId, topic, partitions: [1], to: { offset: 1 } })).toEqual([
        { topic, partition: 1, offset: 1 },
      ]);
      expect(await admin.fetchOffsets({ groupId, topics: [topic] })).toEqual([
        {
          topic,
          partitions: [
            { partition: 0, offset: 1, metadata: null },
            { partition: 1, offset: 1, metadata: null },
          ],
        },
      ]);
      await admin.deleteGroups([groupId]);
      expect((await admin.listGroups()).groups.map((g) => g.groupId)).not.toContain(groupId);
      const gone = await admin.describeGroup(groupId).catch((e: unknown) => e);
      expect(isRillError(gone, "GROUP_ID_NOT_FOUND")).toBe(true);
    });
  });
}
