// Ceilings of the HTTP path, as targets: a bare Worker in workerd (Miniflare, the same stack as the
// edge broker) that reads the body and answers, so Rill's figures stand beside what the runtime
// alone allows on this machine in the same run. Produce only: it stores nothing.
import { Miniflare } from "miniflare";
import { freePort } from "../../test/harness/local-broker.ts";
import { send } from "./http.ts";
import { bundleWorker } from "./rill-edge.ts";
import type { BenchTarget, RunningSystem } from "./types.ts";
import { padded } from "./types.ts";

const notStored = () => Promise.reject(new Error("the ceiling stores nothing"));

export async function startWorkerdCeiling(): Promise<RunningSystem> {
  const scriptPath = await bundleWorker("bench/peers/ceiling-worker.ts", "ceiling");
  const port = await freePort();
  const mf = new Miniflare({ host: "127.0.0.1", port, modules: true, scriptPath, compatibilityDate: "2026-04-01", cf: false });
  await mf.ready;
  const url = `http://127.0.0.1:${port}/`;
  const target: BenchTarget = {
    name: "workerd ceiling (binary)",
    system: "ceiling",
    durability: "none: a Worker that reads the body and answers",
    create: async () => undefined,
    prepare(shape) {
      const body = new TextEncoder().encode(padded("", shape.valueSize + 8).repeat(shape.perRequest));
      return () => send(url, { method: "POST", headers: { "content-type": "application/octet-stream" }, body });
    },
    sendText: notStored,
    tail: notStored,
    catchUp: notStored,
  };
  return { system: "ceiling", version: "a bare Worker in the same workerd", targets: [target], stop: () => mf.dispose() };
}
