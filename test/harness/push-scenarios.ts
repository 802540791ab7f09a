// Push-subscription scenarios over HTTP, run against every broker and target kind that has them
// (in-process with a webhook; workerd with a service binding and with a webhook). Each scenario
// produces to its own topic, lets a subscription deliver to the test consumer (push-consumer.ts),
// and ends with a verdict: every record processed or dead-lettered (lost 0), first processings in
// offset order per partition (out of order 0), and redeliveries counted (reported, not asserted 0).

import { describe, expect, it } from "vitest";
import { uniqueTopic } from "../helpers/names.ts";
import { until } from "../helpers/wait.ts";
import { type PushFixture, pushApi } from "./push-api.ts";
import { type ConsumerSnapshot, type ProcessedRecord, type Verdict, verdictOf } from "./push-consumer.ts";

const DEADLINE = { timeoutMs: 90_000, everyMs: 100 };

const mine = (snapshot: ConsumerSnapshot, topic: string): ProcessedRecord[] => snapshot.processed.filter((r) => r.topic === topic);

export function pushSuite(fixture: PushFixture): void {
  const api = pushApi(fixture);
  const target = fixture.target;
  const report = (scenario: string, v: Verdict, counters: Record<string, number>) =>
    fixture.report?.(
      `[push ${fixture.name}] ${scenario}: records ${v.records}, retries ${counters.retried ?? 0}, dead-lettered ${v.deadLettered}, ` +
        `lost ${v.lost}, out of order ${v.outOfOrder}, redelivered ${v.redelivered} (subscription counted ${counters.redelivered ?? 0} redeliveries)`,
    );

  /** Waits until every produced record is processed or dead-lettered and the group committed the end. */
  async function settle(topic: string, group: string, produced: Map<string, number[]>, dlq?: { topic: string; partitions: number }) {
    return until(
      async () => {
        const dead = dlq ? (await api.deadLetters(dlq.topic, dlq.partitions)).map((d) => d.origin) : [];
        const v = verdictOf(produced, mine(await target.state(), topic), dead);
        if (v.lost > 0) return null;
        const committed = await api.committed(group);
        for (const [key, offsets] of produced) if ((committed.get(key) ?? -1) < (offsets[offsets.length - 1] ?? -1) + 1) return null;
        return v;
      },
      `every record of ${topic} processed or dead-lettered, and committed`,
      DEADLINE,
    );
  }

  /** A topic of its own for one scenario, and a group name. */
  async function scenarioTopic(partitions: number): Promise<{ topic: string; group: string }> {
    const topic = uniqueTopic("push");
    const group = uniqueTopic("g");
    await api.createTopic(topic, partitions);
    return { topic, group };
  }

  /** Subscribes `name` of `group` to `topic` from its start, delivering to the fixture's target. */
  const subscribe = (group: string, name: string, topic: string, settings: Record<string, unknown> = {}) =>
    api.subscribe({ group, name, topics: [topic], target: target.target, startAt: "earliest", ...settings });

  // scenarios beyond delivery and failures are defined once per broker, not per way to reach a target
  const more = (name: string, fn: () => Promise<void>) => {
    if (!fixture.basicOnly) it(name, fn);
  };

  describe(`push subscriptions: ${fixture.name}`, () => {
    it("delivers every record once, in offset order per partition, from several partitions in parallel", async () => {
      const { topic, group } = await scenarioTopic(4);
      const before = await api.produce(topic, 4, 60);
      await subscribe(group, "orders", topic, { batchSize: 25, maxConcurrency: 4 });
      const after = await api.produce(topic, 4, 40, 60);
      const produced = new Map([...before].map(([k, v]) => [k, [...v, ...(after.get(k) ?? [])]]));
      const v = await settle(topic, group, produced);
      const state = await target.state();
      const seen = state.subscriptions[`${group}/orders`];
      const d = await api.describe(group, "orders");
      report("ordered delivery", v, d.status.counters);
      expect(v).toMatchObject({ records: 400, processed: 400, lost: 0, outOfOrder: 0 });
      expect(seen?.maxInFlightPerPartition).toBe(1);
      expect(seen?.maxInFlight).toBeLessThanOrEqual(4);
      expect(Math.max(...(seen?.batches.map((b) => b.size) ?? []))).toBeLessThanOrEqual(25);
      expect(mine(state, topic).every((r) => r.id.endsWith(`/${r.offset}`))).toBe(true);
      expect(d.status).toMatchObject({ state: "active", lag: 0 });
      expect(d.status.partitions).toHaveLength(4);
      expect(d.status.counters.acked).toBeGreaterThanOrEqual(400);
      await api.remove(group, "orders");
    });

    it("retries failing records with backoff, dead-letters poison records with their origin, and the rest flow", async () => {
      const { topic, group } = await scenarioTopic(3);
      const dlq = `${topic}.dlq`;
      await api.createTopic(dlq, 1);
      const poison = [`${topic}/0/7`, `${topic}/2/30`];
      const flaky = Object.fromEntries([`${topic}/1/3`, `${topic}/1/4`, `${topic}/2/0`].map((v) => [v, 2]));
      await target.configure({ poison, flaky });
      const produced = await api.produce(topic, 3, 40);
      await subscribe(group, "billing", topic, {
        batchSize: 10,
        maxRetries: 3,
        retryDelayMs: 20,
        maxRetryDelayMs: 200,
        deadLetterTopic: dlq,
      });
      const v = await settle(topic, group, produced, { topic: dlq, partitions: 1 });
      const d = await api.describe(group, "billing");
      report("poison and flaky records", v, d.status.counters);
      expect(v).toMatchObject({ records: 120, processed: 118, deadLettered: 2, lost: 0, outOfOrder: 0 });
      const letters = await api.deadLetters(dlq, 1);
      expect(letters.map((l) => l.value).sort()).toEqual([...poison].sort());
      for (const l of letters) {
        expect(l.headers["rill-dlq-error"]).toContain("poison record");
        // maxRetries + 1 failures charged; a first delivery inside a larger batch is not charged
        expect(Number(l.headers["rill-dlq-attempts"])).toBeGreaterThanOrEqual(4);
        expect(l.headers["rill-dlq-subscription"]).toBe(`${group}/billing`);
        expect(l.headers["rill-dlq-topic"]).toBe(topic);
      }
      // flaky records came back with their attempt count (two failures, then success) and went through
      const flakyDone = mine(await target.state(), topic).filter((r) => r.value !== null && r.value in flaky);
      expect(flakyDone).toHaveLength(3);
      for (const r of flakyDone) expect(r.attempt).toBeGreaterThanOrEqual(3);
      expect(d.status.counters).toMatchObject({ deadLettered: 2 });
      // each poison record was charged maxRetries + 1 failures, each flaky one at least one
      expect(d.status.counters.retried).toBeGreaterThanOrEqual(2 * 4 + 3);
      await target.configure({ poison: [], flaky: {} });
      await api.remove(group, "billing");
    });

    more("gives a record the handler retried itself back with a higher attempt, and nothing else twice", async () => {
      const { topic, group } = await scenarioTopic(1);
      const retried = `${topic}/0/5`;
      await target.configure({ retryExplicitly: { [retried]: 1 } });
      const produced = await api.produce(topic, 1, 20);
      await subscribe(group, "explicit", topic, { batchSize: 20, retryDelayMs: 10 });
      const v = await settle(topic, group, produced);
      const done = mine(await target.state(), topic);
      const d = await api.describe(group, "explicit");
      report(
        "per-record retry (the handler acks later records before the one it retried: 1 out of order by its choice)",
        v,
        d.status.counters,
      );
      expect(v).toMatchObject({ records: 20, lost: 0, redelivered: 0, outOfOrder: 1 });
      expect(done.find((r) => r.value === retried)?.attempt).toBe(2);
      expect(done.filter((r) => r.attempt > 1).map((r) => r.value)).toEqual([retried]);
      await target.configure({ retryExplicitly: {} });
      await api.remove(group, "explicit");
    });

    more("keeps records while the target is down for a while, and delivers them once it is back", async () => {
      const { topic, group } = await scenarioTopic(2);
      await subscribe(group, "outage", topic, { retryDelayMs: 20, maxRetryDelayMs: 200, maxRetries: 1000 });
      const first = await api.produce(topic, 2, 10);
      await until(async () => mine(await target.state(), topic).length === 20, "the first records", DEADLINE);
      if (target.down) await target.down();
      else await target.configure({ failAll: true });
      const second = await api.produce(topic, 2, 30, 10);
      // the subscription saw the outage (deliveries that did not reach, or failed)
      await until(
        async () => {
          const c = (await api.describe(group, "outage")).status.counters;
          return (c.unreachable ?? 0) + (c.retried ?? 0) >= 3;
        },
        "failed deliveries during the outage",
        DEADLINE,
      );
      if (target.up) await target.up();
      else await target.configure({ failAll: false });
      const produced = new Map([...first].map(([k, v]) => [k, [...v, ...(second.get(k) ?? [])]]));
      const v = await settle(topic, group, produced);
      const d = await api.describe(group, "outage");
      report(target.down ? "target down, then back" : "target failing, then back", v, d.status.counters);
      expect(v).toMatchObject({ records: 80, lost: 0, outOfOrder: 0, deadLettered: 0 });
      expect(d.status.unreachableSince).toBeNull();
      await api.remove(group, "outage");
    });

    more("holds a slow handler to maxConcurrency deliveries and one per partition", async () => {
      const { topic, group } = await scenarioTopic(6);
      await target.configure({ slowMs: 30 });
      const produced = await api.produce(topic, 6, 20);
      await subscribe(group, "slow", topic, { batchSize: 5, maxConcurrency: 2 });
      // while it works through the backlog, the subscription shows deliveries in flight and lag
      const busy = await until(async () => {
        const d = await api.describe(group, "slow");
        return d.status.inFlight > 0 && d.status.lag > 0 ? d : null;
      }, "a delivery in flight with lag behind it");
      expect(busy.status.inFlight).toBeLessThanOrEqual(2);
      const v = await settle(topic, group, produced);
      const seen = (await target.state()).subscriptions[`${group}/slow`];
      const d = await api.describe(group, "slow");
      report("slow handler, maxConcurrency 2", v, d.status.counters);
      expect(v).toMatchObject({ records: 120, lost: 0, outOfOrder: 0 });
      expect(seen?.maxInFlightPerPartition).toBe(1);
      expect(seen?.maxInFlight).toBeLessThanOrEqual(2);
      expect(seen?.maxInFlight).toBeGreaterThanOrEqual(1);
      await target.configure({ slowMs: 0 });
      await api.remove(group, "slow");
    });

    more("applies edits: a smaller batch size, then pause (it leaves its group) and resume", async () => {
      const { topic, group } = await scenarioTopic(1);
      await subscribe(group, "edited", topic, { batchSize: 100 });
      const first = await api.produce(topic, 1, 10);
      await settle(topic, group, first);
      await api.patch(group, "edited", { paused: true });
      await until(async () => {
        const [d, g] = await Promise.all([api.describe(group, "edited"), api.ok("GET", `/v1/groups/${group}`)]);
        return d.status.state === "paused" && (g as { members: unknown[] }).members.length === 0;
      }, "the paused subscription out of its group");
      const seen = mine(await target.state(), topic).length;
      const second = await api.produce(topic, 1, 12, 10);
      // paused, it has no member in the group to deliver as: the commit stays where it was
      const committed = (await api.committed(group)).get(`${topic}/0`);
      expect(committed).toBe(10);
      expect(mine(await target.state(), topic).length).toBe(seen);
      await api.patch(group, "edited", { paused: false, batchSize: 3 });
      const v = await settle(
        topic,
        group,
        new Map([[`${topic}/0`, [...(first.get(`${topic}/0`) ?? []), ...(second.get(`${topic}/0`) ?? [])]]]),
      );
      const d = await api.describe(group, "edited");
      report("edited while running", v, d.status.counters);
      expect(v).toMatchObject({ records: 22, lost: 0, outOfOrder: 0 });
      expect(d.batchSize).toBe(3);
      // after the resume, deliveries carry at most 3 records
      const batches = (await target.state()).subscriptions[`${group}/edited`]?.batches ?? [];
      const resumed = batches.filter((b) => b.firstOffset >= 10);
      expect(resumed.reduce((n, b) => n + b.size, 0)).toBeGreaterThanOrEqual(12);
      expect(Math.max(...resumed.map((b) => b.size))).toBeLessThanOrEqual(3);
      await api.remove(group, "edited");
    });

    if (fixture.crash && !fixture.basicOnly) {
      const crash = fixture.crash;
      it("resumes after its object is reset mid-batch: nothing lost, order kept, the batch in flight redelivered", async () => {
        const { topic, group } = await scenarioTopic(3);
        await target.configure({ slowMs: 150 });
        const produced = await api.produce(topic, 3, 50);
        await subscribe(group, "crashy", topic, { batchSize: 10, maxConcurrency: 3 });
        let crashes = 0;
        for (let i = 0; i < 3; i++) {
          await until(async () => (await api.describe(group, "crashy")).status.inFlight > 0, "a batch in flight");
          await crash(group, "crashy");
          crashes++;
        }
        await target.configure({ slowMs: 0 });
        const v = await settle(topic, group, produced);
        const d = await api.describe(group, "crashy");
        report(`${crashes} crashes mid-batch`, v, d.status.counters);
        expect(v).toMatchObject({ records: 150, lost: 0, outOfOrder: 0 });
        expect(d.status.counters.redelivered).toBeGreaterThan(0);
        // every record the handler saw twice is one the subscription knows it sent again (no silent duplicates)
        expect(v.redelivered).toBeLessThanOrEqual(d.status.counters.redelivered ?? 0);
        await api.remove(group, "crashy");
      });
    }

    more("refuses bad subscriptions with typed errors and changes nothing", async () => {
      const { topic, group } = await scenarioTopic(1);
      const base = { group, name: "v", topics: [topic], target: target.target };
      const cases: Array<[unknown, number, string]> = [
        [{ ...base, target: { type: "webhook", url: "http://example.com/hook" } }, 400, "INVALID_REQUEST"],
        [{ ...base, target: { type: "ftp" } }, 400, "INVALID_REQUEST"],
        [{ ...base, batchSize: 0 }, 400, "INVALID_REQUEST"],
        [{ ...base, topics: undefined }, 400, "INVALID_REQUEST"],
        [{ ...base, pattern: ".*" }, 400, "INVALID_REQUEST"],
        [{ ...base, deadLetterTopic: topic }, 400, "INVALID_REQUEST"],
        [{ ...base, deadLetterTopic: uniqueTopic("missing") }, 404, "UNKNOWN_TOPIC_OR_PARTITION"],
        [{ ...base, group: "a/b" }, 400, "INVALID_REQUEST"],
        [{ ...base, surprise: 1 }, 400, "INVALID_REQUEST"],
      ];
      for (const [body, status, code] of cases) {
        const res = await api.request("POST", "/v1/subscriptions", body);
        expect([res.status, res.body?.error?.code], JSON.stringify(body)).toEqual([status, code]);
      }
      expect((await api.request("GET", `/v1/subscriptions/${group}/v`)).body.error.code).toBe("SUBSCRIPTION_NOT_FOUND");
      const list = (await api.ok("GET", `/v1/subscriptions?group=${group}`)) as { subscriptions: unknown[] };
      expect(list.subscriptions).toEqual([]);
      await api.subscribe({ ...base, paused: true });
      const again = await api.request("POST", "/v1/subscriptions", { ...base, paused: true });
      expect([again.status, again.body.error.code]).toEqual([409, "SUBSCRIPTION_ALREADY_EXISTS"]);
      const badPatch = await api.request("PATCH", `/v1/subscriptions/${group}/v`, { maxConcurrency: 0 });
      expect(badPatch.status).toBe(400);
      expect((await api.describe(group, "v")).paused).toBe(true);
      const listed = (await api.ok("GET", `/v1/subscriptions?group=${group}`)) as { subscriptions: Array<{ name: string }> };
      expect(listed.subscriptions.map((s) => s.name)).toEqual(["v"]);
      await api.remove(group, "v");
      expect((await api.request("DELETE", `/v1/subscriptions/${group}/v`)).status).toBe(404);
    });
  });
}
