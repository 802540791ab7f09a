import { createMemoryStorage } from "@rill/storage-memory";
import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import {
  count,
  createGroupCoordinator,
  type GroupCoordinator,
  type HeartbeatResponse,
  isRillError,
  rangeAssignor,
  roundRobinAssignor,
  stickyAssignor,
  type TopicPartitions,
} from "../src/index.ts";

function setup(counts: Record<string, number> = { orders: 4 }, extra: { heartbeatIntervalMs?: number } = {}) {
  let clock = 1_000_000;
  let ids = 0;
  const memory = createMemoryStorage();
  const writes = { documents: 0 };
  const storage = {
    ...memory,
    putDocument: (...args: Parameters<typeof memory.putDocument>) => {
      writes.documents++;
      return memory.putDocument(...args);
    },
  };
  const coordinator = createGroupCoordinator({
    ...extra,
    storage,
    groupId: "g",
    now: () => clock,
    newMemberId: () => `m${++ids}`,
    listTopics: async () => Object.entries(counts).map(([name, partitions]) => ({ name, partitions })),
  });
  return { coordinator, advance: (ms: number) => (clock += ms), counts, writes };
}

const partitionsOf = (r: HeartbeatResponse) => r.assignment.flatMap((a) => a.partitions.map((p) => `${a.topic}/${p}`));

/** A well-behaved member: joins, heartbeats acknowledging what it was told to own. */
function member(coordinator: GroupCoordinator, topics = ["orders"], instanceId?: string) {
  let last: HeartbeatResponse | undefined;
  return {
    get last() {
      return last as HeartbeatResponse;
    },
    async beat() {
      last = await coordinator.heartbeat(
        last
          ? { memberId: last.memberId, memberEpoch: last.memberEpoch, ownedPartitions: last.assignment }
          : { memberId: null, memberEpoch: 0, topics, instanceId },
      );
      return last;
    },
    async leave() {
      if (last) await coordinator.heartbeat({ memberId: last.memberId, memberEpoch: -1 });
    },
  };
}

describe("assignors", () => {
  const members = [
    { memberId: "a", topics: ["t"], current: {} },
    { memberId: "b", topics: ["t"], current: {} },
    { memberId: "c", topics: ["t", "u"], current: {} },
  ];
  it("range gives consecutive ranges per topic", () => {
    expect(rangeAssignor(members, { t: 7, u: 2 })).toEqual({ a: { t: [0, 1, 2] }, b: { t: [3, 4] }, c: { t: [5, 6], u: [0, 1] } });
  });
  it("round-robin deals partitions in turn to subscribed members", () => {
    expect(roundRobinAssignor(members, { t: 4, u: 2 })).toEqual({ a: { t: [0, 3] }, b: { t: [1] }, c: { t: [2], u: [0, 1] } });
  });
  it("sticky keeps current owners and balances with few moves", () => {
    const before = stickyAssignor(members.slice(0, 2), { t: 8 });
    expect(Object.values(before).map(count)).toEqual([4, 4]);
    const after = stickyAssignor(
      [
        ...members.slice(0, 2).map((m) => ({ ...m, current: before[m.memberId] as TopicPartitions })),
        { memberId: "c", topics: ["t"], current: {} },
      ],
      { t: 8 },
    );
    expect(Object.values(after).map(count).sort()).toEqual([2, 3, 3]);
    // a and b only lost partitions; nothing moved between them
    for (const id of ["a", "b"]) for (const p of after[id]?.t ?? []) expect(before[id]?.t).toContain(p);
  });
  it("every assignor gives each partition to exactly one subscribed member", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 40 }), (n, partitions) => {
        const ms = Array.from({ length: n }, (_, i) => ({ memberId: `m${i}`, topics: ["t"], current: {} }));
        for (const assignor of [rangeAssignor, roundRobinAssignor, stickyAssignor]) {
          const all = Object.values(assignor(ms, { t: partitions })).flatMap((tp) => tp.t ?? []);
          expect(all.sort((a, b) => a - b)).toEqual(Array.from({ length: partitions }, (_, i) => i));
        }
      }),
    );
  });
});

describe("group coordinator", () => {
  it("assigns a lone member everything, with a member epoch", async () => {
    const { coordinator } = setup();
    const a = member(coordinator);
    const r = await a.beat();
    expect(r).toMatchObject({ memberId: "m1", memberEpoch: 1, heartbeatIntervalMs: 3000 });
    expect(partitionsOf(r)).toEqual(["orders/0", "orders/1", "orders/2", "orders/3"]);
    expect((await coordinator.describe())?.state).toBe("Stable");
  });

  it("moves partitions incrementally: revoked and acknowledged before the new owner gets them", async () => {
    const { coordinator } = setup();
    const a = member(coordinator);
    await a.beat();
    const b = member(coordinator);
    expect(partitionsOf(await b.beat())).toEqual([]); // a still holds everything
    const revoking = await a.beat(); // a is told to keep only its share; its epoch waits for the ack
    expect(partitionsOf(revoking)).toHaveLength(2);
    expect(revoking.memberEpoch).toBe(1);
    expect(partitionsOf(await b.beat())).toEqual([]); // not released yet
    const acked = await a.beat(); // a acknowledges by reporting what it now owns
    expect(acked.memberEpoch).toBe(2);
    const bGets = await b.beat();
    expect(partitionsOf(bGets)).toHaveLength(2);
    expect(new Set([...partitionsOf(acked), ...partitionsOf(bGets)]).size).toBe(4);
    expect((await coordinator.describe())?.state).toBe("Stable");
  });

  it("wakes a waiting heartbeat as soon as its assignment changes", async () => {
    // the wait would outlast the test's own timeout: only the wake-up can end it in time
    const { coordinator } = setup({ orders: 4 }, { heartbeatIntervalMs: 600_000 });
    const a = member(coordinator);
    await a.beat();
    const waiting = coordinator.heartbeat({
      memberId: a.last.memberId,
      memberEpoch: a.last.memberEpoch,
      ownedPartitions: a.last.assignment,
      waitMs: 600_000,
    });
    await member(coordinator).beat();
    const woke = await waiting;
    expect(partitionsOf(woke)).toHaveLength(2);
  });

  it("writes the group only when something other than a heartbeat time changed", async () => {
    const { coordinator, writes, advance } = setup();
    const a = member(coordinator);
    await a.beat();
    await a.beat(); // acknowledges its assignment
    const settled = writes.documents;
    for (let i = 0; i < 5; i++) {
      advance(3000);
      await a.beat();
    }
    expect(writes.documents).toBe(settled);
    // the heartbeats still count: 40 s later a is alive, and only a session of silence expires it
    advance(40_000);
    expect(await coordinator.expireMembers()).not.toBeNull();
    expect((await coordinator.describe())?.members[a.last.memberId]).toBeDefined();
    await member(coordinator).beat();
    expect(writes.documents).toBeGreaterThan(settled);
  });

  it("does not count the end of a long-poll as a heartbeat: a member that vanished mid-wait expires on time", async () => {
    // the long-poll's wait is a timer: faked, so it ends exactly when the test says and not before
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    try {
      const { coordinator, advance } = setup({ orders: 4 }, { heartbeatIntervalMs: 50 });
      const a = member(coordinator);
      await a.beat();
      await a.beat();
      // a's last heartbeat waits; the clock moves 44 s while it waits, then a is never heard of again
      let answered = false;
      const waiting = coordinator
        .heartbeat({ memberId: a.last.memberId, memberEpoch: a.last.memberEpoch, ownedPartitions: a.last.assignment, waitMs: 50 })
        .finally(() => (answered = true));
      // the coordinator serves one request at a time, in order: once describe() answers, the
      // heartbeat's first look is done and it is waiting on its timer
      await coordinator.describe();
      expect(answered).toBe(false);
      advance(44_000);
      await vi.advanceTimersByTimeAsync(50);
      await waiting;
      advance(2_000); // 46 s after the heartbeat it sent, 2 s after its long-poll ended
      await coordinator.expireMembers();
      expect((await coordinator.describe())?.members[a.last.memberId]).toBeUndefined();
    } finally {
      vi.useRealTimers();
    }
  });

  it("expires members that stop heartbeating and gives their partitions away", async () => {
    const { coordinator, advance } = setup();
    const a = member(coordinator);
    const b = member(coordinator);
    await a.beat();
    await b.beat();
    await a.beat();
    await a.beat();
    await b.beat();
    expect(partitionsOf(b.last)).toHaveLength(2);
    advance(30_000);
    await a.beat();
    advance(30_000); // b has now been silent for 60 s > 45 s session timeout
    expect(await coordinator.expireMembers()).toBeGreaterThan(0);
    expect(partitionsOf(await a.beat())).toHaveLength(4);
    await expect(b.beat()).rejects.toSatisfy((e) => isRillError(e, "UNKNOWN_MEMBER_ID"));
  });

  it("fences commits from stale epochs, unknown members and non-owners", async () => {
    const { coordinator } = setup();
    const a = member(coordinator);
    await a.beat();
    const commit = (memberId: string | null, memberEpoch: number, partition: number) =>
      coordinator.commitOffsets({ memberId, memberEpoch, offsets: [{ topic: "orders", partition, offset: 5 }] });
    await commit(a.last.memberId, 1, 0);
    const b = member(coordinator);
    await b.beat();
    await a.beat();
    await a.beat(); // a now at epoch 2 with two partitions
    const [kept] = a.last.assignment[0]?.partitions ?? [];
    const lost = [0, 1, 2, 3].find((p) => !a.last.assignment[0]?.partitions.includes(p)) as number;
    await commit(a.last.memberId, 2, kept as number);
    await expect(commit(a.last.memberId, 2, lost)).rejects.toSatisfy((e) => isRillError(e, "FENCED_MEMBER_EPOCH"));
    await expect(commit(a.last.memberId, 0, kept as number)).rejects.toSatisfy((e) => isRillError(e, "STALE_MEMBER_EPOCH"));
    await expect(commit(a.last.memberId, 9, kept as number)).rejects.toSatisfy((e) => isRillError(e, "FENCED_MEMBER_EPOCH"));
    await expect(commit("nobody", 1, 0)).rejects.toSatisfy((e) => isRillError(e, "UNKNOWN_MEMBER_ID"));
    await expect(commit(null, -1, 0)).rejects.toSatisfy((e) => isRillError(e, "UNKNOWN_MEMBER_ID"));
    expect((await coordinator.fetchOffsets()).map((o) => [o.partition, o.offset]).sort()).toEqual(
      [
        [0, 5],
        [kept, 5],
      ].filter((x, i, all) => all.findIndex((y) => y[0] === x[0]) === i),
    );
  });

  it("lets a static member restart without a rebalance", async () => {
    const { coordinator } = setup();
    const a = member(coordinator, ["orders"], "instance-a");
    const b = member(coordinator, ["orders"], "instance-b");
    await a.beat();
    await b.beat();
    await a.beat();
    await a.beat();
    await b.beat();
    const before = await coordinator.describe();
    await coordinator.heartbeat({ memberId: b.last.memberId, memberEpoch: -2 });
    const b2 = member(coordinator, ["orders"], "instance-b");
    const back = await b2.beat();
    expect(partitionsOf(back)).toEqual(partitionsOf(b.last));
    expect((await coordinator.describe())?.groupEpoch).toBe(before?.groupEpoch);
  });

  it("leaves, resets offsets and deletes only an empty group", async () => {
    const { coordinator } = setup();
    const a = member(coordinator);
    await a.beat();
    await expect(coordinator.resetOffsets([])).rejects.toSatisfy((e) => isRillError(e, "NON_EMPTY_GROUP"));
    await expect(coordinator.deleteGroup()).rejects.toSatisfy((e) => isRillError(e, "NON_EMPTY_GROUP"));
    await a.leave();
    expect((await coordinator.describe())?.state).toBe("Empty");
    await coordinator.resetOffsets([{ topic: "orders", partition: 1, offset: 3, metadata: null, leaderEpoch: -1, commitTimestamp: 1 }]);
    expect((await coordinator.fetchOffsets()).map((o) => o.offset)).toEqual([3]);
    await coordinator.deleteGroup();
    expect(await coordinator.describe()).toBeNull();
    expect(await coordinator.fetchOffsets()).toEqual([]);
  });

  it("subscribes by pattern and follows topics created later", async () => {
    const counts: Record<string, number> = { "orders-eu": 2 };
    const { coordinator } = setup(counts);
    const r = await coordinator.heartbeat({ memberId: null, memberEpoch: 0, pattern: "orders-.*" });
    expect(partitionsOf(r)).toEqual(["orders-eu/0", "orders-eu/1"]);
    counts["orders-us"] = 1;
    const next = await coordinator.heartbeat({ memberId: r.memberId, memberEpoch: r.memberEpoch, ownedPartitions: r.assignment });
    expect(partitionsOf(next)).toEqual(["orders-eu/0", "orders-eu/1", "orders-us/0"]);
  });

  it("never lets two members hold one partition, and settles with everything assigned", async () => {
    type Step = { who: number; action: "beat" | "join" | "leave" | "crash" };
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            who: fc.integer({ min: 0, max: 3 }),
            action: fc.constantFrom<Step["action"]>("beat", "beat", "beat", "join", "leave", "crash"),
          }),
          {
            maxLength: 40,
          },
        ),
        async (steps) => {
          const { coordinator, advance } = setup({ orders: 6, audit: 3 });
          const slots: Array<ReturnType<typeof member> | undefined> = [];
          const check = async () => {
            const d = await coordinator.describe();
            const held = new Map<string, string>();
            for (const m of Object.values(d?.members ?? {})) {
              for (const tps of [m.assigned, m.revoking]) {
                for (const [t, ps] of Object.entries(tps)) {
                  for (const p of ps) {
                    const k = `${t}/${p}`;
                    expect(held.get(k) ?? m.memberId).toBe(m.memberId);
                    held.set(k, m.memberId);
                  }
                }
              }
            }
          };
          for (const step of steps) {
            const slot = slots[step.who];
            if (step.action === "join" && !slot) {
              slots[step.who] = member(coordinator, step.who % 2 ? ["orders", "audit"] : ["orders"]);
              await slots[step.who]?.beat();
            } else if (slot && step.action === "beat") await slot.beat().catch(() => (slots[step.who] = undefined));
            else if (slot && step.action === "leave") {
              await slot.leave();
              slots[step.who] = undefined;
            } else if (slot && step.action === "crash") {
              slots[step.who] = undefined; // stops heartbeating; the session timeout removes it
              advance(20_000);
            }
            await check();
          }
          // let crashed members time out while the live ones keep heartbeating, then everything settles
          for (let round = 0; round < 8; round++) {
            advance(10_000);
            for (let i = 0; i < slots.length; i++) await slots[i]?.beat().catch(() => (slots[i] = undefined));
          }
          await check();
          const d = await coordinator.describe();
          if (slots.some((s) => s !== undefined)) {
            expect(d?.state).toBe("Stable");
            const orders = Object.values(d?.members ?? {}).flatMap((m) => m.assigned.orders ?? []);
            expect(orders.sort()).toEqual([0, 1, 2, 3, 4, 5]);
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
