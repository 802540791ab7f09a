// The fuzz run: seeds topics, keys and bindings, sends `runs` bad requests (fuzzRequestArb) through
// any fetch, and checks each answer (no 5xx, no crash, errors in the protocol's shape) and, at the
// end, that every seeded partition's records and every ACL, key and quota are as they were.

import fc from "fast-check";
import { SignJWT } from "jose";
import { type FuzzRequest, fuzzRequestArb } from "./requests.ts";

export type FetchLike = (request: Request) => Promise<Response>;

/** What the broker under test must be configured with. */
export const FUZZ_SETTINGS = { RILL_TOKENS: "fuzz-super-token", RILL_JWT_SECRET: "fuzz-jwt-secret-0123456789abcdefgh" };

export interface FuzzReport {
  requests: number;
  byStatus: Record<string, number>;
  byKind: Record<string, number>;
  byAuth: Record<string, number>;
  failures: string[];
  /** Seeded records, ACLs, keys and quotas compared after the run: what differed. */
  changed: string[];
  seconds: number;
}

const BASE = "http://rill.fuzz";
const SEEDED = ["fuzz.seed.a", "fuzz.seed.b"];

async function jwt(sub: string, expired = false): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(sub)
    .setExpirationTime(expired ? now - 60 : now + 86_400)
    .sign(new TextEncoder().encode(FUZZ_SETTINGS.RILL_JWT_SECRET));
}

export async function runFuzz(
  fetch: FetchLike,
  options: { runs: number; seed?: number; log?: (line: string) => void },
): Promise<FuzzReport> {
  const started = Date.now();
  const superAuth = `Bearer ${FUZZ_SETTINGS.RILL_TOKENS}`;
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(
      new Request(`${BASE}${path}`, {
        method,
        headers: { authorization: superAuth, ...(body === undefined ? {} : { "content-type": "application/json" }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
    );
    return { status: res.status, body: await res.json().catch(() => null) };
  };

  // seed: topics with records on every partition, a limited principal (read on the seeds), a key, a quota
  for (const name of SEEDED) {
    const created = await call("POST", "/v1/topics", { name, partitions: 2 });
    if (created.status !== 201 && created.status !== 409) throw new Error(`seed ${name}: ${created.status}`);
    await call("POST", `/v1/topics/${name}/records`, {
      records: Array.from({ length: 6 }, (_, i) => ({ key: `k${i}`, value: `seed ${i}` })),
    });
  }
  await call("POST", "/v1/acls", {
    acls: [
      { principal: "User:fuzz-reader", resourceType: "topic", resourceName: "fuzz.seed.", patternType: "prefixed", operation: "read" },
      { principal: "User:fuzz-reader", resourceType: "group", resourceName: "*", operation: "read" },
    ],
  });
  const key = (await call("POST", "/v1/credentials", { principal: "User:fuzz-reader" })).body as { key: string };
  await call("PUT", "/v1/quotas", { entity: { clientId: "fuzz-quota" }, values: { producerByteRate: 1e9 } });

  const state = async () => {
    const parts: string[] = [];
    for (const name of SEEDED) {
      const described = (await call("GET", `/v1/topics/${name}`)).body as { partitions: Array<{ partition: number }> } | null;
      for (const p of described?.partitions ?? []) {
        parts.push(
          `${name}/${p.partition}: ${JSON.stringify((await call("GET", `/v1/topics/${name}/partitions/${p.partition}/records?offset=0`)).body)}`,
        );
      }
      parts.push(`${name}: ${JSON.stringify(described)}`);
    }
    parts.push(`acls: ${JSON.stringify((await call("GET", "/v1/acls")).body)}`);
    parts.push(`credentials: ${JSON.stringify((await call("GET", "/v1/credentials")).body)}`);
    parts.push(`quotas: ${JSON.stringify((await call("GET", "/v1/quotas")).body)}`);
    return parts;
  };
  const before = await state();

  const auth = {
    none: undefined,
    garbage: "Bearer !!not-a-token!!",
    basic: "Basic Zm9vOmJhcg==",
    expired: `Bearer ${await jwt("fuzz-reader", true)}`,
    reader: `Bearer ${await jwt("fuzz-reader")}`,
    readerKey: `Bearer ${key.key}`,
    super: superAuth,
  };
  const report: FuzzReport = { requests: 0, byStatus: {}, byKind: {}, byAuth: {}, failures: [], changed: [], seconds: 0 };
  const count = (map: Record<string, number>, k: string) => {
    map[k] = (map[k] ?? 0) + 1;
  };

  const check = async (r: FuzzRequest) => {
    let request: Request;
    try {
      request = new Request(`${BASE}${r.path}`, {
        method: r.method,
        headers: r.headers,
        body: r.method === "GET" || r.method === "HEAD" ? undefined : (r.body as BodyInit | undefined),
      });
    } catch {
      count(report.byKind, "unsendable (rejected by Request)");
      return;
    }
    report.requests++;
    count(report.byKind, r.kind);
    count(report.byAuth, r.auth);
    let res: Response;
    try {
      res = await fetch(request);
    } catch (error) {
      report.failures.push(`${r.method} ${r.path} (${r.kind}, ${r.auth}) threw ${String(error)}`);
      return;
    }
    count(report.byStatus, String(res.status));
    const text = await res.text();
    if (res.status >= 500) report.failures.push(`${r.method} ${r.path} (${r.kind}, ${r.auth}) -> ${res.status} ${text.slice(0, 300)}`);
    else if (res.status >= 400 && r.method !== "HEAD") {
      let code: unknown;
      try {
        code = JSON.parse(text).error?.code;
      } catch {
        code = undefined;
      }
      if (typeof code !== "string")
        report.failures.push(`${r.method} ${r.path} (${r.kind}) -> ${res.status} without an error code: ${text.slice(0, 200)}`);
    }
  };

  await fc.assert(
    fc.asyncProperty(fuzzRequestArb({ seededTopics: SEEDED, auth, weights: { super: 8, reader: 3, readerKey: 2 } }), async (r) => {
      await check(r);
      return true;
    }),
    { numRuns: options.runs, seed: options.seed, endOnFailure: true },
  );

  const after = await state();
  report.changed = after.filter((line, i) => line !== before[i]);
  report.seconds = (Date.now() - started) / 1000;
  options.log?.(formatReport(report));
  return report;
}

export function formatReport(r: FuzzReport): string {
  const sorted = (m: Record<string, number>) =>
    Object.entries(m)
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k} ${v}`)
      .join(", ");
  return [
    `fuzz: ${r.requests} requests in ${r.seconds.toFixed(1)} s`,
    `  by status: ${sorted(r.byStatus)}`,
    `  by caller: ${sorted(r.byAuth)}`,
    `  by kind:   ${sorted(r.byKind)}`,
    `  5xx/crashes/bad errors: ${r.failures.length}; state changed: ${r.changed.length === 0 ? "nothing" : r.changed.join(" | ")}`,
  ].join("\n");
}
