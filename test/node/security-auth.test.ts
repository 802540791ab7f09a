// Principals: JWTs (HS256 with a secret; RS256 and ES256 against a JWKS given inline or by URL),
// API keys (stored as salted hashes, several per principal for rotation), deployment tokens and
// RILL_SUPER_USERS as super users; and the same on the real edge (wrangler dev, the Worker entry).
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createNodeBroker } from "@rill/node";
import { securitySettingsFrom } from "@rill/server";
import { createMemoryStorage } from "@rill/storage-memory";
import { exportJWK, generateKeyPair, type JWK, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalBroker } from "../harness/local-broker.ts";

const HS = "hs256-secret-for-tests-0123456789";
const now = () => Math.floor(Date.now() / 1000);

async function sign(key: Parameters<SignJWT["sign"]>[0], alg: string, claims: { sub?: string; exp?: number; nbf?: number; kid?: string }) {
  let jwt = new SignJWT({}).setProtectedHeader({ alg, ...(claims.kid ? { kid: claims.kid } : {}) });
  if (claims.sub !== undefined) jwt = jwt.setSubject(claims.sub);
  if (claims.exp !== undefined) jwt = jwt.setExpirationTime(claims.exp);
  if (claims.nbf !== undefined) jwt = jwt.setNotBefore(claims.nbf);
  return jwt.sign(key);
}

const listTopics = (fetch: (i: string, init: RequestInit) => Promise<Response>, token: string) =>
  fetch("http://rill.test/v1/topics", { headers: { authorization: `Bearer ${token}` } });

describe("principals in-process", () => {
  let rsa: CryptoKeyPair;
  let ec: CryptoKeyPair;
  let jwks: { keys: JWK[] };
  beforeAll(async () => {
    rsa = await generateKeyPair("RS256");
    ec = await generateKeyPair("ES256");
    jwks = {
      keys: [
        { ...(await exportJWK(rsa.publicKey)), kid: "rsa-1", alg: "RS256" },
        { ...(await exportJWK(ec.publicKey)), kid: "ec-1", alg: "ES256" },
      ],
    };
  });

  it("takes HS256, RS256 and ES256 tokens, checking signature, exp and nbf; the principal is User:<sub>", async () => {
    const node = createNodeBroker({
      auth: securitySettingsFrom({ RILL_JWT_SECRET: HS, RILL_JWKS: JSON.stringify(jwks), RILL_SUPER_USERS: "User:ops" }).auth,
    });
    const hs = new TextEncoder().encode(HS);
    const ok = async (token: string) => (await listTopics(node.fetch, token)).status;
    // super user by name: allowed everything; anyone else needs bindings (403 without)
    expect(await ok(await sign(hs, "HS256", { sub: "ops", exp: now() + 60 }))).toBe(200);
    expect(await ok(await sign(rsa.privateKey, "RS256", { sub: "ops", exp: now() + 60, kid: "rsa-1" }))).toBe(200);
    expect(await ok(await sign(ec.privateKey, "ES256", { sub: "ops", exp: now() + 60, kid: "ec-1" }))).toBe(200);
    expect(await ok(await sign(hs, "HS256", { sub: "nobody", exp: now() + 60 }))).toBe(403);
    // refused: expired, not yet valid, no exp, no sub, wrong key, an RS256 token signed by a stranger, alg none
    const stranger = await generateKeyPair("RS256");
    for (const token of [
      await sign(hs, "HS256", { sub: "ops", exp: now() - 120 }),
      await sign(hs, "HS256", { sub: "ops", exp: now() + 600, nbf: now() + 300 }),
      await sign(hs, "HS256", { sub: "ops" }),
      await sign(hs, "HS256", { exp: now() + 60 }),
      await sign(new TextEncoder().encode("another-secret-entirely-0123456"), "HS256", { sub: "ops", exp: now() + 60 }),
      await sign(stranger.privateKey, "RS256", { sub: "ops", exp: now() + 60, kid: "rsa-1" }),
      `${btoa(JSON.stringify({ alg: "none" })).replace(/=+$/, "")}.${btoa(JSON.stringify({ sub: "ops", exp: now() + 60 })).replace(/=+$/, "")}.`,
    ]) {
      const res = await listTopics(node.fetch, token);
      expect(res.status).toBe(401);
      expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("SASL_AUTHENTICATION_FAILED");
    }
    await node.close();
  });

  it("fetches the JWKS from a URL", async () => {
    const server = createServer((_, res) => {
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify(jwks));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
      const node = createNodeBroker({ auth: securitySettingsFrom({ RILL_JWKS_URL: url, RILL_SUPER_USERS: "User:ops" }).auth });
      expect(
        (await listTopics(node.fetch, await sign(rsa.privateKey, "RS256", { sub: "ops", exp: now() + 60, kid: "rsa-1" }))).status,
      ).toBe(200);
      expect((await listTopics(node.fetch, await sign(ec.privateKey, "ES256", { sub: "x", exp: now() - 100, kid: "ec-1" }))).status).toBe(
        401,
      );
      await node.close();
    } finally {
      server.close();
    }
  });

  it("stores API keys as salted hashes, lets a principal hold several, and drops a deleted one", async () => {
    const storage = createMemoryStorage();
    const node = createNodeBroker({ storage, auth: { tokens: ["root"] } });
    const admin = (method: string, path: string, body?: unknown) =>
      node.fetch(`http://rill.test${path}`, {
        method,
        headers: { authorization: "Bearer root", ...(body ? { "content-type": "application/json" } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
    const first = (await (await admin("POST", "/v1/credentials", { principal: "User:svc" })).json()) as { key: string; keyId: string };
    const second = (await (await admin("POST", "/v1/credentials", { principal: "User:svc" })).json()) as { key: string; keyId: string };
    await admin("POST", "/v1/acls", { acls: [{ principal: "User:svc", resourceType: "topic", resourceName: "*", operation: "describe" }] });
    // nothing stored holds a key, and equal inputs would not hash alike (a salt per key)
    const stored = await storage.listDocuments<{ hash: string; salt: string }>("credentials");
    expect(stored).toHaveLength(2);
    const text = JSON.stringify(stored);
    // rill_<16 hex id>_<secret>: the secret is base64url, so it may hold "_" itself
    for (const k of [first.key, second.key]) {
      const secret = k.slice("rill_".length + 16 + 1);
      expect(secret.length).toBeGreaterThan(20);
      expect(text).not.toContain(secret);
    }
    expect(stored[0]?.value.salt).not.toBe(stored[1]?.value.salt);
    // both keys work; deleting one (rotation) leaves the other
    expect((await listTopics(node.fetch, first.key)).status).toBe(200);
    expect((await listTopics(node.fetch, second.key)).status).toBe(200);
    const deleted = (await (await admin("DELETE", `/v1/credentials/User:svc?keyId=${first.keyId}`)).json()) as { deleted: unknown[] };
    expect(deleted.deleted).toEqual([{ principal: "User:svc", keyId: first.keyId }]);
    expect((await listTopics(node.fetch, first.key)).status).toBe(401);
    expect((await listTopics(node.fetch, second.key)).status).toBe(200);
    // the listing never shows a key
    const listed = await (await admin("GET", "/v1/credentials")).text();
    expect(listed).not.toContain(second.key);
    await node.close();
  });

  it("closes every path that is no public operation, /v1 or not, to all but super users", async () => {
    const node = createNodeBroker({ auth: securitySettingsFrom({ RILL_TOKENS: "root", RILL_JWT_SECRET: HS }).auth });
    const token = await sign(new TextEncoder().encode(HS), "HS256", { sub: "someone", exp: now() + 60 });
    const get = (path: string, auth?: string) =>
      node.fetch(`http://rill.test${path}`, { headers: auth ? { authorization: `Bearer ${auth}` } : {} });
    expect((await get("/healthz")).status).toBe(200);
    for (const path of ["/not-an-operation", "/v2/stream/x", "/v1/_faults"]) {
      expect((await get(path)).status).toBe(401);
      expect(((await (await get(path, token)).json()) as { error: { code: string } }).error.code).toBe("CLUSTER_AUTHORIZATION_FAILED");
      expect((await get(path, "root")).status).toBe(404);
    }
    // the protocol faces are operations now: their own checks apply (READ on the stream's topic)
    expect((await get("/v1/stream/x")).status).toBe(401);
    expect(((await (await get("/v1/stream/x", token)).json()) as { error: { code: string } }).error.code).toBe(
      "TOPIC_AUTHORIZATION_FAILED",
    );
    await node.close();
  });

  it("with auth off, every request is anonymous and allowed", async () => {
    const node = createNodeBroker();
    expect(
      (
        await node.fetch("http://rill.test/v1/topics", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: '{"name":"open"}',
        })
      ).status,
    ).toBe(201);
    expect((await node.fetch("http://rill.test/v1/acls")).status).toBe(200);
    await node.close();
  });
});

describe("principals, ACLs and quotas on the edge broker (wrangler dev)", () => {
  let broker: Awaited<ReturnType<typeof startLocalBroker>>;
  beforeAll(async () => {
    broker = await startLocalBroker({ vars: { RILL_TOKENS: "edge-root", RILL_JWT_SECRET: HS, RILL_SUPER_USERS: "User:ops" } });
  }, 60_000);
  afterAll(() => broker?.stop());

  it("authenticates API keys and JWTs, enforces ACLs and meters quotas through the Worker entry", { timeout: 60_000 }, async () => {
    const call = (method: string, path: string, token: string, body?: unknown, headers: Record<string, string> = {}) =>
      fetch(`${broker.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body ? { "content-type": "application/json" } : {}), ...headers },
        body: body ? JSON.stringify(body) : undefined,
      });
    expect((await call("POST", "/v1/topics", "edge-root", { name: "edge-orders" })).status).toBe(201);
    expect((await call("POST", "/v1/topics", "edge-root", { name: "edge-secret" })).status).toBe(201);
    const key = ((await (await call("POST", "/v1/credentials", "edge-root", { principal: "User:app" })).json()) as { key: string }).key;
    const write = (token: string, topic: string, headers: Record<string, string> = {}) =>
      call("POST", `/v1/topics/${topic}/records`, token, { records: [{ value: "x".repeat(3000) }] }, headers);
    expect((await write(key, "edge-orders")).status).toBe(403);
    await call("POST", "/v1/acls", "edge-root", {
      acls: [
        { principal: "User:app", resourceType: "topic", resourceName: "edge-", patternType: "prefixed", operation: "write" },
        { principal: "User:app", resourceType: "topic", resourceName: "edge-secret", operation: "all", permission: "deny" },
      ],
    });
    // the isolate that took the change has it at once
    expect((await write(key, "edge-orders")).status).toBe(200);
    expect((await write(key, "edge-secret")).status).toBe(403);
    // a principal that may not describe a topic learns nothing about it: same 403 for real and made-up names
    const secret = (await (await call("GET", "/v1/topics/edge-secret", key)).json()) as { error: { code: string } };
    const madeUp = (await (await call("GET", "/v1/topics/hidden-nothing", key)).json()) as { error: { code: string } };
    expect(secret.error.code).toBe("TOPIC_AUTHORIZATION_FAILED");
    expect(madeUp.error.code).toBe("TOPIC_AUTHORIZATION_FAILED");
    // the list shows what may be described (WRITE implies DESCRIBE, the deny takes edge-secret away)
    const listed = (await (await call("GET", "/v1/topics", key)).json()) as { topics: Array<{ name: string }> };
    expect(listed.topics.map((t) => t.name)).toEqual(["edge-orders"]);
    // JWT super user
    const hs = new TextEncoder().encode(HS);
    expect((await call("GET", "/v1/acls", await sign(hs, "HS256", { sub: "ops", exp: now() + 60 }))).status).toBe(200);
    expect((await call("GET", "/v1/acls", await sign(hs, "HS256", { sub: "ops", exp: now() - 60 }))).status).toBe(401);
    // quota: the QuotaObject meters the client; the answer carries the throttle time
    await call("PUT", "/v1/quotas", "edge-root", { entity: { user: "app" }, values: { producerByteRate: 1000 } });
    const first = await write(key, "edge-orders");
    const second = await write(key, "edge-orders");
    const throttles = [first, second].map((r) => Number(r.headers.get("rill-throttle-time-ms")));
    expect(Math.max(...throttles)).toBeGreaterThan(0);
  });
});
