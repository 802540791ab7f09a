// The consumer group suite: members joining, leaving and crashing while a keyed stream flows,
// restarts at committed offsets, rebalance listeners, autoOffsetReset and ordered async commits.
// Run in Node against the in-process app and in workerd against the Durable Object coordinator.
// No case asserts a timing: waits are guards against hangs. Members and the stream: group-members.ts.
import { describe, expect, it } from "vitest";
import { uniqueTopic } from "../../../test/helpers/names.ts";
import { sleep, until } from "../../../test/helpers/wait.ts";
import { deserializers, type FetchLike, type TopicPartition } from "../src/index.ts";
import { groupMember, keyedStream, keysFor, type StringConsumer } from "./group-members.ts";
import { killable, type Processed, violations } from "./group-tools.ts";
import { baseFetch, type ClientFixture, fixtureClient } from "./suite.ts";

export function groupSuite(fixture: ClientFixture): void {
  const admin = () => fixtureClient(fixture).admin();
  const highWatermarks = async (topic: string) => (await admin().fetchTopicOffsets(topic)).map((o) => o.high);
  const committedOf = async (groupId: string, topic: string) => {
    const [offsets] = await admin().fetchOffsets({ groupId, topics: [topic] });
    return new Map((offsets?.partitions ?? []).map((p) => [p.partition, p.offset]));
  };

  describe(`consumer groups: ${fixture.name}`, () => {
    it("shares a keyed stream while members join, leave and crash: all processed, none twice per epoch, order per key", async () => {
      const topic = uniqueTopic("grp");
      const groupId = uniqueTopic("g");
      const partitions = 6;
      await admin().createTopics({ topics: [{ topic, numPartitions: partitions }] });
      const stream = keyedStream(fixtureClient(fixture), topic, keysFor(partitions));
      const log: Processed[] = [];
      const coverage = () => new Set(log.map((e) => `${e.partition}/${e.offset}`)).size;
      let produced = 0;
      const produce = async (n: number) => {
        await stream.produce(n);
        produced += n;
      };

      await produce(120);
      const a = groupMember(fixture, "a", log, groupId, [topic]);
      const b = groupMember(fixture, "b", log, groupId, [topic], { sessionTimeoutMs: 2_000 });
      const c = groupMember(fixture, "c", log, groupId, [topic]);
      await until(() => coverage() >= 40, "the first records");
      const d = groupMember(fixture, "d", log, groupId, [topic]);
      // records go out once d owns partitions: produced earlier, a busy machine may let a, b and c
      // drain them all before the rebalance ends, and d would wait for records that never come
      await until(() => d.consumer.assignment().length > 0, "the member that joined late to get partitions");
      await produce(120);
      await until(() => d.handled() >= 5, "the member that joined late to handle records");
      await a.consumer.disconnect();
      await produce(120);
      await until(() => coverage() === produced, "the records of the member that left");
      const bId = b.consumer.groupMetadata()?.memberId;
      b.crash();
      // the coordinator still counts it: crashing is not leaving
      expect((await admin().describeGroup(groupId)).members.map((m) => m.memberId)).toContain(bId);
      await produce(120);
      await until(() => coverage() === produced, "the crashed member's partitions to move");
      await Promise.all([c.consumer.disconnect(), d.consumer.disconnect(), b.consumer.disconnect()]);
      await stream.close();

      const hws = await highWatermarks(topic);
      expect(hws.reduce((x, y) => x + y, 0)).toBe(produced);
      expect(violations(log, hws, new Set(["b"]))).toEqual([]);
      // the survivors committed everything on their way out
      const committed = await committedOf(groupId, topic);
      expect(hws.map((_, p) => committed.get(p))).toEqual(hws);
      const described = await admin().describeGroup(groupId);
      expect(described).toMatchObject({ state: "Empty", members: [], totalLag: 0 });
    });

    it("resumes after a restart exactly at the committed offsets", async () => {
      const topic = uniqueTopic("grp");
      const groupId = uniqueTopic("g");
      await admin().createTopics({ topics: [{ topic, numPartitions: 3 }] });
      const stream = keyedStream(fixtureClient(fixture), topic, keysFor(3));
      await stream.produce(90);
      // commits only by hand: every 10th record commits what came before it
      const first: Processed[] = [];
      const one = groupMember(fixture, "one", first, groupId, [topic], { autoCommit: false }, (consumer, handled) =>
        handled % 10 === 0 && handled <= 40 ? consumer.commitSync() : undefined,
      );
      await until(() => first.length >= 45, "the first half");
      await one.consumer.disconnect(); // autoCommit off: what came after the last commit is not committed
      const committed = await committedOf(groupId, topic);
      expect(committed.size).toBeGreaterThan(0);

      const second: Processed[] = [];
      const two = groupMember(fixture, "two", second, groupId, [topic]);
      await until(() => new Set([...first, ...second].map((e) => `${e.partition}/${e.offset}`)).size === 90, "the rest");
      await two.consumer.disconnect();
      for (let p = 0; p < 3; p++) {
        const resumedAt = second.find((e) => e.partition === p)?.offset;
        const from = committed.get(p) ?? 0;
        if (resumedAt !== undefined) expect(resumedAt, `p${p}`).toBe(from);
        // processed again: exactly what the first run did after its last commit
        const again = second.filter((e) => e.partition === p && first.some((f) => f.partition === p && f.offset === e.offset));
        const firstTail = first.filter((f) => f.partition === p && f.offset >= from).map((f) => f.offset);
        expect(again.map((e) => e.offset)).toEqual(firstTail);
      }
      expect(violations([...first, ...second], await highWatermarks(topic), new Set(["one"]))).toEqual([]);

      // a graceful close committed everything: the next start has nothing to repeat
      await stream.produce(30);
      const third: Processed[] = [];
      const three = groupMember(fixture, "three", third, groupId, [topic]);
      await until(() => third.length >= 30, "the new records");
      await three.consumer.disconnect();
      await stream.close();
      expect(third).toHaveLength(30);
      expect(violations([...first, ...second, ...third], await highWatermarks(topic), new Set(["one"]))).toEqual([]);
    });

    it("lets onPartitionsRevoked commit before a partition moves, and tells onPartitionsAssigned what came", async () => {
      const topic = uniqueTopic("grp");
      const groupId = uniqueTopic("g");
      await admin().createTopics({ topics: [{ topic, numPartitions: 2 }] });
      const producer = fixtureClient(fixture).producer({ lingerMs: 2 });
      await producer.send({
        topic,
        messages: Array.from({ length: 60 }, (_, i) => ({ key: `p${i % 2}`, value: `p${i % 2}:${Math.floor(i / 2)}`, partition: i % 2 })),
      });
      await producer.disconnect();
      const events: string[] = [];
      const log: Processed[] = [];
      const listeners = (name: string, consumer: () => StringConsumer) => ({
        onPartitionsAssigned: (tps: TopicPartition[]) => void events.push(`${name} assigned ${tps.map((t) => t.partition).join(",")}`),
        onPartitionsRevoked: async (tps: TopicPartition[]) => {
          events.push(`${name} revoked ${tps.map((t) => t.partition).join(",")}`);
          await consumer().commitSync(); // still ours: the coordinator takes this commit
        },
      });
      const start = (name: string) => {
        const client = fixtureClient(fixture);
        const consumer = client.consumer({
          groupId,
          autoCommit: false,
          autoOffsetReset: "earliest",
          fetchMaxWaitMs: 100,
          deserializers: { key: deserializers.string, value: deserializers.string },
        }) as StringConsumer;
        const running = consumer.subscribe({ topics: [topic], ...listeners(name, () => consumer) }).then(() =>
          consumer.run({
            eachMessage: async ({ partition, message }) => {
              const [key, seq] = (message.value as string).split(":") as [string, string];
              log.push({
                member: name,
                epoch: consumer.groupMetadata()?.memberEpoch ?? -1,
                partition,
                offset: message.offset,
                key,
                seq: Number(seq),
              });
              await sleep(2); // pacing: b joins while a is still at work
            },
          }),
        );
        return { consumer, running };
      };
      const a = start("a");
      await until(() => log.length >= 10, "a's first records");
      const b = start("b");
      await until(() => new Set(log.map((e) => `${e.partition}/${e.offset}`)).size === 60, "every record");
      await a.consumer.disconnect();
      await b.consumer.disconnect();
      expect(events[0]).toBe("a assigned 0,1");
      const moved = events.find((e) => e.startsWith("a revoked"))?.slice("a revoked ".length);
      expect(["0", "1"]).toContain(moved);
      expect(events).toContain(`b assigned ${moved}`);
      expect(events.indexOf(`a revoked ${moved}`)).toBeLessThan(events.indexOf(`b assigned ${moved}`));
      // the partition moved on exactly where a stopped: its commit from the listener was in first
      expect(violations(log, [30, 30], new Set())).toEqual([]);
      expect([...(await committedOf(groupId, topic)).values()]).toEqual([30, 30]);
    });

    it("starts a group without commits where autoOffsetReset says", async () => {
      const topic = uniqueTopic("grp");
      await admin().createTopics({ topics: [{ topic }] });
      const producer = fixtureClient(fixture).producer({ lingerMs: 0 });
      await producer.send({ topic, messages: [{ value: "old-0" }, { value: "old-1" }] });
      const read = async (autoOffsetReset: "earliest" | "latest", count: number, whenPositioned?: () => Promise<unknown>) => {
        const consumer = fixtureClient(fixture).consumer({
          groupId: uniqueTopic("g"),
          autoOffsetReset,
          fetchMaxWaitMs: 50,
          deserializers: { value: deserializers.string },
        });
        await consumer.subscribe({ topics: [topic] });
        const values: Array<string | null> = [];
        const running = consumer.run({
          eachMessage: ({ message }) => {
            values.push(message.value);
            if (values.length === count) void consumer.stop();
          },
        });
        if (whenPositioned) {
          await until(() => consumer.position({ topic, partition: 0 }) !== undefined, "a position");
          await whenPositioned();
        }
        await running;
        await consumer.disconnect();
        return values;
      };
      expect(await read("earliest", 2)).toEqual(["old-0", "old-1"]);
      expect(await read("latest", 1, () => producer.send({ topic, messages: [{ value: "new" }] }))).toEqual(["new"]);
      await producer.disconnect();
    });

    it("commits what was processed while an earlier commit was in flight", async () => {
      const topic = uniqueTopic("grp");
      const groupId = uniqueTopic("g");
      await admin().createTopics({ topics: [{ topic, numPartitions: 1 }] });
      const producer = fixtureClient(fixture).producer();
      await producer.send({ topic, messages: Array.from({ length: 10 }, (_, i) => ({ value: `v${i}` })) });
      await producer.disconnect();
      // the first commit is held at the broker's door until the handler has processed everything
      let release = () => {};
      const gate = new Promise<void>((resolve) => (release = resolve));
      let held = false;
      const wrap =
        (inner: FetchLike): FetchLike =>
        async (input, init) => {
          if (init.method === "POST" && /\/offsets$/.test(new URL(input).pathname) && !held) {
            held = true;
            await gate;
          }
          return inner(input, init);
        };
      const consumer = fixtureClient({ ...fixture, fetch: wrap(baseFetch(fixture)) }).consumer({
        groupId,
        autoOffsetReset: "earliest",
        autoCommit: false,
      });
      let handled = 0;
      let early: Promise<void> | undefined;
      await consumer.subscribe({ topics: [topic] });
      const running = consumer.run({
        eachMessage: async ({ message }) => {
          if (message.offset === 4) early = consumer.commitAsync(); // commits 4: the records before this one
          handled++;
        },
      });
      // the last handler has returned and the consumer has counted it processed (position and
      // processed offset move together, after the handler)
      await until(() => handled === 10 && consumer.position({ topic, partition: 0 }) === 10, "every record processed");
      release();
      await early;
      // the early commit's answer must not be taken for a commit of where processing is now
      await consumer.commitSync();
      expect(await committedOf(groupId, topic)).toEqual(new Map([[0, 10]]));
      await consumer.disconnect();
      await running;
    });

    it("commits in order: an older async commit never overwrites a newer one, even when retried", async () => {
      const topic = uniqueTopic("grp");
      const groupId = uniqueTopic("g");
      await admin().createTopics({ topics: [{ topic, numPartitions: 2 }] });
      const arrived: string[] = [];
      let commitPosts = 0;
      // the first commit reaches the broker but its answer is lost, so the client retries it
      const wrap =
        (inner: FetchLike): FetchLike =>
        async (input, init) => {
          if (init.method !== "POST" || !/\/offsets$/.test(new URL(input).pathname)) return inner(input, init);
          const n = commitPosts++;
          const body = JSON.parse(String(init.body)) as { offsets: Array<{ partition: number; offset: number }> };
          if (n === 0) await sleep(30);
          const response = await inner(input, init);
          if (response.ok) arrived.push(body.offsets.map((o) => `${o.partition}:${o.offset}`).join(" "));
          if (n === 0) throw new TypeError("injected: connection reset after the commit was applied");
          return response;
        };
      const network = killable(wrap(baseFetch(fixture)));
      const consumer = fixtureClient({ ...fixture, fetch: network.fetch }, { retry: { initialRetryTime: 10, retries: 3 } }).consumer({
        groupId,
      });
      await consumer.subscribe({ topics: [topic] });
      await consumer.connect();
      const first = consumer.commitAsync([{ topic, partition: 0, offset: 5 }]);
      const second = consumer.commitAsync([{ topic, partition: 0, offset: 9 }]);
      const third = consumer.commitAsync([{ topic, partition: 1, offset: 3, metadata: "m" }]);
      await Promise.all([first, second, third]);
      expect(arrived).toEqual(["0:5", "0:9 1:3"]);
      await consumer.commitOffsets([{ topic, partition: 1, offset: 4 }]);
      const many = Array.from({ length: 40 }, (_, i) => consumer.commitAsync([{ topic, partition: 0, offset: 10 + i }]));
      await Promise.all(many);
      const p0 = arrived
        .flatMap((a) => a.split(" "))
        .filter((x) => x.startsWith("0:"))
        .map((x) => Number(x.slice(2)));
      expect(p0).toEqual([...p0].sort((x, y) => x - y));
      expect(await consumer.committed([{ topic, partition: 0 }])).toMatchObject([{ topic, partition: 0, offset: 49 }]);
      expect(await consumer.committed([{ topic, partition: 1 }])).toMatchObject([{ partition: 1, offset: 4 }]);
      await consumer.disconnect();
    });
  });
}
