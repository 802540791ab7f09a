// One worker's part in serving a database: it either hosts it (holds the host lock, runs the broker
// on IndexedDB) or relays its pages' requests to the worker that does. Every worker runs this, the
// SharedWorker of shared mode and each tab's worker of dedicated mode alike, so a second SharedWorker
// left by an older deploy simply follows the first. The host beats on the peer channel every
// heartbeatMs; followers that stop hearing it take over (takeover.ts).

import { RillError, type Storage } from "@rill/core";
import { transfer } from "comlink";
import { errorAnswerOf } from "./answers.ts";
import { createChanges, randomId, throttled } from "./changes.ts";
import { createElection, type Election } from "./election.ts";
import { serveCallers } from "./host-callers.ts";
import { createHosting, type Hosting } from "./hosting.ts";
import { createLockWatches } from "./lock-watch.ts";
import { createPeerChannel } from "./peer-channel.ts";
import { createRelay } from "./relay.ts";
import { createErrorLog, type HostMode, type HostReport, type HostStatus, type StatusError } from "./status.ts";
import { createTakeover } from "./takeover.ts";
import { transferables, type WireRequest, type WireResponse, type WireServer } from "./wire.ts";

export interface HostTiming {
  /** How often the host says it is alive (default 2000 ms). */
  heartbeatMs: number;
  /** Silent beats before a follower may take over (default 3). */
  missedBeats: number;
  /** At most one takeover per this many ms across all workers (default 30 000). */
  stealIntervalMs: number;
  /** How long a request waits for some worker to host before failing retriably (default 10 000). */
  hostWaitMs: number;
  /** Without Web Locks: how long to listen for another host before hosting (default 1000). */
  probeMs: number;
}

export const defaultTiming: HostTiming = { heartbeatMs: 2000, missedBeats: 3, stealIntervalMs: 30_000, hostWaitMs: 10_000, probeMs: 1000 };

export interface HostNodeOptions {
  name: string;
  mode: HostMode;
  /** navigator.locks, or undefined where the browser has no Web Locks. */
  locks: LockManager | undefined;
  /** Opens the database; `onClosed` is called if the connection is closed under the host. */
  openStorage(onClosed: (error: RillError) => void): Promise<Storage>;
  timing?: Partial<HostTiming>;
  maintenanceIntervalMs?: number;
}

/** What a worker tells its pages (the page adds the storage estimate). */
export interface NodeStatus {
  host: HostStatus;
  storageFull: boolean;
  errors: StatusError[];
}

export interface PageLink {
  pageId: string;
  visible: boolean;
  onStatus(status: NodeStatus): void;
}

export interface HostNode {
  readonly id: string;
  /** null once this worker may serve; an error where it must not (no Web Locks and another host). */
  readonly ready: Promise<RillError | null>;
  /** Serves the pages of this worker: locally when hosting, else relayed to the host. */
  readonly server: WireServer;
  attach(page: PageLink, tabLock: string | null): void;
  detach(pageId: string): void;
  setVisible(pageId: string, visible: boolean): void;
  status(): NodeStatus;
  close(): Promise<void>;
}

interface BeatReport extends HostReport {
  lastStealAt: number;
}

export function createHostNode(options: HostNodeOptions): HostNode {
  const timing = { ...defaultTiming, ...options.timing };
  const { name, locks } = options;
  const id = randomId();
  const channel = createPeerChannel(`rill:${name}`, id);
  const relay = createRelay(channel);
  const errors = createErrorLog();
  const changes = createChanges();
  const pages = new Map<string, PageLink>();
  const watches = createLockWatches(locks);
  const abortedEarly = new Set<string>();
  let hostReport: BeatReport | undefined;
  let closed = false;

  const election: Election | undefined = locks
    ? createElection({
        locks,
        lockName: `rill:${name}:host`,
        onGranted: () => void hosting.start(),
        onStolen: () => void hosting.stop("replaced"),
      })
    : undefined;

  const hosting: Hosting = createHosting({
    openStorage: options.openStorage,
    maintenanceIntervalMs: options.maintenanceIntervalMs,
    heartbeatMs: timing.heartbeatMs,
    errors,
    election,
    onChange(state) {
      if (hosting.serving) {
        // this worker serves now: requests relayed to a former host are answered retriably
        hostReport = undefined;
        relay.hostChanged(id);
        beat();
      }
      if (state === "following" && election && !closed) election.campaign();
      changes.notify();
      publish.schedule();
    },
    onReport: () => publish.schedule(),
  });

  const takeover = election
    ? createTakeover({
        election,
        ...timing,
        eligible: () => !closed && hosting.state !== "closed" && [...pages.values()].some((p) => p.visible),
        onSteal: () =>
          errors.add(new RillError("NOT_LEADER_OR_FOLLOWER", "the hosting tab stopped answering (frozen or hung); this tab took over")),
      })
    : undefined;

  const report = (): BeatReport => ({ ...hosting.report(id), lastStealAt: takeover?.lastStealAt ?? 0 });
  const publish = throttled(250, () => {
    const status = nodeStatus();
    for (const page of pages.values()) Promise.resolve(page.onStatus(status)).catch(() => undefined);
    if (hosting.serving) beat();
  });

  function beat(): void {
    // after a pause this worker may have been replaced: it says nothing as host until it has checked
    if (!closed && !hosting.stale()) channel.broadcast({ kind: "beat", from: id, report: report() });
  }

  channel.onBroadcast((message) => {
    if (message.kind === "who") {
      if (hosting.serving) beat();
      return;
    }
    const beatReport = message.report as BeatReport;
    takeover?.heard(beatReport.lastStealAt);
    if (hosting.serving) {
      // another worker says it hosts: if it holds the lock now, this one was replaced unawares
      void hosting.confirm(true);
      return;
    }
    const previous = hostReport?.hostId;
    hostReport = beatReport;
    if (previous !== beatReport.hostId) {
      relay.hostChanged(beatReport.hostId);
      changes.notify();
    }
    publish.schedule();
  });

  serveCallers(name, channel, hosting, watches);

  const ticker = setInterval(() => {
    const resumed = hosting.tick();
    if (!hosting.serving) takeover?.check();
    else if (!resumed) beat();
    else void hosting.confirm(true).then((held) => held && beat());
  }, timing.heartbeatMs);

  /** Where a page's request goes: this worker's broker, another worker, or an error answer. */
  async function route(): Promise<{ local: Hosting["local"] } | { hostId: string } | { answer: WireResponse }> {
    const deadline = Date.now() + timing.hostWaitMs;
    for (;;) {
      if (hosting.state === "hosting") {
        const local = await hosting.serve();
        if (local) return { local };
        continue;
      }
      // a closed worker relays to whoever hosts after it; a failed or refused one answers its error
      const refusal = hosting.refusal();
      if (refusal && hosting.state !== "closed") return { answer: refusal };
      if (hostReport) return { hostId: hostReport.hostId };
      if (refusal) return { answer: refusal };
      const remaining = deadline - Date.now();
      if (remaining <= 0) return { answer: errorAnswerOf("LEADER_NOT_AVAILABLE", `no tab hosts the local broker "${name}" yet`) };
      await changes.wait(remaining);
    }
  }

  const server: WireServer = {
    async fetch(request: WireRequest) {
      const target = await route();
      if (abortedEarly.delete(request.id)) return errorAnswerOf("REQUEST_TIMED_OUT", "the request was aborted");
      const answer =
        "answer" in target
          ? target.answer
          : "hostId" in target
            ? await relay.fetch(request, target.hostId)
            : await (target.local as NonNullable<Hosting["local"]>).server.fetch(request);
      return transfer(answer, transferables(answer));
    },
    abort(requestId) {
      if (relay.has(requestId)) return relay.abort(requestId);
      if (hosting.local?.server.has(requestId)) return hosting.local.server.abort(requestId);
      // an abort that overtook its request (still waiting for a host) is remembered for it
      abortedEarly.add(requestId);
      if (abortedEarly.size > 1000) abortedEarly.delete(abortedEarly.values().next().value as string);
    },
    read: (requestId) => (relay.has(requestId) ? relay.read(requestId) : (hosting.local?.server.read(requestId) ?? Promise.resolve(null))),
  };

  function nodeStatus(): NodeStatus {
    const mine = hosting.serving;
    const source: HostReport | undefined = mine ? report() : hostReport;
    const host: HostStatus = {
      mode: options.mode,
      isHost: mine,
      state: mine || hosting.state === "failed" || hosting.state === "closed" ? hosting.state : hostReport ? "following" : "starting",
      hostId: source?.hostId ?? null,
      since: source?.since ?? null,
      inFlight: source?.inFlight ?? 0,
    };
    const seen = mine ? [] : (hostReport?.errors ?? []);
    return { host, storageFull: source?.storageFull ?? false, errors: [...seen, ...errors.list()].sort((a, b) => a.lastAt - b.lastAt) };
  }

  // this worker's own lock, which the host watches to abort our requests when we die
  locks?.request(`rill:${name}:node:${id}`, () => new Promise<void>(() => undefined)).catch(() => undefined);

  const ready: Promise<RillError | null> = (async () => {
    channel.broadcast({ kind: "who", from: id });
    if (election) {
      election.campaign();
      return null;
    }
    // no Web Locks: nothing can elect one host safely, so host only if nobody answers, else refuse
    const deadline = Date.now() + timing.probeMs;
    while (!hostReport && Date.now() < deadline) await changes.wait(deadline - Date.now());
    if (hostReport) {
      const refusal = new RillError(
        "KAFKA_STORAGE_ERROR",
        `another tab already hosts the local broker "${name}", and this browser has no Web Locks API to share it safely: close the other tab, or use a browser with Web Locks`,
        { noWebLocks: true },
      );
      errors.add(refusal);
      hosting.refuse(refusal);
      return refusal;
    }
    void hosting.start();
    return null;
  })();

  return {
    id,
    ready,
    server,
    attach(page, tabLock) {
      pages.set(page.pageId, page);
      if (tabLock) watches.watch(tabLock, () => this.detach(page.pageId));
      publish.schedule();
    },
    detach(pageId) {
      if (!pages.delete(pageId)) return;
      hosting.local?.server.abortWhere(`${pageId}:`);
      relay.abortWhere(`${pageId}:`);
    },
    setVisible(pageId, visible) {
      const page = pages.get(pageId);
      if (page) page.visible = visible;
    },
    status: nodeStatus,
    async close() {
      closed = true;
      clearInterval(ticker);
      publish.cancel();
      watches.close();
      await hosting.stop("closed");
      election?.release();
      channel.close();
    },
  };
}
