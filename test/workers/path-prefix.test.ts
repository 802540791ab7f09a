// @rill/edge mounted inside another Worker under a path prefix (withPathPrefix): the prefixed paths
// reach the broker as its own, every other request falls through to the host Worker.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import rill, { withPathPrefix } from "../../workers/src/index.ts";

const mounted = withPathPrefix("/rill", rill);

async function call(path: string, init?: RequestInit): Promise<Response | undefined> {
  const ctx = createExecutionContext();
  const answer = await mounted(new Request(`http://host.local${path}`, init), env, ctx);
  await waitOnExecutionContext(ctx);
  return answer;
}

/** A request the mounted broker must answer (not fall through). */
async function served(path: string, init?: RequestInit): Promise<Response> {
  const answer = await call(path, init);
  if (!answer) throw new Error(`${path} fell through to the host Worker`);
  return answer;
}

const json = (body: unknown): RequestInit => ({
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify(body),
});

describe("withPathPrefix", () => {
  it("serves the broker's routes under the prefix: create, produce, fetch", async () => {
    const topic = `prefixed-${Math.random().toString(36).slice(2, 8)}`;
    expect((await served("/rill/healthz")).status).toBe(200);
    expect((await served("/rill/v1/topics", json({ name: topic, partitions: 1 }))).status).toBe(201);
    const produced = await served(`/rill/v1/topics/${topic}/records`, json({ records: [{ key: "k", value: "v" }] }));
    expect(await produced.json()).toEqual({ offsets: [{ partition: 0, offset: 0 }] });
    const fetched = (await (await served(`/rill/v1/topics/${topic}/partitions/0/records?offset=0`)).json()) as {
      records: Array<{ offset: number; key: string; value: string }>;
    };
    expect(fetched.records.map((r) => [r.offset, r.key, r.value])).toEqual([[0, "k", "v"]]);
  });

  it("leaves other paths to the host Worker, including ones that only start with the prefix's letters", async () => {
    expect(await call("/v1/topics")).toBeUndefined();
    expect(await call("/rillish/v1/topics")).toBeUndefined();
    expect(await call("/")).toBeUndefined();
  });

  it("answers the broker's own errors for unknown paths under the prefix", async () => {
    const answer = await served("/rill/v1/no-such-route");
    expect(answer.status).toBe(404);
    expect(((await answer.json()) as { error: { code: string } }).error.code).toBe("NOT_FOUND");
  });

  it("puts the prefix back on a Location the broker answers (a Durable Streams create)", async () => {
    const stream = `prefixed-stream-${Math.random().toString(36).slice(2, 8)}`;
    const created = await served(`/rill/v1/stream/${stream}`, { method: "PUT", headers: { "content-type": "text/plain" } });
    expect(created.status).toBe(201);
    expect(created.headers.get("location")).toBe(`http://host.local/rill/v1/stream/${stream}`);
  });

  it("refuses a prefix that does not start with a slash or ends with one", () => {
    for (const prefix of ["rill", "/rill/", "/", ""]) expect(() => withPathPrefix(prefix, rill)).toThrow(TypeError);
  });
});
