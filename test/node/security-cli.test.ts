// The security commands of the CLI against an in-process broker with auth on: create an API key,
// grant it a topic, see it refused and allowed, deny wins, quotas, key deletion.
import { PassThrough, Readable } from "node:stream";
import { createNodeBroker } from "@rill/node";
import { describe, expect, it } from "vitest";
import { main } from "../../packages/cli/src/index.ts";

const node = createNodeBroker({ auth: { tokens: ["admin-token"] } });

async function rill(argv: string[], stdin = ""): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (d) => (out += d));
  stderr.on("data", (d) => (err += d));
  const code = await main(argv, {
    stdin: Readable.from([stdin]),
    stdout,
    stderr,
    env: { RILL_BROKER: "http://rill.test" },
    stderrIsTTY: false,
    fetch: node.fetch,
  });
  return { code, stdout: out, stderr: err };
}

const admin = (...args: string[]) => rill(["--token", "admin-token", ...args]);

describe("rill acls, quotas and credentials", () => {
  it("creates a principal, grants it a topic, denies, sets quotas and deletes the key", async () => {
    expect((await admin("topics", "create", "orders")).code).toBe(0);
    expect((await admin("topics", "create", "payroll")).code).toBe(0);
    const created = await admin("credentials", "create", "alice", "--description", "laptop");
    expect(created.code).toBe(0);
    const key = created.stdout.trim();
    expect(key).toMatch(/^rill_[0-9a-f]{16}_/);
    expect(created.stderr).toMatch(/shown once/);
    const alice = (...args: string[]) => rill(["--token", key, ...args]);
    const aliceProduces = (line: string) => rill(["--token", key, "produce", "orders"], `${line}\n`);

    // authenticated, but no binding: refused
    const refused = await aliceProduces("x");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/TOPIC_AUTHORIZATION_FAILED/);

    const granted = await admin(
      "acls",
      "add",
      "--principal",
      "User:alice",
      "--operation",
      "read",
      "--operation",
      "write",
      "--topic",
      "orders",
    );
    expect(granted.code).toBe(0);
    expect(granted.stdout).toMatch(/Added 2 binding/);
    expect((await aliceProduces("hello")).code).toBe(0);
    const consumed = await alice("consume", "orders", "--format", "value");
    expect(consumed.stdout).toContain("hello");
    // lists show only what alice may describe (READ and WRITE imply DESCRIBE)
    expect((await alice("topics", "list")).stdout.trim().split("\n")).toEqual(["orders"]);
    expect((await admin("acls", "list", "--principal", "User:alice", "--json")).stdout).toContain('"operation":"write"');

    // a deny wins over the allow
    expect((await admin("acls", "add", "--principal", "alice", "--operation", "write", "--topic", "orders", "--deny")).code).toBe(0);
    const denied = await aliceProduces("again");
    expect(denied.code).toBe(1);
    expect(denied.stderr).toMatch(/TOPIC_AUTHORIZATION_FAILED/);
    const removed = await admin("acls", "remove", "--principal", "alice", "--deny");
    expect(removed.stdout).toMatch(/Removed 1 binding/);
    expect((await aliceProduces("again")).code).toBe(0);

    // quotas
    expect((await admin("quotas", "set", "--user", "alice", "--producer-byte-rate", "1048576")).code).toBe(0);
    expect((await admin("quotas", "describe", "--user", "alice", "--json")).stdout).toContain('"producerByteRate":1048576');
    expect((await admin("quotas", "set", "--user", "alice", "--producer-byte-rate", "none")).code).toBe(0);
    expect(JSON.parse((await admin("quotas", "describe", "--user", "alice", "--json")).stdout)).toEqual([]);

    // a principal without cluster rights cannot manage security
    expect((await alice("acls", "list")).stderr).toMatch(/CLUSTER_AUTHORIZATION_FAILED/);

    // keys: listed without the secret, and a deleted key no longer authenticates
    const listed = await admin("credentials", "list", "--principal", "alice");
    expect(listed.stdout).toContain("laptop");
    expect(listed.stdout).not.toContain(key);
    expect((await admin("credentials", "delete", "alice")).stdout).toMatch(/Deleted 1 key/);
    expect((await alice("topics", "list")).stderr).toMatch(/SASL_AUTHENTICATION_FAILED/);
  });

  it("refuses bad usage with exit 2", async () => {
    expect((await admin("acls", "add", "--principal", "alice", "--topic", "t")).code).toBe(2);
    expect((await admin("acls", "add", "--principal", "alice", "--operation", "fly", "--topic", "t")).code).toBe(2);
    expect((await admin("acls", "remove")).code).toBe(2);
    expect((await admin("quotas", "set", "--producer-byte-rate", "10")).code).toBe(2);
    expect((await admin("quotas", "set", "--user", "a", "--producer-byte-rate", "-1")).code).toBe(2);
  });
});
