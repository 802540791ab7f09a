// The HTTP face of push subscriptions as the scenarios (push-scenarios.ts) and other subscription
// tests use it: what a fixture gives (a broker's fetch and a target the test controls), and calls
// that create topics, produce, subscribe, describe and read commits and dead letters.

import type { ConsumerBehaviour, ConsumerSnapshot } from "./push-consumer.ts";

export interface PushTargetHandle {
  /** The subscription target body ({type: "webhook", url} or {type: "service", binding, protocol}). */
  target: Record<string, unknown>;
  state(): Promise<ConsumerSnapshot>;
  configure(behaviour: Partial<ConsumerBehaviour>): Promise<void>;
  setSecret(subscription: string, secret: string): Promise<void>;
  /** A real outage (connections refused) and the way back; absent for targets that cannot go away. */
  down?(): Promise<void>;
  up?(): Promise<void>;
}

export interface PushFixture {
  name: string;
  fetch(request: Request): Promise<Response>;
  target: PushTargetHandle;
  /** Resets the subscription's Durable Object mid-delivery (storage intact); edge only. */
  crash?(group: string, name: string): Promise<void>;
  /** Where verdicts are printed. */
  report?(line: string): void;
  /** Only the delivery and failure scenarios (for a second way to reach the same target). */
  basicOnly?: boolean;
}

export function pushApi(fixture: PushFixture) {
  const request = async (method: string, path: string, body?: unknown) => {
    const res = await fixture.fetch(
      new Request(`http://rill.test${path}`, {
        method,
        headers: body === undefined ? {} : { "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
    );
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };
  const ok = async (method: string, path: string, body?: unknown) => {
    const res = await request(method, path, body);
    if (res.status >= 300) throw new Error(`${method} ${path} -> ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  return {
    request,
    ok,
    createTopic: (name: string, partitions: number) => ok("POST", "/v1/topics", { name, partitions }),
    /** Writes `perPartition` records to each partition; values "<topic>/<p>/<i>". Answers the offsets by partition. */
    async produce(topic: string, partitions: number, perPartition: number, from = 0): Promise<Map<string, number[]>> {
      const produced = new Map<string, number[]>();
      for (let p = 0; p < partitions; p++) {
        const records = Array.from({ length: perPartition }, (_, i) => ({
          partition: p,
          key: `k${p}`,
          value: `${topic}/${p}/${from + i}`,
        }));
        const answer = (await ok("POST", `/v1/topics/${topic}/records`, { records })) as {
          offsets: Array<{ partition: number; offset: number }>;
        };
        produced.set(
          `${topic}/${p}`,
          answer.offsets.map((o) => o.offset),
        );
      }
      return produced;
    },
    async subscribe(body: Record<string, unknown>): Promise<{ secret: string; subscription: Record<string, unknown> }> {
      const created = (await ok("POST", "/v1/subscriptions", body)) as { secret: string; subscription: Record<string, unknown> };
      await fixture.target.setSecret(`${body.group}/${body.name}`, created.secret);
      return created;
    },
    describe: (group: string, name: string) => ok("GET", `/v1/subscriptions/${group}/${name}`) as Promise<Description>,
    patch: (group: string, name: string, body: unknown) => ok("PATCH", `/v1/subscriptions/${group}/${name}`, body),
    remove: (group: string, name: string) => ok("DELETE", `/v1/subscriptions/${group}/${name}`),
    async committed(group: string): Promise<Map<string, number>> {
      const body = (await ok("GET", `/v1/groups/${group}/offsets`)) as {
        offsets: Array<{ topic: string; partition: number; offset: number }>;
      };
      return new Map(body.offsets.map((o) => [`${o.topic}/${o.partition}`, o.offset]));
    },
    /** Records of a dead-letter topic: "<topic>/<partition>/<offset>" of their origin, with their headers. */
    async deadLetters(
      topic: string,
      partitions: number,
    ): Promise<Array<{ origin: string; headers: Record<string, string>; value: string }>> {
      const out = [];
      for (let p = 0; p < partitions; p++) {
        const body = (await ok("GET", `/v1/topics/${topic}/partitions/${p}/records?offset=0`)) as {
          records: Array<{ value: string; headers: Record<string, string> }>;
        };
        for (const r of body.records) {
          out.push({
            origin: `${r.headers["rill-dlq-topic"]}/${r.headers["rill-dlq-partition"]}/${r.headers["rill-dlq-offset"]}`,
            headers: r.headers,
            value: r.value,
          });
        }
      }
      return out;
    },
  };
}

export interface Description {
  paused: boolean;
  batchSize: number;
  status: {
    state: string;
    lag: number;
    inFlight: number;
    partitions: Array<{ topic: string; partition: number; position: number; lag: number | null; inFlight: unknown }>;
    counters: Record<string, number>;
    lastError: { message: string } | null;
    unreachableSince: number | null;
  };
}
