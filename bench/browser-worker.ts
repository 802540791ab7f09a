// The bench's worker: the host-side measurements, in a dedicated worker as the broker host runs,
// each alternating with the raw IndexedDB loop in this same worker on the same batch bytes.
import { createPartitionLog, resolveTopicConfig, type Storage } from "@rill/core";
import { createIndexedDbStorage } from "@rill/storage-indexeddb";
import { expose } from "comlink";
import { deleteDb, openRawDb, rawPutLoop, storageAppendLoop } from "./browser-loops.ts";
import type { BrowserScenario, SideBySide } from "./browser-report.ts";
import { alternate, type Fixture, type Loop, makeFixture, medianRatio, timeLoop } from "./core-shared.ts";

/** Times `loopOn(storage)` against the raw loop, ABBA, on fresh databases; then the relaxed raw loop once, for reference. */
async function sideBySide(spec: BrowserScenario, name: string, loopOn: (storage: Storage, fixture: Fixture) => Loop): Promise<SideBySide> {
  const fixture = makeFixture(spec.valueSize, spec.batchSize, 4 * 1024 * 1024);
  const rawName = `${name}-raw`;
  await Promise.all([deleteDb(name), deleteDb(rawName)]);
  const storage = await createIndexedDbStorage({ dbName: name });
  const raw = await openRawDb(rawName);
  const loop = loopOn(storage, fixture);
  const ceiling = rawPutLoop(raw, fixture, "strict");
  const maxSteps = Math.max(1, Math.floor(spec.maxRoundBytes / fixture.batchBytes));
  const { a, b } = await alternate(
    spec.rounds,
    () => timeLoop(loop, spec.minMs, maxSteps),
    () => timeLoop(ceiling, spec.minMs, maxSteps),
  );
  const relaxed = await timeLoop(rawPutLoop(raw, fixture, "relaxed"), spec.minMs, maxSteps);
  await storage.close();
  raw.close();
  await Promise.all([deleteDb(name), deleteDb(rawName)]);
  return { batchBytes: fixture.batchBytes, measured: a, ceiling: b, ratio: medianRatio(a, b), relaxed };
}

const api = {
  /** (a) storage.append alone: the backend, with the batch bytes stamped as the log would store them. */
  storage: (spec: BrowserScenario) =>
    sideBySide(spec, `bench-storage-${spec.valueSize}-${spec.batchSize}`, (storage, fixture) =>
      storageAppendLoop(storage, "bench/0", fixture),
    ),
  /** (b) the partition log's appendBatches (CRC-32C, record checks, offsets) over the same backend. */
  log: (spec: BrowserScenario) =>
    sideBySide(spec, `bench-log-${spec.valueSize}-${spec.batchSize}`, (storage, fixture) => {
      const config = { ...resolveTopicConfig(), "max.message.bytes": 1_900_000 };
      const log = createPartitionLog({ storage, partition: "bench/0", config: () => config });
      const { batches } = fixture;
      // appendBatches stamps offsets in place: each append gets its own copy, as a request body would be
      return {
        step: (i) => log.appendBatches((batches[i % batches.length] as Uint8Array).slice()),
        recordsPerStep: spec.batchSize,
        bytesPerStep: fixture.batchBytes,
      };
    }),
};

export type BenchWorkerApi = typeof api;
expose(api);
