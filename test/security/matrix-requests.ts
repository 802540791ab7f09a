// The request the authorization matrix (matrix.ts) sends for each operation of the protocol's list,
// against names that belong to one matrix cell, with what it needs created beforehand.
import { encodeBatch } from "@rill/core";
import type { Operation } from "@rill/protocol/operations";

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

export const SUPER = { authorization: `Bearer ${MATRIX_SETTINGS.RILL_TOKENS}` };
/** One request of an operation, against names that belong to one matrix cell. */
export interface MatrixRequest {
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

export function requestFor(op: Operation, t: string): MatrixRequest {
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

export function sendRequest(send: Send, op: Operation, request: MatrixRequest, headers: Record<string, string>): Promise<Response> {
  if (request.bytes) {
    return send(op.method, request.path, {
      headers: { "content-type": "application/vnd.rill.batches", ...request.headers, ...headers },
      body: request.bytes as Uint8Array<ArrayBuffer>,
    });
  }
  return send(op.method, request.path, { headers: { ...request.headers, ...headers }, json: request.json });
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
