// The bench page: asks its worker for the host-side figures, and measures producer.send through
// the browser broker (comlink to the SharedWorker host) against the raw IndexedDB loop in the page.
import { createBrowserBroker } from "@rill/browser";
import { wrap } from "comlink";
import { deleteDb, openRawDb, percentile, rawPutLoop, sendLoop, timePool } from "./browser-loops.ts";
import type { BrowserScenario, ScenarioFigures, SideBySide } from "./browser-report.ts";
import type { BenchWorkerApi } from "./browser-worker.ts";
import { alternate, makeFixture, medianRatio, timeLoop } from "./core-shared.ts";

const worker = wrap<BenchWorkerApi>(new Worker("/browser-worker.js", { type: "module" }));

async function throughClient(spec: BrowserScenario): Promise<{ send: SideBySide; send64: SideBySide }> {
  const name = `bench-send-${spec.valueSize}-${spec.batchSize}`;
  await Promise.all([deleteDb(name), deleteDb(`${name}-raw`)]);
  const broker = await createBrowserBroker({
    name,
    worker: () => new SharedWorker("/browser-host.js", { type: "module", name: `rill:${name}` }),
  });
  const client = broker.client({ clientId: "bench" });
  await client
    .admin()
    .createTopics({ topics: [{ topic: "bench", numPartitions: 1, configEntries: [{ name: "max.message.bytes", value: "1900000" }] }] });
  // one send() is one batch: no linger, and batches as large as the biggest scenario
  const producer = client.producer<Uint8Array, Uint8Array>({ lingerMs: 0, batchSize: 8 * 1024 * 1024 });
  const fixture = makeFixture(spec.valueSize, spec.batchSize, 4 * 1024 * 1024);
  const raw = await openRawDb(`${name}-raw`);
  const maxSteps = Math.max(1, Math.floor(spec.maxRoundBytes / fixture.batchBytes));
  const sendLatencies: number[] = [];
  const rawLatencies: number[] = [];
  const ceiling = rawPutLoop(raw, fixture, "strict", rawLatencies);
  const one = await alternate(
    spec.rounds,
    () => timeLoop(sendLoop(producer, "bench", fixture, sendLatencies), spec.minMs, maxSteps),
    () => timeLoop(ceiling, spec.minMs, maxSteps),
  );
  const many = await alternate(
    spec.rounds,
    () => timePool(sendLoop(producer, "bench", fixture), 64, spec.minMs, maxSteps),
    () => timeLoop(ceiling, spec.minMs, maxSteps),
  );
  await producer.disconnect();
  // the host keeps its connection open after this page leaves: drop the data now, not at exit
  await broker.fetch("/v1/topics/bench", { method: "DELETE" });
  await broker.close();
  raw.close();
  await Promise.all([deleteDb(name), deleteDb(`${name}-raw`)]);
  const latency = (values: number[]) => ({ p50: percentile(values, 50), p99: percentile(values, 99) });
  return {
    send: {
      batchBytes: fixture.batchBytes,
      measured: one.a,
      ceiling: one.b,
      ratio: medianRatio(one.a, one.b),
      latency: latency(sendLatencies),
      ceilingLatency: latency(rawLatencies),
    },
    send64: { batchBytes: fixture.batchBytes, measured: many.a, ceiling: many.b, ratio: medianRatio(many.a, many.b) },
  };
}

const bench = {
  async run(spec: BrowserScenario): Promise<ScenarioFigures> {
    const storage = await worker.storage(spec);
    const log = await worker.log(spec);
    const { send, send64 } = await throughClient(spec);
    return { storage, log, send, send64 };
  },
};

declare global {
  interface Window {
    rillBench: typeof bench;
  }
}
window.rillBench = bench;
document.body.dataset.ready = "true";
