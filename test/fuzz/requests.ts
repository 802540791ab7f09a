// Arbitrary bad requests over every route of the operation list (fast-check): malformed JSON, wrong
// types, huge and negative numbers, unicode and overlong names, truncated and corrupted binary
// batches, wrong content types and methods, unknown paths; each sent with no credentials, garbage,
// an expired JWT, a limited principal (JWT or API key) or a super user.
//
// Every request is bad by construction, so it must change nothing whoever sends it: JSON bodies
// carry a key no schema has (every body schema is strict), binary bodies are damaged inside their
// CRC or framing, methods are ones the path does not take, destructive routes never name the seeded
// topics, and queries never ask for a long-poll or a live stream (those would only hang the run).
import { encodeBatch } from "@rill/core";
import { type Operation, operations } from "@rill/protocol/operations";
import fc from "fast-check";

export interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
  /** For the report: what kind of bad this is. */
  kind: string;
  auth: string;
}

export interface FuzzContext {
  /** Topics whose records must survive: read routes may name them, destructive ones never. */
  seededTopics: string[];
  /** Authorization header values by caller kind. */
  auth: Record<string, string | undefined>;
  /** How often each caller kind asks, relative to the others (default 1). */
  weights?: Record<string, number>;
}

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"];
const EXTRA_KEY = "fuzz\u0000extra";

const oddStrings = fc.constantFrom(
  "",
  ".",
  "..",
  "%",
  "%00",
  "%2F",
  "%E0%A4%A",
  "a/b",
  "\u0000",
  "😀🚀",
  "\u202e\u0301",
  "x".repeat(300),
  "y".repeat(5000),
  "-1",
  "1e309",
  "NaN",
  "__proto__",
  "constructor",
  "User:",
  "User:*",
  "*",
  "kafka-cluster",
  "<default>",
);
const anyString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.string({ unit: "grapheme", maxLength: 20 }),
  oddStrings,
);
const oddNumbers = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(-1, -0, 0.5, 2 ** 31, 2 ** 53, 2 ** 53 + 2, -(2 ** 63), 1e308, -1e308, Number.MAX_SAFE_INTEGER),
);
const anyValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    anyString,
    oddNumbers,
    fc.boolean(),
    fc.constant(null),
    fc.array(tie("value"), { maxLength: 3 }),
    fc.dictionary(anyString, tie("value"), { maxKeys: 3 }),
  ),
})).value;

const routeParams = (route: string) => [...route.matchAll(/:(\w+)/g)].map((m) => m[1] as string);
const isDestructive = (op: Operation) => op.method !== "GET";

/** A path parameter: a seeded topic for reads, else an odd string (never a seeded name), encoded or raw. */
function paramArb(op: Operation, ctx: FuzzContext): fc.Arbitrary<string> {
  const odd = anyString.filter((s) => !ctx.seededTopics.includes(s) && !s.includes("fuzz"));
  const encoded = fc.oneof(
    odd.map(encodeURIComponent),
    odd.map((s) => s.replace(/[/?#\s]/g, "_")),
  );
  if (isDestructive(op)) return encoded;
  return fc.oneof(fc.constantFrom(...ctx.seededTopics), fc.constantFrom("0", "1", "99", "-1", "abc"), encoded);
}

function pathArb(op: Operation, ctx: FuzzContext): fc.Arbitrary<string> {
  const names = routeParams(op.route);
  if (names.length === 0) return fc.constant(op.route);
  return fc.tuple(...names.map(() => paramArb(op, ctx))).map((values) => {
    let i = 0;
    return op.route.replace(/:(\w+)/g, () => values[i++] as string);
  });
}

/** Query strings that are bad or harmless, never a long-poll or a live stream. */
const queryArb = fc
  .array(
    fc.tuple(
      fc.constantFrom(
        "offset",
        "maxBytes",
        "minBytes",
        "encoding",
        "format",
        "replica",
        "at",
        "acks",
        "topic",
        "principal",
        "keyId",
        "resourceType",
        "patternType",
        "operation",
        "user",
        "clientId",
        "maxWaitMs",
        "live",
        "x",
      ),
      fc.oneof(anyString, oddNumbers.map(String)),
    ),
    { maxLength: 4 },
  )
  .map((pairs) =>
    pairs
      .map(([k, v]) => {
        // a long-poll or a stream would hold the run: only bad values for those
        if (k === "maxWaitMs") v = /^\d+$/.test(v) ? `-${v}` : v;
        if (k === "live") v = v === "sse" || v === "ws" ? "stream" : v;
        return `${encodeURIComponent(k)}=${encodeURIComponent(v)}`;
      })
      .join("&"),
  );

/** A JSON body that no strict schema takes: malformed text, or an object with wrong types and an unknown key. */
function jsonBodyArb(op: Operation): fc.Arbitrary<{ kind: string; body: string }> {
  const keys = op.body ? Object.keys((op.body as unknown as { shape?: Record<string, unknown> }).shape ?? {}) : [];
  const wrongTypes = fc
    .tuple(fc.dictionary(keys.length > 0 ? fc.constantFrom(...keys) : anyString, anyValue, { maxKeys: 4 }), anyValue)
    .map(([object, extra]) => ({ kind: "wrong types", body: JSON.stringify({ ...object, [EXTRA_KEY]: extra }) }));
  const hugeNumbers = fc
    .tuple(fc.constantFrom(...(keys.length > 0 ? keys : ["x"])), fc.constantFrom(1e308, -1e308, 2 ** 64, -1, -(2 ** 53)))
    .map(([key, n]) => ({
      kind: "huge or negative number",
      body: `{"${key}": ${n === 2 ** 64 ? "18446744073709551616" : n}, "${EXTRA_KEY}": 1}`,
    }));
  const malformed = fc.oneof(
    fc.string({ maxLength: 60 }).map((s) => ({ kind: "malformed JSON", body: `{${s}` })),
    fc.constantFrom("", "null", "[]", "42", '"text"', "{", '{"records": [', "\ufeff{}", '{"a":1}{"b":2}').map((body) => ({
      kind: "malformed JSON",
      body: body === "null" || body === "[]" || body === "42" || body === '"text"' ? body : body,
    })),
    fc.uint8Array({ maxLength: 64 }).map((b) => ({ kind: "malformed JSON", body: String.fromCharCode(...b) })),
  );
  return fc.oneof(wrongTypes, hugeNumbers, malformed);
}

const validBatch = (n: number) =>
  encodeBatch(
    Array.from({ length: n }, (_, i) => ({
      key: null,
      value: new TextEncoder().encode(`v${i}`),
      headers: [],
      timestamp: 1_700_000_000_000,
    })),
  );

/** A binary body that cannot be stored: damaged inside the CRC, cut short, reframed, or noise. */
const binaryBodyArb: fc.Arbitrary<{ kind: string; body: Uint8Array }> = fc.oneof(
  fc.tuple(fc.integer({ min: 1, max: 5 }), fc.nat(), fc.integer({ min: 1, max: 255 })).map(([n, at, xor]) => {
    const bytes = validBatch(n);
    const i = 21 + (at % (bytes.length - 21)); // attributes onward: under the CRC-32C
    bytes[i] = (bytes[i] as number) ^ xor;
    return { kind: "corrupted batch", body: bytes };
  }),
  fc.tuple(fc.integer({ min: 1, max: 5 }), fc.nat()).map(([n, cut]) => {
    const bytes = validBatch(n);
    return { kind: "truncated batch", body: bytes.slice(0, cut % bytes.length) };
  }),
  fc.tuple(fc.integer({ min: 1, max: 3 }), fc.nat(), fc.integer({ min: 1, max: 255 })).map(([n, at, xor]) => {
    // a good batch followed by a damaged one: the whole request must be refused
    const good = validBatch(n);
    const bad = validBatch(n);
    const i = 21 + (at % (bad.length - 21));
    bad[i] = (bad[i] as number) ^ xor;
    const both = new Uint8Array(good.length + bad.length);
    both.set(good);
    both.set(bad, good.length);
    return { kind: "good batch then corrupted", body: both };
  }),
  fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: -5, max: 1_000_000 })).map(([n, length]) => {
    const bytes = validBatch(n);
    new DataView(bytes.buffer).setInt32(8, length === bytes.length - 12 ? length + 1 : length);
    return { kind: "wrong batch length", body: bytes };
  }),
  fc.uint8Array({ minLength: 0, maxLength: 200 }).map((body) => ({ kind: "random bytes", body })),
);

const contentTypes = fc.constantFrom(
  "text/plain",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=x",
  "application/json; charset=utf-16",
  "",
);

type Unsigned = Omit<FuzzRequest, "auth">;
const unsigned = (arbitrary: fc.Arbitrary<unknown>) => arbitrary as fc.Arbitrary<Unsigned>;

/** One bad request for `op`. */
function requestForOp(
  op: Operation,
  ctx: FuzzContext,
): fc.Arbitrary<Omit<FuzzRequest, "auth" | "headers"> & { headers: Record<string, string> }> {
  const path = fc.tuple(pathArb(op, ctx), queryArb).map(([p, q]) => (q ? `${p}?${q}` : p));
  const allowed = operations.filter((o) => o.route === op.route).map((o) => o.method);
  const wrongMethod = fc
    .tuple(
      path,
      fc.constantFrom(...METHODS.filter((m) => !allowed.includes(m as Operation["method"]) && !(m === "HEAD" && allowed.includes("GET")))),
    )
    .map(([p, method]) => ({ method, path: p, headers: {}, kind: "wrong method" }));
  if (op.binaryBody) {
    const binary = fc
      .tuple(path, binaryBodyArb, fc.constantFrom("application/vnd.rill.batches", "application/octet-stream"))
      .map(([p, b, type]) => ({
        method: op.method,
        path: p,
        headers: { "content-type": type },
        body: b.body,
        kind: b.kind,
      }));
    const wrongType = fc.tuple(path, contentTypes, binaryBodyArb).map(([p, type, b]) => ({
      method: op.method,
      path: p,
      headers: type ? { "content-type": type } : {},
      body: b.body,
      kind: "wrong content type",
    }));
    return unsigned(fc.oneof({ weight: 4, arbitrary: binary }, { weight: 1, arbitrary: wrongType }, { weight: 1, arbitrary: wrongMethod }));
  }
  if (op.body) {
    const json = fc.tuple(path, jsonBodyArb(op)).map(([p, b]) => ({
      method: op.method,
      path: p,
      headers: { "content-type": "application/json" },
      body: b.body,
      kind: b.kind,
    }));
    const wrongType = fc.tuple(path, contentTypes, jsonBodyArb(op)).map(([p, type, b]) => ({
      method: op.method,
      path: p,
      headers: type ? { "content-type": type } : {},
      body: b.body,
      kind: "wrong content type",
    }));
    return unsigned(fc.oneof({ weight: 4, arbitrary: json }, { weight: 1, arbitrary: wrongType }, { weight: 1, arbitrary: wrongMethod }));
  }
  // no body: GETs (harmless on any name) and DELETEs (never of a seeded topic)
  const plain = path.map((p) => ({
    method: op.method,
    path: p,
    headers: {},
    kind: op.method === "GET" ? "odd names and queries" : "odd names",
  }));
  return fc.oneof({ weight: 3, arbitrary: plain }, { weight: 1, arbitrary: wrongMethod });
}

const unknownPath = fc
  .tuple(fc.constantFrom(...METHODS), fc.array(anyString.map(encodeURIComponent), { minLength: 1, maxLength: 5 }))
  .map(([method, segments]) => ({ method, path: `/v1/${segments.join("/")}`, headers: {}, kind: "unknown path" }));

/** Any bad request, by any caller. */
export function fuzzRequestArb(ctx: FuzzContext): fc.Arbitrary<FuzzRequest> {
  // the binary produce path is the one most worth damaging: it gets a few times its share
  const perOp = operations
    .filter((op) => op.route !== "/healthz")
    .map((op) => ({ weight: op.binaryBody ? 6 : 1, arbitrary: requestForOp(op, ctx) }));
  const request = fc.oneof({ weight: 12, arbitrary: fc.oneof(...perOp) }, { weight: 1, arbitrary: unknownPath });
  // most requests get past authentication, so that what they carry is what gets checked
  const callers = Object.keys(ctx.auth).map((name) => ({ weight: ctx.weights?.[name] ?? 1, arbitrary: fc.constant(name) }));
  return fc.tuple(request, fc.oneof(...callers)).map(([r, auth]) => {
    const authorization = ctx.auth[auth];
    return { ...r, auth, headers: { ...r.headers, ...(authorization ? { authorization } : {}) } };
  });
}
