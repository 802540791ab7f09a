// ACL rules the matrix does not reach: transactional ids, idempotent producers (WRITE on some
// topic), pattern subscriptions (DESCRIBE on every topic), group answers filtered by topic, and
// topic existence hidden from principals that may not describe it.
import { createNodeBroker } from "@rill/node";
import { securitySettingsFrom } from "@rill/server";
import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";

const SECRET = "acl-rules-secret-0123456789abcdef";
const node = createNodeBroker({ auth: securitySettingsFrom({ RILL_TOKENS: "root", RILL_JWT_SECRET: SECRET }).auth });

async function as(sub: string) {
  const token = await new SignJWT({})
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(sub)
    .setExpirationTime(Math.floor(Date.now() / 1000) + 600)
    .sign(new TextEncoder().encode(SECRET));
  return (method: string, path: string, body?: unknown) =>
    node.fetch(`http://rill.test${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
}
const root = (method: string, path: string, body?: unknown) =>
  node.fetch(`http://rill.test${path}`, {
    method,
    headers: { authorization: "Bearer root", ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
const grant = (acls: object[]) => root("POST", "/v1/acls", { acls });
const code = async (res: Response) => ((await res.json()) as { error?: { code: string } }).error?.code;

describe("ACL rules beyond the matrix", () => {
  it("transactional ids need WRITE on the id; idempotent producers WRITE on some topic", async () => {
    const tx = await as("tx-user");
    expect(await code(await tx("POST", "/v1/producers", { transactionalId: "tx-1" }))).toBe("TRANSACTIONAL_ID_AUTHORIZATION_FAILED");
    expect(await code(await tx("POST", "/v1/producers", {}))).toBe("TOPIC_AUTHORIZATION_FAILED");
    await grant([
      { principal: "User:tx-user", resourceType: "transactionalId", resourceName: "tx-1", operation: "write" },
      { principal: "User:tx-user", resourceType: "topic", resourceName: "some-topic", operation: "write" },
    ]);
    expect((await tx("POST", "/v1/producers", { transactionalId: "tx-1" })).status).toBe(200);
    expect(await code(await tx("POST", "/v1/producers", { transactionalId: "tx-2" }))).toBe("TRANSACTIONAL_ID_AUTHORIZATION_FAILED");
    expect((await tx("POST", "/v1/producers", {})).status).toBe(200);
  });

  it("a pattern subscription needs DESCRIBE on every topic; a topic list DESCRIBE on each", async () => {
    await root("POST", "/v1/topics", { name: "sub-a" });
    await root("POST", "/v1/topics", { name: "sub-b" });
    const member = await as("member");
    await grant([
      { principal: "User:member", resourceType: "group", resourceName: "subs", operation: "read" },
      { principal: "User:member", resourceType: "topic", resourceName: "sub-a", operation: "read" },
    ]);
    expect((await member("POST", "/v1/groups/subs/heartbeat", { memberEpoch: 0, topics: ["sub-a"] })).status).toBe(200);
    expect(await code(await member("POST", "/v1/groups/subs/heartbeat", { memberEpoch: 0, topics: ["sub-a", "sub-b"] }))).toBe(
      "TOPIC_AUTHORIZATION_FAILED",
    );
    expect(await code(await member("POST", "/v1/groups/subs/heartbeat", { memberEpoch: 0, pattern: "sub-.*" }))).toBe(
      "TOPIC_AUTHORIZATION_FAILED",
    );
    await grant([{ principal: "User:member", resourceType: "topic", resourceName: "*", operation: "describe" }]);
    expect((await member("POST", "/v1/groups/subs/heartbeat", { memberEpoch: 0, pattern: "sub-.*" })).status).toBe(200);
    // a group of someone else's
    expect(await code(await member("POST", "/v1/groups/other/heartbeat", { memberEpoch: 0, topics: ["sub-a"] }))).toBe(
      "GROUP_AUTHORIZATION_FAILED",
    );
  });

  it("filters group answers to the topics the principal may describe", async () => {
    await root("POST", "/v1/topics", { name: "seen" });
    await root("POST", "/v1/topics", { name: "unseen" });
    await root("POST", "/v1/groups/mixed/offsets", {
      memberId: null,
      offsets: [
        { topic: "seen", partition: 0, offset: 0 },
        { topic: "unseen", partition: 0, offset: 0 },
      ],
    });
    const viewer = await as("viewer");
    await grant([
      { principal: "User:viewer", resourceType: "group", resourceName: "mixed", operation: "describe" },
      { principal: "User:viewer", resourceType: "topic", resourceName: "seen", operation: "describe" },
    ]);
    const offsets = (await (await viewer("GET", "/v1/groups/mixed/offsets")).json()) as { offsets: Array<{ topic: string }> };
    expect(offsets.offsets.map((o) => o.topic)).toEqual(["seen"]);
    const described = (await (await viewer("GET", "/v1/groups/mixed")).json()) as { partitions: Array<{ topic: string }> };
    expect(described.partitions.map((p) => p.topic)).toEqual(["seen"]);
    const groups = (await (await viewer("GET", "/v1/groups")).json()) as { groups: Array<{ groupId: string }> };
    expect(groups.groups.map((g) => g.groupId)).toEqual(["mixed"]);
  });

  it("hides whether a topic exists from a principal that may not describe it", async () => {
    await root("POST", "/v1/topics", { name: "hidden" });
    const creator = await as("creator");
    await grant([{ principal: "User:creator", resourceType: "topic", resourceName: "hid", patternType: "prefixed", operation: "create" }]);
    // CREATE alone does not imply DESCRIBE: an existing topic answers 403, not 409
    expect(await code(await creator("POST", "/v1/topics", { name: "hidden" }))).toBe("TOPIC_AUTHORIZATION_FAILED");
    expect((await creator("POST", "/v1/topics", { name: "hid-new" })).status).toBe(201);
    for (const name of ["hidden", "never-was"]) {
      const res = await creator("GET", `/v1/topics/${name}/partitions/0/records?offset=0`);
      expect(res.status).toBe(403);
      expect(await code(res)).toBe("TOPIC_AUTHORIZATION_FAILED");
    }
  });
});
