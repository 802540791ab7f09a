// Consumer-group protocol cases, run against every runtime like the main protocol suite.
import { describe, expect, it } from "vitest";
import { uniqueTopic } from "../helpers/names.ts";
import { type ProtocolFixture, protocolClient } from "./client.ts";

type Assignment = Array<{ topic: string; partitions: number[] }>;
const flat = (a: Assignment) => a.flatMap((x) => x.partitions.map((p) => `${x.topic}/${p}`)).sort();

export function groupsSuite(fixture: ProtocolFixture): void {
  const api = protocolClient(fixture);
  const heartbeat = (group: string, body: Record<string, unknown>) => api.json("POST", `/v1/groups/${group}/heartbeat`, body);

  /** A member that heartbeats like a well-behaved client: acknowledging what it was told to own. */
  const member = (group: string, topics: string[]) => {
    let state: { memberId: string; memberEpoch: number; assignment: Assignment } | undefined;
    return {
      get state() {
        return state as NonNullable<typeof state>;
      },
      async beat(extra: Record<string, unknown> = {}) {
        const body = state
          ? { memberId: state.memberId, memberEpoch: state.memberEpoch, ownedPartitions: state.assignment, ...extra }
          : { memberId: null, memberEpoch: 0, topics, ...extra };
        const res = await heartbeat(group, body);
        if (res.status !== 200) throw new Error(JSON.stringify(res.body));
        state = res.body;
        return res.body as { memberId: string; memberEpoch: number; heartbeatIntervalMs: number; assignment: Assignment };
      },
    };
  };

  describe(`consumer groups: ${fixture.name}`, () => {
    it("assigns partitions by heartbeat and hands them over incrementally", async () => {
      const topic = uniqueTopic();
      const group = uniqueTopic("g");
      await api.createTopic(topic, 4);
      const a = member(group, [topic]);
      const first = await a.beat();
      expect(first.memberEpoch).toBeGreaterThan(0);
      expect(first.heartbeatIntervalMs).toBe(3000);
      expect(flat(first.assignment)).toEqual([0, 1, 2, 3].map((p) => `${topic}/${p}`));
      const b = member(group, [topic]);
      expect(flat((await b.beat()).assignment)).toEqual([]);
      const shrunk = await a.beat();
      expect(flat(shrunk.assignment)).toHaveLength(2);
      await a.beat(); // acknowledges the revocation
      const given = await b.beat();
      expect(flat(given.assignment)).toHaveLength(2);
      expect(new Set([...flat(a.state.assignment), ...flat(given.assignment)]).size).toBe(4);
      const described = (await api.json("GET", `/v1/groups/${group}`)).body;
      expect(described.state).toBe("Stable");
      expect(described.members).toHaveLength(2);
      const list = (await api.json("GET", "/v1/groups")).body.groups;
      expect(list.find((g: { groupId: string }) => g.groupId === group)).toMatchObject({ state: "Stable", members: 2 });
    });

    it("commits offsets fenced by member epoch and reports lag", async () => {
      const topic = uniqueTopic();
      const group = uniqueTopic("g");
      await api.createTopic(topic, 1);
      await api.produce(
        topic,
        Array.from({ length: 10 }, (_, i) => ({ value: `v${i}` })),
      );
      const a = member(group, [topic]);
      const joined = await a.beat();
      const commit = (memberEpoch: number, offset: number, memberId = joined.memberId) =>
        api.json("POST", `/v1/groups/${group}/offsets`, {
          memberId,
          memberEpoch,
          offsets: [{ topic, partition: 0, offset, metadata: "m" }],
        });
      expect((await commit(joined.memberEpoch, 4)).body).toEqual({ committed: 1 });
      const stale = await commit(joined.memberEpoch - 1, 5);
      expect(stale.status).toBe(409);
      expect(stale.body.error.code).toBe("STALE_MEMBER_EPOCH");
      expect((await commit(joined.memberEpoch, 5, "someone-else")).body.error.code).toBe("UNKNOWN_MEMBER_ID");
      expect((await api.json("GET", `/v1/groups/${group}/offsets`)).body.offsets).toMatchObject([
        { topic, partition: 0, offset: 4, metadata: "m" },
      ]);
      const described = (await api.json("GET", `/v1/groups/${group}`)).body;
      expect(described.partitions).toEqual([
        { topic, partition: 0, committedOffset: 4, highWatermark: 10, lag: 6, memberId: joined.memberId, metadata: "m" },
      ]);
      expect(described.totalLag).toBe(6);
    });

    it("refuses unknown members, fenced epochs and bad bodies", async () => {
      const topic = uniqueTopic();
      const group = uniqueTopic("g");
      await api.createTopic(topic, 2);
      const unknown = await heartbeat(group, { memberId: "ghost", memberEpoch: 3 });
      expect(unknown.status).toBe(404);
      expect(unknown.body.error.code).toBe("UNKNOWN_MEMBER_ID");
      const a = member(group, [topic]);
      const joined = await a.beat();
      const fenced = await heartbeat(group, { memberId: joined.memberId, memberEpoch: joined.memberEpoch + 5 });
      expect(fenced.status).toBe(409);
      expect(fenced.body.error.code).toBe("FENCED_MEMBER_EPOCH");
      expect((await heartbeat(group, { memberEpoch: "one" })).body.error.code).toBe("INVALID_REQUEST");
      expect((await heartbeat(group, { memberId: null, memberEpoch: 0 })).body.error.code).toBe("INVALID_REQUEST");
      expect((await heartbeat("bad/group", { memberId: null, memberEpoch: 0, topics: [topic] })).status).toBe(404);
      expect((await heartbeat("bad group", { memberId: null, memberEpoch: 0, topics: [topic] })).body.error.code).toBe("INVALID_REQUEST");
      expect((await api.json("GET", `/v1/groups/${uniqueTopic("nobody")}`)).status).toBe(404);
    });

    it("answers a long-polling heartbeat with the assignment that changed while it waited", async () => {
      // that the change ends the wait early (rather than the interval running out) is proven in
      // packages/core/test/group-coordinator.test.ts with a wait longer than the test's timeout;
      // over HTTP the wait is capped at the heartbeat interval, so only the answer is checked here
      const topic = uniqueTopic();
      const group = uniqueTopic("g");
      await api.createTopic(topic, 2);
      const a = member(group, [topic]);
      await a.beat();
      const waiting = a.beat({ waitMs: 3000 });
      const b = await member(group, [topic]).beat();
      expect(flat(b.assignment)).toEqual([]); // a still holds both until it gives one up
      const woke = await waiting;
      expect(flat(woke.assignment)).toHaveLength(1);
    });

    it("resets offsets and deletes only groups without members", async () => {
      const topic = uniqueTopic();
      const group = uniqueTopic("g");
      await api.createTopic(topic, 2);
      await api.produce(topic, [
        { value: "a", partition: 0, timestamp: 1000 },
        { value: "b", partition: 0, timestamp: 2000 },
        { value: "c", partition: 1 },
      ]);
      const a = member(group, [topic]);
      await a.beat();
      const busy = await api.json("POST", `/v1/groups/${group}/offsets/reset`, { topic, to: "earliest" });
      expect(busy.status).toBe(409);
      expect(busy.body.error.code).toBe("NON_EMPTY_GROUP");
      expect((await api.json("DELETE", `/v1/groups/${group}`)).body.error.code).toBe("NON_EMPTY_GROUP");
      expect((await heartbeat(group, { memberId: a.state.memberId, memberEpoch: -1 })).status).toBe(200);
      const latest = await api.json("POST", `/v1/groups/${group}/offsets/reset`, { topic, to: "latest" });
      expect(latest.body.offsets).toEqual([
        { topic, partition: 0, offset: 2 },
        { topic, partition: 1, offset: 1 },
      ]);
      const byTime = await api.json("POST", `/v1/groups/${group}/offsets/reset`, { topic, partitions: [0], to: { timestamp: 1500 } });
      expect(byTime.body.offsets).toEqual([{ topic, partition: 0, offset: 1 }]);
      const clamped = await api.json("POST", `/v1/groups/${group}/offsets/reset`, { topic, partitions: [1], to: { offset: 99 } });
      expect(clamped.body.offsets).toEqual([{ topic, partition: 1, offset: 1 }]);
      expect(
        (await api.json("GET", `/v1/groups/${group}/offsets?topic=${topic}`)).body.offsets.map((o: { offset: number }) => o.offset),
      ).toEqual([1, 1]);
      expect((await api.json("DELETE", `/v1/groups/${group}`)).body).toEqual({ deleted: group });
      expect((await api.json("GET", `/v1/groups/${group}`)).status).toBe(404);
      expect((await api.json("GET", "/v1/groups")).body.groups.map((g: { groupId: string }) => g.groupId)).not.toContain(group);
    });
  });
}
