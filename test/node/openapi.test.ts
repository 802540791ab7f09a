// The API description and the app cannot drift: every route the app serves is in the protocol's
// list of operations (and so in /v1/openapi.json), and every listed operation is served; the
// document states the packages' version.
import { readFileSync } from "node:fs";
import { createNodeBroker } from "@rill/node";
import { openApiPath } from "@rill/protocol";
import { operations } from "@rill/protocol/operations";
import { describe, expect, it } from "vitest";

const key = (method: string, path: string) => `${method.toUpperCase()} ${path}`;

describe("OpenAPI description", () => {
  const { app } = createNodeBroker();
  // middleware (cors, auth, body limits) is registered as ALL or with wildcards; handlers are not
  const served = new Set(
    app.routes.filter((r) => r.method !== "ALL" && !r.path.includes("*")).map((r) => key(r.method, r.path.replace(/\/$/, "") || "/")),
  );
  const listed = new Set(operations.map((op) => key(op.method, op.route)));

  it("lists every route the app serves, and serves every route it lists", () => {
    expect([...served].filter((s) => !listed.has(s)).sort()).toEqual([]);
    expect([...listed].filter((l) => !served.has(l)).sort()).toEqual([]);
  });

  it("states the version of the packages it comes from", async () => {
    const doc = (await (await app.request("/v1/openapi.json")).json()) as { info: { version: string } };
    const versionOf = (manifest: string) => JSON.parse(readFileSync(new URL(manifest, import.meta.url), "utf8")).version;
    expect(doc.info.version).toBe(versionOf("../../packages/server/package.json"));
    expect(doc.info.version).toBe(versionOf("../../package.json"));
  });

  it("documents every operation at /v1/openapi.json, the group routes included", async () => {
    const doc = (await (await app.request("/v1/openapi.json")).json()) as { paths: Record<string, Record<string, unknown>> };
    const documented = Object.entries(doc.paths).flatMap(([path, methods]) => Object.keys(methods).map((m) => key(m, path)));
    expect(documented.sort()).toEqual(operations.map((op) => key(op.method, openApiPath(op.route))).sort());
    const groupRoutes = documented.filter((d) => d.includes("/v1/groups"));
    expect(groupRoutes.sort()).toEqual([
      "DELETE /v1/groups/{group}",
      "GET /v1/groups",
      "GET /v1/groups/{group}",
      "GET /v1/groups/{group}/offsets",
      "POST /v1/groups/{group}/heartbeat",
      "POST /v1/groups/{group}/offsets",
      "POST /v1/groups/{group}/offsets/reset",
    ]);
    // bodies come from the schemas that validate requests
    expect(doc.paths["/v1/groups/{group}/heartbeat"]?.post).toMatchObject({
      requestBody: { content: { "application/json": { schema: { properties: { memberEpoch: { type: "integer" } } } } } },
    });
  });
});
