// The local edge broker (wrangler dev + workerd, state on disk) loses no acknowledged record when
// its process is stopped, or killed outright in the middle of a load, and started again.
import { afterAll, describe, expect, it } from "vitest";
import { type LocalBrokerProcess, startLocalBroker } from "../harness/local-broker.ts";
import { until } from "../helpers/wait.ts";

const json = async (url: string, body?: unknown) => {
  const res = await fetch(
    url,
    body === undefined ? {} : { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) },
  );
  return { status: res.status, body: await res.json() };
};

async function readAll(url: string, topic: string, partitions: number): Promise<string[]> {
  const values: string[] = [];
  for (let p = 0; p < partitions; p++) {
    let offset = 0;
    for (;;) {
      const page = (await json(`${url}/v1/topics/${topic}/partitions/${p}/records?offset=${offset}&maxBytes=1000000`)).body;
      values.push(...page.records.map((r: { value: string }) => r.value));
      if (page.nextOffset >= page.highWatermark) break;
      offset = page.nextOffset;
    }
  }
  return values;
}

describe("local edge broker restarts", () => {
  let broker: LocalBrokerProcess | undefined;
  afterAll(() => broker?.stop("SIGKILL"));

  it("keeps every acknowledged record across a stop and a SIGKILL mid-load", async () => {
    broker = await startLocalBroker();
    const { stateDir } = broker;
    expect((await json(`${broker.url}/v1/topics`, { name: "durable", partitions: 3 })).status).toBe(201);
    const acked: string[] = [];
    const produce = async (url: string, values: string[]) => {
      const res = await json(`${url}/v1/topics/durable/records`, { records: values.map((value) => ({ key: value, value })), acks: "all" });
      if (res.status === 200) acked.push(...values);
    };
    for (let i = 0; i < 20; i++)
      await produce(
        broker.url,
        Array.from({ length: 10 }, (_, j) => `a-${i}-${j}`),
      );

    await broker.stop("SIGTERM");
    broker = await startLocalBroker({ stateDir });
    expect((await readAll(broker.url, "durable", 3)).sort()).toEqual([...acked].sort());

    // a producer keeps writing while the process group is killed without warning
    let running = true;
    const load = (async () => {
      for (let i = 0; running; i++) {
        await produce(
          (broker as LocalBrokerProcess).url,
          Array.from({ length: 5 }, (_, j) => `b-${i}-${j}`),
        ).catch(() => {
          running = false;
        });
      }
    })();
    // mid-load: ten of the load's requests acknowledged, and the producer is still writing
    await until(() => !running || acked.length >= 250, "ten acknowledged requests of the load", { timeoutMs: 60_000 });
    expect(running).toBe(true);
    await broker.stop("SIGKILL");
    running = false;
    await load;
    broker = await startLocalBroker({ stateDir });
    const after = await readAll(broker.url, "durable", 3);
    const present = new Set(after);
    const lost = acked.filter((v) => !present.has(v));
    expect(lost).toEqual([]);
    expect(new Set(after).size).toBe(after.length); // nothing twice
    expect(acked.filter((v) => v.startsWith("b-")).length).toBeGreaterThanOrEqual(50);
  }, 180_000);
});
