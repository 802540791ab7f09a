// Bearer-token authentication: in-process (every case) and on the real edge broker with RILL_TOKENS
// set, where the Worker, the client and the CLI must all agree on it.
import { execFile } from "node:child_process";
import { createClient, isRillError } from "@rill/client";
import { createNodeBroker } from "@rill/node";
import { describe, expect, it } from "vitest";
import { startLocalBroker } from "../harness/local-broker.ts";

const root = new URL("../..", import.meta.url).pathname;

describe("bearer tokens in-process", () => {
  const { app } = createNodeBroker({ auth: { tokens: ["old-secret", "new-secret"] } });
  const json = (method: string, path: string, headers: Record<string, string> = {}, body?: unknown) =>
    app.request(path, {
      method,
      headers: { ...headers, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  it("refuses /v1 without a valid token, with 401 and a WWW-Authenticate challenge, and changes nothing", async () => {
    const attempts: Record<string, string>[] = [
      {},
      { authorization: "Bearer wrong" },
      { authorization: "Basic b2xkLXNlY3JldA==" },
      { authorization: "Bearer" },
    ];
    for (const headers of attempts) {
      const res = await json("POST", "/v1/topics", headers, { name: "denied" });
      expect(res.status).toBe(401);
      expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
      const body = await res.json();
      expect(body.error).toMatchObject({ code: "SASL_AUTHENTICATION_FAILED", retriable: false });
    }
    const list = await json("GET", "/v1/topics", { authorization: "Bearer new-secret" });
    expect((await list.json()).topics.map((t: { name: string }) => t.name)).not.toContain("denied");
  });

  it("accepts any configured token in the header, or as ?access_token= for tails", async () => {
    expect((await json("POST", "/v1/topics", { authorization: "Bearer old-secret" }, { name: "allowed" })).status).toBe(201);
    expect((await json("GET", "/v1/topics/allowed", { authorization: "bearer new-secret" })).status).toBe(200);
    expect((await json("GET", "/v1/topics/allowed/partitions/0/records?offset=0&access_token=new-secret")).status).toBe(200);
    expect((await json("GET", "/v1/topics/allowed/partitions/0/records?offset=0&access_token=nope")).status).toBe(401);
  });

  it("leaves liveness and CORS preflights open", async () => {
    expect((await json("GET", "/healthz")).status).toBe(200);
    const preflight = await app.request("/v1/topics", {
      method: "OPTIONS",
      headers: {
        origin: "https://app.example",
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization",
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("*");
  });

  it("works through the client with auth, and fails typed without it", async () => {
    const fetch = async (input: string, init: RequestInit) => app.fetch(new Request(input, init));
    const admin = createClient({ brokers: ["http://rill.test"], fetch, auth: { bearer: "new-secret" } }).admin();
    await admin.createTopics({ topics: [{ topic: "via-client" }] });
    expect(await admin.listTopics()).toContain("via-client");
    const anonymous = createClient({ brokers: ["http://rill.test"], fetch, retry: { retries: 0 } }).admin();
    await expect(anonymous.listTopics()).rejects.toSatisfy((e) => isRillError(e, "SASL_AUTHENTICATION_FAILED"));
  });

  it("refuses to start with no usable token", () => {
    expect(() => createNodeBroker({ auth: { tokens: ["", ""] } })).toThrow(/token/);
  });
});

describe("bearer tokens on the edge broker (wrangler dev, RILL_TOKENS)", () => {
  it("locks every /v1 route and lets the CLI in with --token", { timeout: 60_000 }, async () => {
    const broker = await startLocalBroker({ vars: { RILL_TOKENS: "edge-one, edge-two" } });
    const rill = (args: string[], env: Record<string, string> = {}) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        execFile(
          "node",
          [`${root}packages/cli/bin/rill.mjs`, "--broker", broker.url, ...args],
          { cwd: root, env: { ...process.env, RILL_TOKEN: "", ...env } },
          (error, stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
        );
      });
    try {
      expect((await fetch(`${broker.url}/healthz`)).status).toBe(200);
      const denied = await fetch(`${broker.url}/v1/topics`);
      expect(denied.status).toBe(401);
      expect((await denied.json()).error.code).toBe("SASL_AUTHENTICATION_FAILED");
      expect((await fetch(`${broker.url}/v1/topics`, { headers: { authorization: "Bearer edge-two" } })).status).toBe(200);

      const refused = await rill(["topics", "list"]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/SASL_AUTHENTICATION_FAILED/);
      expect((await rill(["--token", "edge-one", "topics", "create", "locked"])).code).toBe(0);
      const listed = await rill(["topics", "list"], { RILL_TOKEN: "edge-two" });
      expect(listed.stdout.split("\n")).toContain("locked");
    } finally {
      await broker.stop();
    }
  });
});
