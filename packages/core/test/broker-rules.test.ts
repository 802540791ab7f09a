import { describe, expect, it } from "vitest";
import {
  compilePattern,
  isRillError,
  replicaAcks,
  replicaLogName,
  servingReplica,
  subscribedTopicCounts,
  type TopicMetadata,
} from "../src/index.ts";

const topic: TopicMetadata = {
  name: "orders",
  topicId: "id1",
  replicationFactor: 3,
  config: {},
  version: 1,
  createdAt: 0,
  partitions: [
    { partition: 0, leader: 1, leaderEpoch: 2, replicas: [0, 1, 2], isr: [1, 2] },
    { partition: 1, leader: -1, leaderEpoch: 3, replicas: [0, 1, 2], isr: [] },
  ],
} as TopicMetadata;

function errorOf(fn: () => unknown) {
  try {
    fn();
  } catch (error) {
    if (isRillError(error)) return { code: error.code, retriable: error.retriable };
    throw error;
  }
  throw new Error("expected a RillError");
}

describe("broker rules", () => {
  it("names replica logs by topic id, replica 0 without a suffix", () => {
    expect(replicaLogName("id1", 4, 0)).toBe("id1/4");
    expect(replicaLogName("id1", 4, 2)).toBe("id1/4#2");
  });

  it("serves writes from the leader and reads from a named in-sync replica", () => {
    expect(servingReplica(topic, 0, null)).toBe(1);
    expect(servingReplica(topic, 0, {})).toBe(1);
    expect(servingReplica(topic, 0, { replica: 2 })).toBe(2);
  });

  it("tells a missing replica (caller's mistake) from an out-of-sync one or a missing leader (retriable)", () => {
    expect(errorOf(() => servingReplica(topic, 0, { replica: 7 }))).toEqual({ code: "INVALID_REQUEST", retriable: false });
    expect(errorOf(() => servingReplica(topic, 0, { replica: 0 }))).toEqual({ code: "NOT_LEADER_OR_FOLLOWER", retriable: true });
    expect(errorOf(() => servingReplica(topic, 1, null))).toEqual({ code: "LEADER_NOT_AVAILABLE", retriable: true });
    expect(errorOf(() => servingReplica(topic, 9, null))).toMatchObject({ code: "UNKNOWN_TOPIC_OR_PARTITION" });
  });

  it("appends acks=0 as acks=1 and keeps 1 and all", () => {
    expect([replicaAcks(0), replicaAcks(1), replicaAcks(-1)]).toEqual([1, 1, -1]);
  });

  it("matches subscriptions by name or whole-name pattern, and refuses a pattern that is not a regex", () => {
    const all = [
      { name: "orders", partitions: 3 },
      { name: "orders-eu", partitions: 2 },
      { name: "payments", partitions: 1 },
      { name: "xorders", partitions: 1 },
    ];
    expect(subscribedTopicCounts(all, ["payments"], ["orders.*"])).toEqual({ orders: 3, "orders-eu": 2, payments: 1 });
    expect(subscribedTopicCounts(all, ["missing"], [])).toEqual({});
    expect(errorOf(() => compilePattern("(["))).toEqual({ code: "INVALID_REQUEST", retriable: false });
  });
});
