// Push subscriptions on the in-process broker (@rill/node): the shared scenarios against a webhook
// on 127.0.0.1 (a real outage when it goes down), and a subscription that outlives its broker.
import { createNodeBroker } from "@rill/node";
import { createMemoryStorage } from "@rill/storage-memory";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pushApi } from "../harness/push-api.ts";
import { verdictOf } from "../harness/push-consumer.ts";
import { pushSuite } from "../harness/push-scenarios.ts";
import { startWebhookReceiver, type WebhookReceiver } from "../harness/webhook-receiver.ts";
import { uniqueTopic } from "../helpers/names.ts";
import { until } from "../helpers/wait.ts";

const node = createNodeBroker();
let receiver: WebhookReceiver;

beforeAll(async () => {
  receiver = await startWebhookReceiver();
});
afterAll(async () => {
  await node.close();
  await receiver.close();
});

pushSuite({
  name: "in-process, webhook",
  fetch: (request) => node.fetch(request),
  target: {
    get target() {
      return { type: "webhook", url: receiver.url };
    },
    state: async () => receiver.consumer.snapshot(),
    configure: async (behaviour) => receiver.consumer.configure(behaviour),
    setSecret: async (subscription, secret) => void receiver.secrets.set(subscription, secret),
    down: () => receiver.down(),
    up: () => receiver.up(),
  },
  report: (line) => console.log(line),
});

describe("push subscriptions in-process: lifetime", () => {
  it("resumes from its committed offset when a new broker opens the same storage", async () => {
    const shared = createMemoryStorage();
    const first = createNodeBroker({ storage: shared });
    const api = pushApi({ name: "first", fetch: (r) => first.fetch(r), target: undefined as never });
    const topic = uniqueTopic("push");
    const group = uniqueTopic("g");
    await api.createTopic(topic, 1);
    const one = await api.produce(topic, 1, 5);
    const created = (await api.ok("POST", "/v1/subscriptions", {
      group,
      name: "durable",
      topics: [topic],
      target: { type: "webhook", url: receiver.url },
      startAt: "earliest",
    })) as { secret: string };
    receiver.secrets.set(`${group}/durable`, created.secret);
    await until(async () => (await api.committed(group)).get(`${topic}/0`) === 5, "the first five committed");
    await first.close();
    // a broker over the same storage runs the stored subscription: the static member takes its place
    const second = createNodeBroker({ storage: shared });
    const api2 = pushApi({ name: "second", fetch: (r) => second.fetch(r), target: undefined as never });
    try {
      const two = await api2.produce(topic, 1, 5, 5);
      await until(async () => (await api2.committed(group)).get(`${topic}/0`) === 10, "the next five committed");
      const processed = receiver.consumer.snapshot().processed.filter((r) => r.topic === topic);
      const produced = new Map([[`${topic}/0`, [...(one.get(`${topic}/0`) ?? []), ...(two.get(`${topic}/0`) ?? [])]]]);
      expect(verdictOf(produced, processed, [])).toMatchObject({ records: 10, lost: 0, outOfOrder: 0, redelivered: 0 });
      await api2.remove(group, "durable");
    } finally {
      await second.close();
    }
  });

  it("delivers from every topic a pattern matches, one created later included; delete keeps the group's offsets", async () => {
    const api = pushApi({ name: "pattern", fetch: (r) => node.fetch(r), target: undefined as never });
    const prefix = uniqueTopic("pat");
    const group = uniqueTopic("g");
    await api.createTopic(`${prefix}.a`, 1);
    await api.createTopic(`${prefix}-other`, 1);
    const a = await api.produce(`${prefix}.a`, 1, 5);
    await api.produce(`${prefix}-other`, 1, 5);
    const created = (await api.ok("POST", "/v1/subscriptions", {
      group,
      name: "all",
      pattern: `${prefix}\\..*`,
      target: { type: "webhook", url: receiver.url },
      startAt: "earliest",
    })) as { secret: string };
    receiver.secrets.set(`${group}/all`, created.secret);
    await api.createTopic(`${prefix}.b`, 1);
    const b = await api.produce(`${prefix}.b`, 1, 5);
    await until(async () => {
      const c = await api.committed(group);
      return c.get(`${prefix}.a/0`) === 5 && c.get(`${prefix}.b/0`) === 5;
    }, "both matching topics delivered and committed");
    const processed = receiver.consumer.snapshot().processed.filter((r) => r.topic.startsWith(prefix));
    expect(verdictOf(new Map([...a, ...b]), processed, [])).toMatchObject({ records: 10, lost: 0, outOfOrder: 0, redelivered: 0 });
    expect(processed.some((r) => r.topic === `${prefix}-other`)).toBe(false);
    await api.remove(group, "all");
    expect((await api.committed(group)).get(`${prefix}.a/0`)).toBe(5);
  });

  it("shares its group with a polling member: it hands partitions over when one joins, and takes them back when it leaves", async () => {
    const api = pushApi({ name: "shared", fetch: (r) => node.fetch(r), target: undefined as never });
    const topic = uniqueTopic("push");
    const group = uniqueTopic("g");
    await api.createTopic(topic, 4);
    const created = (await api.ok("POST", "/v1/subscriptions", {
      group,
      name: "half",
      topics: [topic],
      target: { type: "webhook", url: receiver.url },
      startAt: "earliest",
    })) as { secret: string };
    receiver.secrets.set(`${group}/half`, created.secret);
    const owned = async () => (await api.describe(group, "half")).status.partitions.length;
    await until(async () => (await owned()) === 4, "the subscription owning all four partitions");
    // a polling member joins (KIP-848 heartbeats, acknowledging what it is given)
    let member = (await api.ok("POST", `/v1/groups/${group}/heartbeat`, { memberId: null, memberEpoch: 0, topics: [topic] })) as {
      memberId: string;
      memberEpoch: number;
      assignment: Array<{ topic: string; partitions: number[] }>;
    };
    const beat = async () => {
      member = (await api.ok("POST", `/v1/groups/${group}/heartbeat`, {
        memberId: member.memberId,
        memberEpoch: member.memberEpoch,
        ownedPartitions: member.assignment,
      })) as typeof member;
      return member.assignment.flatMap((a) => a.partitions).length;
    };
    await until(async () => (await beat()) === 2, "the polling member given two partitions", { everyMs: 50 });
    expect(await owned()).toBe(2);
    await api.ok("POST", `/v1/groups/${group}/heartbeat`, { memberId: member.memberId, memberEpoch: -1 });
    await until(async () => (await owned()) === 4, "the subscription owning all four again", { everyMs: 50 });
    await api.remove(group, "half");
  });

  it("refuses service-binding targets: they exist only at the edge", async () => {
    const api = pushApi({ name: "x", fetch: (r) => node.fetch(r), target: undefined as never });
    const topic = uniqueTopic("push");
    await api.createTopic(topic, 1);
    const res = await api.request("POST", "/v1/subscriptions", {
      group: uniqueTopic("g"),
      name: "svc",
      topics: [topic],
      target: { type: "service", binding: "BILLING" },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain("only at the edge");
  });
});
