// The authorization matrix, generated from the protocol's operation list: every operation (but
// liveness) is asked by ten callers, and each must get its expected answer:
//   no credentials, malformed, wrong API key, expired JWT, JWT with a bad signature  -> 401
//   a principal with no binding, one whose allow is overruled by a deny             -> 403
//   the right literal allows, a prefixed allow, a super user                         -> 2xx
// The bindings each caller gets come from the operation's own access checks, applied to the very
// request it sends; refused requests must leave every topic, group, offset, ACL, key and quota
// as it was. Runtime-agnostic: `send` is an in-process app's fetch or workerd's SELF.
import { type AccessCheck, type Operation, operations } from "@rill/protocol/operations";
import { SignJWT } from "jose";
import { MATRIX_SETTINGS, type MatrixRequest, requestFor, type Send, SUPER, sendRequest } from "./matrix-requests.ts";

export { MATRIX_SETTINGS, type Send, sender } from "./matrix-requests.ts";

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

type Binding = Record<string, string>;

/** The names a check asks about for this request's request (as the server reads them). */
function checkedNames(check: AccessCheck, request: MatrixRequest, t: string): string[] | "any" | null {
  const body = (request.json ?? {}) as Record<string, unknown>;
  if (check.when && (body[check.when.body] !== undefined) !== check.when.present) return null;
  const name = check.name;
  if ("any" in name) return "any";
  if ("fixed" in name) return [name.fixed];
  if ("path" in name) return [t];
  if ("body" in name) return [String(body[name.body])];
  if ("query" in name) return [t];
  if ("bodyItems" in name) {
    const items = (Array.isArray(request.json) ? request.json : [request.json ?? {}]) as Array<Record<string, unknown>>;
    return items.flatMap((item) => (item[name.bodyItems] === undefined ? [] : [String(item[name.bodyItems])]));
  }
  const list = (body[name.bodyEach] ?? []) as unknown[];
  return list.map((item) => String(name.field ? (item as Record<string, unknown>)[name.field] : item));
}

/** The bindings a principal gets in one cell: literal allows, a prefix allow, or a prefix allow overruled by a deny. */
function bindingsFor(op: Operation, request: MatrixRequest, t: string, principal: string, kind: CaseName): Binding[] {
  if (!("checks" in op.access)) return [];
  const out: Binding[] = [];
  let denied = false;
  for (const check of op.access.checks) {
    const names = checkedNames(check, request, t);
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
  const wrongKey = `${literalKey.slice(0, "rill_".length + 16 + 1)}${"A".repeat(43)}`; // the secret may hold "_" itself
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
    const refused = requestFor(op, refusedT);
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
      const res = await sendRequest(send, op, refused, headers);
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
      const request = requestFor(op, t);
      await request.setup?.(send);
      const principal = c.name === "literal allow" ? `User:mx-${options.run}-literal` : `User:mx-${options.run}-prefixed-${i}`;
      if (c.name !== "super user") {
        const bindings = bindingsFor(op, request, t, principal, c.name);
        if (bindings.length > 0) {
          const res = await send("POST", "/v1/acls", { headers: SUPER, json: { acls: bindings } });
          if (res.status !== 201) failures.push(`${label} / ${c.name}: binding refused ${res.status} ${await res.text()}`);
        }
      }
      const res = await sendRequest(send, op, request, await headersFor(c.name, principal));
      cells++;
      if (!matches(res.status, 200)) failures.push(`${label} / ${c.name}: ${res.status} ${await res.text()}`);
    }
  }
  return { cells, failures };
}

function matches(status: number, expected: number): boolean {
  return expected === 200 ? status >= 200 && status < 300 : status === expected;
}
