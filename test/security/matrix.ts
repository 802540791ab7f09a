// The authorization matrix, generated from the protocol's operation list: every operation (but
// liveness) is asked by ten callers, and each must get its expected answer:
//   no credentials, malformed, wrong API key, expired JWT, JWT with a bad signature  -> 401
//   a principal with no binding, one whose allow is overruled by a deny             -> 403
//   the right literal allows, a prefixed allow, a super user                         -> 2xx
// The bindings each caller gets come from the operation's own access checks, applied to the very
// request it sends; refused requests must leave every topic, group, offset, ACL, key and quota
// as it was. Runtime-agnostic: `send` is an in-process app's fetch or workerd's SELF.
import { encodeBatch } from "@rill/core";
import { type AccessCheck, type Operation, operations } from "@rill/protocol/operations";
import { SignJWT } from "jose";

export type Send = (
  method: string,
  path: string,
  init?: { headers?: Record<string, string>; body?: BodyInit; json?: unknown },
) => Promise<Response>;

/** What the broker under test must be configured with. */
export const MATRIX_SETTINGS = {
  RILL_TOKENS: "matrix-super-token",
  RILL_JWT_SECRET: "matrix-jwt-secret-0123456789abcdef",
  RILL_SUPER_USERS: "User:boss",
};

const SUPER = { authorization: `Bearer ${MATRIX_SETTINGS.RILL_TOKENS}` };
const secret = new TextEncoder().encode(MATRIX_SETTINGS.RILL_JWT_SECRET);

async function jwt(sub: string, options: { expired?: boolean; key?: Uint8Array } = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(sub)
    .setIssuedAt(now - 7200)
    .setExpirationTime(options.expired ? now - 3600 : now + 3600)
    .sign(options.key ?? secret);
}

export type CaseName =
  | "no credentials"
  | "malformed"
  | "wrong key"
  | "expired JWT"
  | "bad signature"
  | "no binding"
  | "deny"
  | "literal allow"
  | "prefixed allow"
  | "super user";

export const CASES: Array<{ name: CaseName; expect: 401 | 403 | 200 }> = [
  { name: "no credentials", expect: 401 },
  { name: "malformed", expect: 401 },
  { name: "wrong key", expect: 401 },
  { name: "expired JWT", expect: 401 },
  { name: "bad signature", expect: 401 },
  { name: "no binding", expect: 403 },
  { name: "deny", expect: 403 },
  { name: "literal allow", expect: 200 },
  { name: "prefixed allow", expect: 200 },
  { name: "super user", expect: 200 },
];

/** One request of an operation, against names that belong to one matrix cell. */
interface Fixture {
  /** Creates what the request needs (as a super user). */
  setup?: (send: Send) => Promise<void>;
  path: string;
  json?: unknown;
  bytes?: Uint8Array;
  /** Request headers of the operation itself (a Durable Streams content type). */
  headers?: Record<string, string>;
}

const seg = encodeURIComponent;

const subscriptionFor = (t: string) => ({
  group: t,
  name: "mx",
  topics: [t],
  target: { type: "webhook", url: "http://127.0.0.1:9/" },
  paused: true,
});

function fixtureFor(op: Operation, t: string): Fixture {
  const topic = async (send: Send, partitions = 1) => {
    const res = await send("POST", "/v1/topics", { headers: SUPER, json: { name: t, partitions } });
    if (res.status !== 201) throw new Error(`setup: topic ${t} -> ${res.status} ${await res.text()}`);
    await send("POST", `/v1/topics/${t}/records`, { headers: SUPER, json: { records: [{ value: "seed" }] } });
  };
  const group = async (send: Send) => {
    await topic(send);
    const res = await send("POST", `/v1/groups/${t}/offsets/reset`, { headers: SUPER, json: { topic: t, to: "latest" } });
    if (res.status !== 200) throw new Error(`setup: group ${t} -> ${res.status} ${await res.text()}`);
  };
  // a paused push subscription of the cell's group (it delivers nothing: the target is a closed port)
  const subscription = async (send: Send) => {
    await topic(send);
    const res = await send("POST", "/v1/subscriptions", { headers: SUPER, json: subscriptionFor(t) });
    if (res.status !== 201) throw new Error(`setup: subscription ${t} -> ${res.status} ${await res.text()}`);
  };
  // a Durable Stream of the cell's name, with one append
  const stream = async (send: Send) => {
    const res = await send("PUT", `/v1/stream/${t}`, { headers: { ...SUPER, "content-type": "text/plain" }, body: "seed" });
    if (res.status !== 201) throw new Error(`setup: stream ${t} -> ${res.status} ${await res.text()}`);
  };
  const key = `${op.method} ${op.route}`;
  switch (key) {
    case "GET /v1/openapi.json":
      return { path: "/v1/openapi.json" };
    case "POST /v1/topics":
      return { path: "/v1/topics", json: { name: t } };
    case "GET /v1/topics":
      return { setup: topic, path: "/v1/topics" };
    case "GET /v1/topics/:topic":
    case "DELETE /v1/topics/:topic":
      return { setup: topic, path: `/v1/topics/${t}` };
    case "PATCH /v1/topics/:topic/config":
      return { setup: topic, path: `/v1/topics/${t}/config`, json: { config: { "retention.ms": "3600000" } } };
    case "POST /v1/topics/:topic/partitions":
      return { setup: topic, path: `/v1/topics/${t}/partitions`, json: { count: 2 } };
    case "POST /v1/topics/:topic/records":
      return { setup: topic, path: `/v1/topics/${t}/records`, json: { records: [{ key: "k", value: "v" }] } };
    case "POST /v1/topics/:topic/partitions/:partition/batches":
      return {
        setup: topic,
        path: `/v1/topics/${t}/partitions/0/batches`,
        bytes: encodeBatch([{ key: null, value: new TextEncoder().encode("b"), headers: [], timestamp: Date.now() }]),
      };
    case "GET /v1/topics/:topic/partitions/:partition/records":
      return { setup: topic, path: `/v1/topics/${t}/partitions/0/records?offset=0` };
    case "GET /v1/topics/:topic/partitions/:partition/offsets":
      return { setup: topic, path: `/v1/topics/${t}/partitions/0/offsets?at=earliest` };
    case "POST /v1/topics/:topic/partitions/:partition/delete-records":
      return { setup: topic, path: `/v1/topics/${t}/partitions/0/delete-records`, json: { offset: 1 } };
    case "POST /v1/producers":
      return { setup: topic, path: "/v1/producers", json: {} };
    case "GET /v1/groups":
      return { setup: group, path: "/v1/groups" };
    case "GET /v1/groups/:group":
    case "DELETE /v1/groups/:group":
      return { setup: group, path: `/v1/groups/${t}` };
    case "POST /v1/groups/:group/heartbeat":
      return { setup: topic, path: `/v1/groups/${t}/heartbeat`, json: { memberId: null, memberEpoch: 0, topics: [t] } };
    case "POST /v1/groups/:group/offsets":
      return { setup: topic, path: `/v1/groups/${t}/offsets`, json: { memberId: null, offsets: [{ topic: t, partition: 0, offset: 1 }] } };
    case "GET /v1/groups/:group/offsets":
      return { setup: group, path: `/v1/groups/${t}/offsets` };
    case "POST /v1/groups/:group/offsets/reset":
      return { setup: topic, path: `/v1/groups/${t}/offsets/reset`, json: { topic: t, to: "earliest" } };
    case "POST /v1/credentials":
      return { path: "/v1/credentials", json: { principal: `User:${t}` } };
    case "GET /v1/credentials":
      return { path: "/v1/credentials" };
    case "DELETE /v1/credentials/:principal":
      return {
        setup: async (send) => {
          await send("POST", "/v1/credentials", { headers: SUPER, json: { principal: `User:${t}` } });
        },
        path: `/v1/credentials/${seg(`User:${t}`)}`,
      };
    case "POST /v1/acls":
      return { path: "/v1/acls", json: { acls: [{ principal: `User:${t}`, resourceType: "topic", resourceName: t, operation: "read" }] } };
    case "GET /v1/acls":
      return { path: "/v1/acls" };
    case "DELETE /v1/acls":
      return {
        setup: async (send) => {
          await send("POST", "/v1/acls", {
            headers: SUPER,
            json: { acls: [{ principal: `User:${t}`, resourceType: "group", resourceName: t, operation: "read" }] },
          });
        },
        path: "/v1/acls",
        json: { filters: [{ principal: `User:${t}` }] },
      };
    case "PUT /v1/quotas":
      return { path: "/v1/quotas", json: { entity: { clientId: t }, values: { producerByteRate: 1e9 } } };
    case "GET /v1/quotas":
      return { path: "/v1/quotas" };
    case "POST /v1/subscriptions":
      return { setup: topic, path: "/v1/subscriptions", json: subscriptionFor(t) };
    case "GET /v1/subscriptions":
      return { path: "/v1/subscriptions" };
    case "GET /v1/subscriptions/:group/:subscription":
    case "DELETE /v1/subscriptions/:group/:subscription":
      return { setup: subscription, path: `/v1/subscriptions/${t}/mx` };
    case "PATCH /v1/subscriptions/:group/:subscription":
      return { setup: subscription, path: `/v1/subscriptions/${t}/mx`, json: { batchSize: 10 } };
    case "PUT /v1/stream/:name":
      return { path: `/v1/stream/${t}`, headers: { "content-type": "text/plain" } };
    case "POST /v1/stream/:name":
      return { setup: stream, path: `/v1/stream/${t}`, headers: { "content-type": "text/plain" }, bytes: new TextEncoder().encode("more") };
    case "GET /v1/stream/:name":
      return { setup: stream, path: `/v1/stream/${t}?offset=-1` };
    case "DELETE /v1/stream/:name":
      return { setup: stream, path: `/v1/stream/${t}` };
    case "POST /produce":
      return { setup: topic, path: "/produce", json: [{ topic: t, value: "v" }] };
    case "POST /produce/:topic":
      return { setup: topic, path: `/produce/${t}`, json: { value: "v" } };
    case "POST /produce/:topic/:message":
      return { setup: topic, path: `/produce/${t}/hello` };
    case "POST /webhook":
      return { setup: topic, path: `/webhook?topic=${t}`, json: { event: "e" } };
    case "POST /fetch":
      return { setup: topic, path: "/fetch", json: { topic: t, partition: 0, offset: 0, timeout: 0 } };
    case "POST /consume/:group/:instance":
      return { setup: topic, path: `/consume/${t}/i`, json: { topics: [t], timeout: 0 } };
    case "POST /commit/:group/:instance":
      return { setup: topic, path: `/commit/${t}/i`, json: { topic: t, partition: 0, offset: 1 } };
    case "POST /committed/:group/:instance":
      return { setup: group, path: `/committed/${t}/i`, json: [{ topic: t, partition: 0 }] };
    case "POST /offsets/:time":
      return { setup: topic, path: "/offsets/earliest", json: [{ topic: t, partition: 0 }] };
    case "GET /topics":
      return { setup: topic, path: "/topics" };
    case "GET /consumers":
      return { path: "/consumers" };
    case "POST /delete-consumer/:group/:instance":
      return { path: `/delete-consumer/${t}/i` };
    default:
      throw new Error(`the matrix has no request for ${key}: add one`);
  }
}

type Binding = Record<string, string>;

/** The names a check asks about for this fixture's request (as the server reads them). */
function checkedNames(check: AccessCheck, fixture: Fixture, t: string): string[] | "any" | null {
  const body = (fixture.json ?? {}) as Record<string, unknown>;
  if (check.when && (body[check.when.body] !== undefined) !== check.when.present) return null;
  const name = check.name;
  if ("any" in name) return "any";
  if ("fixed" in name) return [name.fixed];
  if ("path" in name) return [t];
  if ("body" in name) return [String(body[name.body])];
  if ("query" in name) return [t];
  if ("bodyItems" in name) {
    const items = (Array.isArray(fixture.json) ? fixture.json : [fixture.json ?? {}]) as Array<Record<string, unknown>>;
    return items.flatMap((item) => (item[name.bodyItems] === undefined ? [] : [String(item[name.bodyItems])]));
  }
  const list = (body[name.bodyEach] ?? []) as unknown[];
  return list.map((item) => String(name.field ? (item as Record<string, unknown>)[name.field] : item));
}

/** The bindings a principal gets in one cell: literal allows, a prefix allow, or a prefix allow overruled by a deny. */
function bindingsFor(op: Operation, fixture: Fixture, t: string, principal: string, kind: CaseName): Binding[] {
  if (!("checks" in op.access)) return [];
  const out: Binding[] = [];
  let denied = false;
  for (const check of op.access.checks) {
    const names = checkedNames(check, fixture, t);
    if (names === null) continue;
    const base = { principal, resourceType: check.resource, operation: check.operation };
    if (kind === "literal allow") {
      for (const n of names === "any" ? [t] : names) out.push({ ...base, resourceName: n, patternType: "literal" });
      continue;
    }
    const prefix = check.resource === "cluster" ? "kafka-cluster" : "mx.";
    out.push({ ...base, resourceName: prefix, patternType: "prefixed" });
    if (kind === "deny" && !denied) {
      denied = true;
      const target = names === "any" ? "*" : (names[0] as string);
      out.push({ ...base, resourceName: target, patternType: "literal", permission: "deny" });
    }
  }
  return out;
}

export interface MatrixResult {
  cells: number;
  failures: string[];
}

/** The state a refused request must not change, as a super user sees it. */
async function snapshot(send: Send, prefix: string): Promise<string> {
  const get = async (path: string) => (await send("GET", path, { headers: SUPER })).json();
  const topics = (await get("/v1/topics")) as { topics: Array<{ name: string }> };
  // every topic's name and partition count, and the cell's own topics in full (offsets, config)
  const described = await Promise.all(topics.topics.filter((t) => t.name.startsWith(prefix)).map((t) => get(`/v1/topics/${t.name}`)));
  const groups = (await get("/v1/groups")) as { groups: Array<{ groupId: string }> };
  const offsets = await Promise.all(
    groups.groups.filter((g) => g.groupId.startsWith(prefix)).map((g) => get(`/v1/groups/${g.groupId}/offsets`)),
  );
  const acls = (await get("/v1/acls")) as { acls: unknown[] };
  const credentials = await get("/v1/credentials");
  const quotas = await get("/v1/quotas");
  const norm = (v: unknown) => JSON.stringify(v, (k, x) => (k === "commitTimestamp" ? 0 : x));
  return [norm(topics), norm(described), norm(groups), norm(offsets), acls.acls.length, norm(credentials), norm(quotas)].join("\n");
}

/** Runs the whole matrix; answers how many cells were asked and which gave the wrong answer. */
export async function runAuthorizationMatrix(send: Send, options: { run: string }): Promise<MatrixResult> {
  const failures: string[] = [];
  let cells = 0;
  const keyRes = await send("POST", "/v1/credentials", { headers: SUPER, json: { principal: `User:mx-${options.run}-literal` } });
  const literalKey = ((await keyRes.json()) as { key: string }).key;
  const wrongKey = `${literalKey.slice(0, literalKey.lastIndexOf("_") + 1)}${"A".repeat(43)}`;
  const headersFor = async (kind: CaseName, principal: string): Promise<Record<string, string>> => {
    switch (kind) {
      case "no credentials":
        return {};
      case "malformed":
        return { authorization: "Bearer not a token" };
      case "wrong key":
        return { authorization: `Bearer ${wrongKey}` };
      case "expired JWT":
        return { authorization: `Bearer ${await jwt(principal.slice(5), { expired: true })}` };
      case "bad signature":
        return {
          authorization: `Bearer ${await jwt(principal.slice(5), { key: new TextEncoder().encode("another-secret-another-secret!!") })}`,
        };
      case "literal allow":
        return { authorization: `Bearer ${literalKey}` };
      case "super user":
        return { authorization: `Bearer ${await jwt("boss")}` };
      default:
        return { authorization: `Bearer ${await jwt(principal.slice(5))}` };
    }
  };

  const guarded = operations.filter((op) => !("public" in op.access));
  for (const [i, op] of guarded.entries()) {
    const label = `${op.method} ${op.route}`;
    const name = (cell: string) => `mx.${options.run}.${i}.${cell}`;
    // every refused caller asks about the same prepared names; each allowed one gets its own
    const refusedT = name("refused");
    const refused = fixtureFor(op, refusedT);
    await refused.setup?.(send);
    for (const c of CASES.filter((c) => c.expect !== 200)) {
      const principal = c.name === "deny" ? `User:mx-${options.run}-deny` : `User:mx-${options.run}-none`;
      const bindings = c.name === "deny" ? bindingsFor(op, refused, refusedT, principal, "deny") : [];
      if (bindings.length > 0) await send("POST", "/v1/acls", { headers: SUPER, json: { acls: bindings } });
    }
    const before = await snapshot(send, refusedT);
    for (const c of CASES.filter((c) => c.expect !== 200)) {
      const principal = c.name === "deny" ? `User:mx-${options.run}-deny` : `User:mx-${options.run}-none`;
      const headers = await headersFor(c.name, principal);
      const res = await request(send, op, refused, headers);
      cells++;
      const expected = "authenticated" in op.access && c.expect === 403 ? 200 : c.expect;
      if (!matches(res.status, expected)) failures.push(`${label} / ${c.name}: ${res.status} ${await res.text()}`);
      else if (res.status === 403 || res.status === 401) {
        const code = ((await res.json()) as { error: { code: string } }).error.code;
        if (res.status === 401 && code !== "SASL_AUTHENTICATION_FAILED") failures.push(`${label} / ${c.name}: code ${code}`);
        if (res.status === 403 && !code.endsWith("_AUTHORIZATION_FAILED")) failures.push(`${label} / ${c.name}: code ${code}`);
      }
    }
    const after = await snapshot(send, refusedT);
    if (after !== before && !("authenticated" in op.access)) failures.push(`${label}: a refused request changed state`);
    for (const c of CASES.filter((c) => c.expect === 200)) {
      const t = name(c.name.replace(/\s/g, "-"));
      const fixture = fixtureFor(op, t);
      await fixture.setup?.(send);
      const principal = c.name === "literal allow" ? `User:mx-${options.run}-literal` : `User:mx-${options.run}-prefixed-${i}`;
      if (c.name !== "super user") {
        const bindings = bindingsFor(op, fixture, t, principal, c.name);
        if (bindings.length > 0) {
          const res = await send("POST", "/v1/acls", { headers: SUPER, json: { acls: bindings } });
          if (res.status !== 201) failures.push(`${label} / ${c.name}: binding refused ${res.status} ${await res.text()}`);
        }
      }
      const res = await request(send, op, fixture, await headersFor(c.name, principal));
      cells++;
      if (!matches(res.status, 200)) failures.push(`${label} / ${c.name}: ${res.status} ${await res.text()}`);
    }
  }
  return { cells, failures };
}

function matches(status: number, expected: number): boolean {
  return expected === 200 ? status >= 200 && status < 300 : status === expected;
}

function request(send: Send, op: Operation, fixture: Fixture, headers: Record<string, string>): Promise<Response> {
  if (fixture.bytes) {
    return send(op.method, fixture.path, {
      headers: { "content-type": "application/vnd.rill.batches", ...fixture.headers, ...headers },
      body: fixture.bytes as Uint8Array<ArrayBuffer>,
    });
  }
  return send(op.method, fixture.path, { headers: { ...fixture.headers, ...headers }, json: fixture.json });
}

/** A Send over any fetch-shaped function (an in-process app, SELF.fetch, a URL). */
export function sender(fetchLike: (request: Request) => Promise<Response> | Response, base = "http://rill.test"): Send {
  return (method, path, init = {}) => {
    const headers: Record<string, string> = { ...init.headers };
    let body = init.body;
    if (init.json !== undefined) {
      headers["content-type"] = "application/json";
      body = JSON.stringify(init.json);
    }
    return Promise.resolve(fetchLike(new Request(`${base}${path}`, { method, headers, body })));
  };
}
