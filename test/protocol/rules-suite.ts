// Rules both brokers must apply the same way (packages/core/src/broker-rules.ts, and the HTTP
// layer's own, such as which groups a listing shows), asked over HTTP: one case per rule, run on
// every runtime that serves the protocol.
import { describe, expect, it } from "vitest";
import { until } from "../helpers/wait.ts";
import { type ProtocolFixture, protocolClient, uniqueTopic } from "./client.ts";

export function rulesSuite(fixture: ProtocolFixture): void {
  const api = protocolClient(fixture);

  describe(`broker rules: ${fixture.name}`, () => {
    it("refuses a replica the partition does not have with a non-retriable 400", async () => {
      const topic = uniqueTopic("rules-replica");
      expect((await api.createTopic(topic)).status).toBe(201);
      await api.produce(topic, [{ value: "a" }]);
      const res = await api.json("GET", `/v1/topics/${topic}/partitions/0/records?offset=0&replica=7`);
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ code: "INVALID_REQUEST", retriable: false });
      expect(res.body.error.message).toMatch(/no replica 7/);
      // the replica that exists and is in sync still answers
      const ok = await api.json("GET", `/v1/topics/${topic}/partitions/0/records?offset=0&replica=0`);
      expect(ok.status).toBe(200);
      expect(ok.body.records.map((r: { value: string }) => r.value)).toEqual(["a"]);
    });

    it("stores acks=0 records as the leader would under acks=1, answering before they are written", async () => {
      const topic = uniqueTopic("rules-acks0");
      await api.createTopic(topic);
      const res = await api.produce(topic, [{ key: "k", value: "fire-and-forget" }], { acks: 0 });
      expect(res.status).toBe(202);
      expect(res.body.offsets).toEqual([{ partition: 0, offset: null }]);
      const read = await until(
        async () => {
          const r = await api.fetchRecords(topic, 0, "offset=0");
          return r.body.records.length > 0 ? r.body : null;
        },
        "the acks=0 record to be readable",
        { everyMs: 20 },
      );
      expect(read.records.map((r: { value: string }) => r.value)).toEqual(["fire-and-forget"]);
    });

    it("matches subscription patterns against whole topic names, and refuses a pattern that is not a regex", async () => {
      const stem = uniqueTopic("rules-pattern");
      for (const suffix of ["a", "b", "ab"]) await api.createTopic(`${stem}-${suffix}`, 1);
      const group = uniqueTopic("rules-pattern-group");
      const joined = await api.json("POST", `/v1/groups/${group}/heartbeat`, { memberEpoch: 0, pattern: `${stem}-[ab]` });
      expect(joined.status).toBe(200);
      const member = joined.body;
      // assignment can take one more heartbeat to settle; wait for it, then check which topics matched
      const settled = await until(
        async () => {
          const r = await api.json("POST", `/v1/groups/${group}/heartbeat`, {
            memberId: member.memberId,
            memberEpoch: member.memberEpoch,
          });
          member.memberEpoch = r.body.memberEpoch;
          return r.body.assignment.length === 2 ? r.body : null;
        },
        "the pattern's topics to be assigned",
        { everyMs: 20 },
      );
      expect(settled.assignment.map((a: { topic: string }) => a.topic).sort()).toEqual([`${stem}-a`, `${stem}-b`]);
      await api.json("POST", `/v1/groups/${group}/heartbeat`, { memberId: member.memberId, memberEpoch: -1 });

      const bad = await api.json("POST", `/v1/groups/${uniqueTopic("rules-bad")}/heartbeat`, { memberEpoch: 0, pattern: "([" });
      expect(bad.status).toBe(400);
      expect(bad.body.error).toMatchObject({ code: "INVALID_REQUEST", retriable: false });
    });

    it("lists a group from its first commit, forgets it when deleted, and lists it again when it comes back", async () => {
      const topic = uniqueTopic("rules-groups");
      await api.createTopic(topic);
      const group = uniqueTopic("rules-listed");
      const commit = () => api.json("POST", `/v1/groups/${group}/offsets`, { offsets: [{ topic, partition: 0, offset: 0 }] });
      const listed = async () =>
        ((await api.json("GET", "/v1/groups")).body.groups as Array<{ groupId: string } | string>).map((g) =>
          typeof g === "string" ? g : g.groupId,
        );
      expect((await commit()).status).toBeLessThan(300);
      expect(await listed()).toContain(group);
      expect((await api.json("DELETE", `/v1/groups/${group}`)).status).toBeLessThan(300);
      expect(await listed()).not.toContain(group);
      expect((await commit()).status).toBeLessThan(300);
      expect(await listed()).toContain(group);
    });

    it("leaves internal groups (ids starting with __) out of listings unless asked for them", async () => {
      const topic = uniqueTopic("rules-internal");
      await api.createTopic(topic);
      const mine = uniqueTopic("rules-app-group");
      const internal = `__${uniqueTopic("rules-internal-group")}`;
      for (const group of [mine, internal]) {
        const committed = await api.json("POST", `/v1/groups/${group}/offsets`, { offsets: [{ topic, partition: 0, offset: 0 }] });
        expect(committed.status).toBeLessThan(300);
      }
      // a compatibility face keeps its state in an internal group of its own: a Durable Stream's settings
      const stream = uniqueTopic("rules-stream");
      const created = await fixture.fetch(`/v1/stream/${stream}`, { method: "PUT", headers: { "content-type": "text/plain" } });
      expect(created.status).toBe(201);
      const listed = async (query: string) =>
        ((await api.json("GET", `/v1/groups${query}`)).body.groups as Array<{ groupId: string }>).map((g) => g.groupId);
      const byDefault = await listed("");
      expect(byDefault).toContain(mine);
      expect(byDefault.filter((g) => g.startsWith("__"))).toEqual([]);
      const all = await listed("?internal=true");
      expect(all).toEqual(expect.arrayContaining([mine, internal, `__durable_streams.${stream}`]));
      // hidden from the list, not from the group's own routes
      expect((await api.json("GET", `/v1/groups/${internal}/offsets`)).body.offsets).toMatchObject([{ topic, partition: 0, offset: 0 }]);
    });
  });
}
