// Kafka's ACL model as pure functions: deny wins, literal/prefixed/wildcard names, User:*, hosts,
// implied operations, "allowed on some resource" for lists; and quota entity precedence.
import { describe, expect, it } from "vitest";
import { type AclBinding, authorize, authorizeAny, matchesFilter, validateAclBinding, validateAclFilter } from "../src/acl.ts";
import { createQuotaMeter, resolveQuota } from "../src/quota.ts";

const allow = (b: Partial<AclBinding>): AclBinding =>
  validateAclBinding({ principal: "User:alice", resourceType: "topic", operation: "read", ...b } as AclBinding);
const alice = { principal: "User:alice", host: "10.0.0.1" };
const topic = (name: string) => ({ type: "topic" as const, name });

describe("authorize", () => {
  it("needs an allow, and a deny wins over any allow", () => {
    expect(authorize([], alice, topic("orders"), "read")).toBe(false);
    const acls = [allow({ resourceName: "orders" })];
    expect(authorize(acls, alice, topic("orders"), "read")).toBe(true);
    expect(authorize(acls, alice, topic("orders2"), "read")).toBe(false);
    expect(
      authorize(
        [...acls, allow({ resourceName: "ord", patternType: "prefixed", operation: "all", permission: "deny" })],
        alice,
        topic("orders"),
        "read",
      ),
    ).toBe(false);
  });

  it("matches prefixes, the literal wildcard, User:* and hosts", () => {
    expect(authorize([allow({ resourceName: "ord", patternType: "prefixed" })], alice, topic("orders"), "read")).toBe(true);
    expect(authorize([allow({ resourceName: "ord", patternType: "prefixed" })], alice, topic("or"), "read")).toBe(false);
    expect(authorize([allow({ resourceName: "*" })], alice, topic("anything"), "read")).toBe(true);
    expect(authorize([allow({ principal: "User:*", resourceName: "orders" })], alice, topic("orders"), "read")).toBe(true);
    expect(authorize([allow({ principal: "User:bob", resourceName: "orders" })], alice, topic("orders"), "read")).toBe(false);
    expect(authorize([allow({ resourceName: "orders", host: "10.0.0.1" })], alice, topic("orders"), "read")).toBe(true);
    expect(authorize([allow({ resourceName: "orders", host: "10.0.0.2" })], alice, topic("orders"), "read")).toBe(false);
    expect(authorize([allow({ resourceName: "orders", host: "10.0.0.1" })], { principal: "User:alice" }, topic("orders"), "read")).toBe(
      false,
    );
  });

  it("implies DESCRIBE from READ/WRITE/DELETE/ALTER and DESCRIBE_CONFIGS from ALTER_CONFIGS, never the reverse", () => {
    for (const op of ["read", "write", "delete", "alter", "all"] as const) {
      expect(authorize([allow({ resourceName: "t", operation: op })], alice, topic("t"), "describe")).toBe(true);
    }
    expect(authorize([allow({ resourceName: "t", operation: "create" })], alice, topic("t"), "describe")).toBe(false);
    expect(authorize([allow({ resourceName: "t", operation: "describe" })], alice, topic("t"), "read")).toBe(false);
    expect(authorize([allow({ resourceName: "t", operation: "alterConfigs" })], alice, topic("t"), "describeConfigs")).toBe(true);
    // a deny of READ does not deny DESCRIBE implied by WRITE (Kafka: denies match the operation asked)
    const acls = [allow({ resourceName: "t", operation: "write" }), allow({ resourceName: "t", operation: "read", permission: "deny" })];
    expect(authorize(acls, alice, topic("t"), "describe")).toBe(true);
    expect(authorize(acls, alice, topic("t"), "read")).toBe(false);
  });

  it("answers 'some resource of the type' the way Kafka's authorizeByResourceType does", () => {
    expect(authorizeAny([], alice, "topic", "write")).toBe(false);
    expect(authorizeAny([allow({ resourceName: "a", operation: "write" })], alice, "topic", "write")).toBe(true);
    expect(authorizeAny([allow({ resourceName: "a", operation: "write" })], alice, "group", "write")).toBe(false);
    // a literal allow denied by the same literal, or by a covering prefix, or by the wildcard
    const denied = (d: Partial<AclBinding>) =>
      authorizeAny(
        [allow({ resourceName: "abc", operation: "write" }), allow({ operation: "write", permission: "deny", ...d })],
        alice,
        "topic",
        "write",
      );
    expect(denied({ resourceName: "abc" })).toBe(false);
    expect(denied({ resourceName: "ab", patternType: "prefixed" })).toBe(false);
    expect(denied({ resourceName: "*" })).toBe(false);
    expect(denied({ resourceName: "other" })).toBe(true);
    // a prefixed allow is not wholly covered by a literal deny of one name
    expect(
      authorizeAny(
        [
          allow({ resourceName: "ab", patternType: "prefixed", operation: "write" }),
          allow({ resourceName: "abc", operation: "write", permission: "deny" }),
        ],
        alice,
        "topic",
        "write",
      ),
    ).toBe(true);
  });
});

describe("bindings and filters", () => {
  it("refuses bad bindings with INVALID_REQUEST", () => {
    const bad: Array<Partial<AclBinding>> = [
      { principal: "alice" },
      { resourceType: "queue" as never },
      { operation: "fly" as never },
      { resourceType: "cluster", resourceName: "other" },
      { resourceName: "*", patternType: "prefixed" },
      { resourceName: "" },
      { permission: "maybe" as never },
    ];
    for (const b of bad) expect(() => allow({ resourceName: "t", ...b })).toThrow(expect.objectContaining({ code: "INVALID_REQUEST" }));
    expect(() => validateAclFilter({ patternType: "match" })).toThrow(expect.objectContaining({ code: "INVALID_REQUEST" }));
    expect(() => validateAclFilter({ operation: "fly" })).toThrow(expect.objectContaining({ code: "INVALID_REQUEST" }));
  });

  it("filters by any field; match finds every binding that applies to a name", () => {
    const acls = [
      allow({ resourceName: "orders" }),
      allow({ resourceName: "ord", patternType: "prefixed" }),
      allow({ resourceName: "*" }),
      allow({ resourceName: "pay" }),
    ];
    expect(acls.filter((b) => matchesFilter(b, { resourceName: "orders", patternType: "match" })).map((b) => b.resourceName)).toEqual([
      "orders",
      "ord",
      "*",
    ]);
    expect(acls.filter((b) => matchesFilter(b, { patternType: "prefixed" }))).toHaveLength(1);
    expect(acls.filter((b) => matchesFilter(b, {}))).toHaveLength(4);
  });
});

describe("quotas", () => {
  const entries = [
    { entity: { user: "alice", clientId: "app" }, values: { producerByteRate: 1 } },
    { entity: { user: "alice", clientId: "<default>" }, values: { producerByteRate: 2 } },
    { entity: { user: "alice" }, values: { producerByteRate: 3 } },
    { entity: { user: "<default>", clientId: "app" }, values: { producerByteRate: 4 } },
    { entity: { user: "<default>" }, values: { producerByteRate: 6, consumerByteRate: 60 } },
    { entity: { clientId: "app" }, values: { producerByteRate: 7 } },
    { entity: { clientId: "<default>" }, values: { producerByteRate: 8 } },
  ];
  it("takes the most specific entry, Kafka's precedence; a default meters each name on its own", () => {
    expect(resolveQuota(entries, "alice", "app", "produce")).toEqual({ key: "produce:user=alice,client=app", bytesPerSecond: 1 });
    expect(resolveQuota(entries, "alice", "cli", "produce")).toEqual({ key: "produce:user=alice,client=cli", bytesPerSecond: 2 });
    expect(resolveQuota(entries.slice(2), "alice", "cli", "produce")).toEqual({ key: "produce:user=alice", bytesPerSecond: 3 });
    expect(resolveQuota(entries, "bob", "app", "produce")).toEqual({ key: "produce:user=bob,client=app", bytesPerSecond: 4 });
    expect(resolveQuota(entries, "bob", "cli", "produce")).toEqual({ key: "produce:user=bob", bytesPerSecond: 6 });
    expect(resolveQuota(entries.slice(5), "bob", "app", "produce")).toEqual({ key: "produce:client=app", bytesPerSecond: 7 });
    expect(resolveQuota(entries.slice(6), "bob", "cli", "produce")).toEqual({ key: "produce:client=cli", bytesPerSecond: 8 });
    expect(resolveQuota(entries, "bob", "cli", "fetch")).toEqual({ key: "fetch:user=bob", bytesPerSecond: 60 });
    expect(resolveQuota([], "bob", "cli", "fetch")).toBeNull();
  });

  it("meters with a burst window: throttle is what lies past rate × (elapsed + burst)", () => {
    let t = 0;
    const meter = createQuotaMeter({ now: () => t, burstMs: 1000 });
    expect(meter.charge("k", 1000, 1000)).toBe(0); // one second's worth: within the burst
    expect(meter.charge("k", 1000, 1000)).toBe(1000); // two seconds' worth at once: one second owed
    expect(meter.pending("k")).toBe(1000);
    t = 600;
    expect(meter.pending("k")).toBe(400);
    t = 5000;
    expect(meter.pending("k")).toBe(0);
    expect(meter.charge("k", 500, 1000)).toBe(0); // idle time is not banked beyond the burst
    expect(meter.charge("k", 2000, 1000)).toBe(1500);
    expect(meter.pending("other")).toBe(0);
  });
});
