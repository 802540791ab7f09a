// The sync engine: uploads outbox topics to the edge exactly once and keeps read-only replicas of
// edge topics, over any in-process broker (IndexedDB in a browser host, memory or SQLite in Node).
// It owns nothing but its loops and a few documents in the broker's storage (device id, producer
// identities, upload cursors, replica topic ids); everything else is derived from the logs.

import { isRillError, RillError } from "@rill/core";
import { loadDeviceId, transactionalIdOf, uploadKey } from "./device.ts";
import { createDownloader, type Downloader } from "./downloader.ts";
import { createEdge } from "./edge.ts";
import type { LoopContext } from "./loop-context.ts";
import { type ReplicaWatch, setUpDownload } from "./replica-setup.ts";
import { backoffMs, createNudge, pause } from "./sleep.ts";
import { createStatusHub } from "./status-hub.ts";
import type { DownloadSpec, SyncEngineOptions, SyncStatus, UploadSpec } from "./types.ts";
import { createUploadStore } from "./upload-store.ts";
import { createUploader, type Uploader } from "./uploader.ts";

export interface SyncEngine {
  /** Starts the loops (idempotent). Resolves once they are set up, online or not. */
  start(): Promise<void>;
  /** Stops every loop, writes the cursors, and resolves when all is quiet. */
  stop(): Promise<void>;
  /**
   * Resolves when every outbox record present at the call is on the edge and every replica has
   * reached the edge high watermark seen after the call. Honours `signal`; rejects when fenced.
   */
  syncNow(options?: { signal?: AbortSignal }): Promise<SyncStatus>;
  /**
   * Resolves once a locally acknowledged record is on the edge, with its edge offset (-1 when the
   * edge answered a repeat without offsets, or the record went up before this engine started).
   */
  uploaded(
    record: { topicName: string; partition: number; offset: number },
    options?: { signal?: AbortSignal },
  ): Promise<{ edgeOffset: number }>;
  status(): SyncStatus;
  /** Called at most 4 times a second with the status; returns an unsubscribe. */
  subscribe(listener: (status: SyncStatus) => void): () => void;
  /** The lowest local offset of an outbox partition that retention must keep (undefined: not an outbox). */
  retentionFloor(topic: string, partition: number): Promise<number | undefined>;
  /** The local name of a download's replica. */
  replicaName(spec: DownloadSpec): string;
}

/** Default local name of an edge topic's replica. */
export function replicaNameOf(spec: DownloadSpec): string {
  return spec.local ?? `edge.${spec.edge}`;
}

export function createSyncEngine(options: SyncEngineOptions): SyncEngine {
  const { broker, storage } = options;
  const now = options.now ?? Date.now;
  const warn = options.warn ?? ((m: string) => console.warn(m));
  const pollWaitMs = options.pollWaitMs ?? 5_000;
  const maxBackoffMs = options.maxBackoffMs ?? 10_000;
  const uploadSpecs: readonly UploadSpec[] = options.sync.upload ?? [];
  const downloadSpecs: readonly DownloadSpec[] = options.sync.download ?? [];
  const edge = createEdge(options.edge);
  const hub = createStatusHub(now);
  if (options.onStatus) hub.subscribe(options.onStatus);
  const uploaders = new Map<string, Uploader>();
  const downloaders = new Map<string, Downloader>();
  // every loop gets its own signal, aborted by stop(): no listener piles up on one shared signal
  let loopControllers: AbortController[] = [];
  const loopSignal = () => {
    const c = new AbortController();
    loopControllers.push(c);
    return c.signal;
  };
  const nudge = createNudge();
  const loopContext = (): LoopContext => ({ broker, edge, hub, signal: loopSignal(), nudge, now, pollWaitMs, maxBackoffMs, warn });
  let controller: AbortController | undefined;
  let loops: Promise<unknown>[] = [];
  let starting: Promise<void> | undefined;
  let deviceId: string | null = null;
  /** Uploads and downloads whose loops are set up (edge topic checked, partitions known). */
  let ready = 0;

  /** Waits until `done()` holds, re-checking on every status change; rejects on abort. */
  function until(done: () => boolean, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let stop = () => {};
      const check = () => {
        try {
          if (!done()) return;
        } catch (error) {
          stop();
          reject(error);
          return;
        }
        stop();
        resolve();
      };
      const onAbort = () => {
        stop();
        reject(signal?.reason ?? new DOMException("This operation was aborted", "AbortError"));
      };
      const unwatch = hub.watch(check);
      stop = () => {
        unwatch();
        signal?.removeEventListener("abort", onAbort);
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener("abort", onAbort, { once: true });
      check();
    });
  }

  /**
   * Runs one uploader per outbox partition. They show the outbox at once (offline too) and start
   * sending once the edge topic was checked against the outbox (same partition count).
   */
  async function runUpload(spec: UploadSpec, signal: AbortSignal, device: string): Promise<void> {
    const edgeTopic = spec.edge ?? spec.local;
    let checked = (_ok: boolean) => {};
    const edgeChecked = new Promise<boolean>((resolve) => {
      checked = resolve;
    });
    const runs: Promise<void>[] = [];
    const startUploaders = (partitions: number) => {
      for (let partition = runs.length; partition < partitions; partition++) {
        const uploader = createUploader({
          ...loopContext(),
          storage,
          store: createUploadStore(storage, uploadKey(spec.local, partition)),
          local: spec.local,
          edgeTopic,
          partition,
          transactionalId: transactionalIdOf(device, edgeTopic, partition),
          edgeChecked,
        });
        uploaders.set(`${spec.local}/${partition}`, uploader);
        runs.push(uploader.run());
      }
    };
    // the outbox may be created after the engine starts: show it as soon as it exists
    void (async () => {
      while (!signal.aborted && runs.length === 0) {
        const existing = await broker.topic(spec.local).catch(() => null);
        if (existing) startUploaders(existing.partitions.length);
        else await pause(1000, signal, nudge);
      }
    })();
    for (let attempt = 0; !signal.aborted; attempt++) {
      try {
        const remote = await edge.describeTopic(edgeTopic, signal);
        hub.contact();
        const local = await broker.topic(spec.local).catch(async (error) => {
          if (!isRillError(error, "UNKNOWN_TOPIC_OR_PARTITION")) throw error;
          return broker.createTopic({ name: spec.local, partitions: remote.partitions.length, replicationFactor: 1 });
        });
        if (local.partitions.length !== remote.partitions.length) {
          throw new RillError(
            "INVALID_PARTITIONS",
            `outbox ${spec.local} has ${local.partitions.length} partitions, edge topic ${edgeTopic} has ${remote.partitions.length}: they must be equal`,
          );
        }
        startUploaders(local.partitions.length);
        break;
      } catch (error) {
        if (signal.aborted) break;
        hub.failure(error, { topic: spec.local });
        await pause(backoffMs(attempt, maxBackoffMs), signal, nudge);
      }
    }
    checked(!signal.aborted);
    if (!signal.aborted) {
      ready++;
      hub.changed();
    }
    await Promise.all(runs);
  }

  async function runDownload(spec: DownloadSpec, signal: AbortSignal): Promise<void> {
    const local = replicaNameOf(spec);
    let watch: ReplicaWatch | undefined;
    for (let attempt = 0; !signal.aborted && !watch; attempt++) {
      try {
        watch = await setUpDownload({ broker, storage, edge, hub, spec, local, signal, warn, now });
      } catch (error) {
        if (signal.aborted) return;
        hub.failure(error, { topic: local });
        await pause(backoffMs(attempt, maxBackoffMs), signal, nudge);
      }
    }
    if (!watch) return;
    const mine: Downloader[] = [];
    for (let partition = 0; partition < watch.partitions; partition++) {
      const downloader = createDownloader({
        ...loopContext(),
        edgeTopic: spec.edge,
        local,
        partition,
        topicChanged: () => watch.check(mine),
      });
      mine.push(downloader);
      downloaders.set(`${local}/${partition}`, downloader);
    }
    ready++;
    hub.changed();
    await Promise.all([...mine.map((d) => d.run()), watch.watch(mine)]);
  }

  async function startLoops(): Promise<void> {
    deviceId = await loadDeviceId(storage, options.deviceId);
    controller = new AbortController();
    const { signal } = controller;
    const device = deviceId;
    hub.setRunning(true, device);
    loops = [...uploadSpecs.map((spec) => runUpload(spec, signal, device)), ...downloadSpecs.map((spec) => runDownload(spec, signal))].map(
      (loop) => loop.catch((error) => hub.error(isRillError(error) ? error : new RillError("UNKNOWN_SERVER_ERROR", String(error)))),
    );
  }

  return {
    start() {
      starting ??= startLoops();
      return starting;
    },

    async stop() {
      if (!starting) return;
      await starting;
      controller?.abort();
      for (const c of loopControllers) c.abort();
      loopControllers = [];
      await Promise.all(loops);
      await Promise.all([...uploaders.values()].map((u) => u.flush().catch(() => undefined)));
      uploaders.clear();
      downloaders.clear();
      ready = 0;
      starting = undefined;
      hub.setRunning(false, deviceId);
      hub.close();
    },

    async syncNow(o = {}) {
      if (!starting) throw new RillError("INVALID_REQUEST", "the sync engine is not started");
      await starting;
      const asked = now();
      nudge.nudge();
      for (const d of downloaders.values()) d.poke();
      // every loop set up (the edge reached once), then the outbox records as of now on the edge
      await until(() => ready >= uploadSpecs.length + downloadSpecs.length, o.signal);
      const targets = await Promise.all(
        [...uploaders.entries()].map(async ([key, u]) => {
          const [topic, partition] = [key.slice(0, key.lastIndexOf("/")), Number(key.slice(key.lastIndexOf("/") + 1))];
          const meta = await broker.topic(topic);
          return { u, end: (await broker.partitionState({ topic: meta, partition })).highWatermark };
        }),
      );
      await until(() => {
        for (const { u } of targets) if (u.fenced()) throw new RillError("PRODUCER_FENCED", "uploads are fenced; see status().errors");
        const uploadedAll = targets.every(({ u, end }) => u.acked() >= end);
        const replicasCaughtUp = [...downloaders.values()].every((d) => {
          const seen = d.seen();
          return seen.highWatermark !== null && seen.requestedAt >= asked && d.replicaEnd() >= seen.highWatermark;
        });
        return uploadedAll && replicasCaughtUp;
      }, o.signal);
      // the records are on the edge: a cursor the full storage refuses waits in memory and is
      // written once there is room again, so a full disk does not fail the sync
      await Promise.all(
        targets.map(({ u }) =>
          u.flush().catch((error: unknown) => {
            if (!(isRillError(error, "KAFKA_STORAGE_ERROR") && error.details?.quotaExceeded === true)) throw error;
          }),
        ),
      );
      return hub.snapshot();
    },

    async uploaded(record, o = {}) {
      const key = `${record.topicName}/${record.partition}`;
      if (!uploadSpecs.some((s) => s.local === record.topicName)) {
        throw new RillError("INVALID_REQUEST", `${record.topicName} is not an outbox topic of this sync engine`);
      }
      if (!Number.isSafeInteger(record.offset) || record.offset < 0) {
        throw new RillError("INVALID_REQUEST", `offset ${record.offset} is not a local offset`);
      }
      await until(() => uploaders.has(key), o.signal);
      const uploader = uploaders.get(key) as Uploader;
      await uploader.waitUploaded(record.offset, o.signal);
      return { edgeOffset: uploader.edgeOffsetOf(record.offset) };
    },

    status: () => hub.snapshot(),
    subscribe: (listener) => hub.subscribe(listener),

    async retentionFloor(topic, partition) {
      if (!uploadSpecs.some((s) => s.local === topic)) return undefined;
      const running = uploaders.get(`${topic}/${partition}`);
      if (running) return running.floor();
      const doc = await createUploadStore(storage, uploadKey(topic, partition)).load();
      return doc?.acked ?? 0;
    },

    replicaName: replicaNameOf,
  };
}
