// The protocol suites inside workerd: the Worker, the controller, partition and group Durable Objects on SQLite.
import { SELF } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { groupsSuite } from "../protocol/groups-suite.ts";
import { rulesSuite } from "../protocol/rules-suite.ts";
import { type ProtocolFixture, protocolSuite } from "../protocol/suite.ts";

const fixture: ProtocolFixture = { name: "workerd (durable objects)", fetch: (path, init) => SELF.fetch(`http://rill.local${path}`, init) };
protocolSuite(fixture);
groupsSuite(fixture);
rulesSuite(fixture);

describe("group registry at the edge", () => {
  it("lists a group again after it was deleted through another Worker isolate", async () => {
    const group = `elsewhere-${Math.random().toString(36).slice(2, 8)}`;
    const commit = () =>
      SELF.fetch(`http://rill.local/v1/groups/${group}/offsets`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ offsets: [{ topic: "anything", partition: 0, offset: 1 }] }),
      });
    const listed = async () =>
      ((await (await SELF.fetch("http://rill.local/v1/groups")).json()) as { groups: Array<{ groupId: string }> }).groups.map(
        (g) => g.groupId,
      );
    expect((await commit()).status).toBeLessThan(300);
    expect(await listed()).toContain(group);
    // another isolate's Worker deletes it: it talks to the group's object directly, not through this one
    const stub = env.GROUPS.get(env.GROUPS.idFromName(group));
    expect(await stub.deleteGroup(group)).toMatchObject({ ok: true });
    expect(await listed()).not.toContain(group);
    expect((await commit()).status).toBeLessThan(300);
    expect(await listed()).toContain(group);
  });
});
