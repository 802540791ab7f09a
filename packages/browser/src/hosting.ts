// This worker's time as the host: opening the database under the host lock, serving it, and
// stopping at once when the lock is stolen, the connection is closed under it, or the page closes.
//
// A host whose timers stopped for a while (a frozen tab) may have been replaced without having
// processed the news yet; before it serves anything after such a pause it asks the lock manager
// whether it still holds the lock. What slips past that check is caught by the storage's end-offset
// guard (see local-host.ts).

import { RillError, type Storage } from "@rill/core";
import { errorAnswer } from "./answers.ts";
import type { Election } from "./election.ts";
import { type LocalHost, openLocalHost } from "./local-host.ts";
import type { ErrorLog, HostReport, HostState } from "./status.ts";
import { storageError } from "./storage-guard.ts";
import type { WireResponse } from "./wire.ts";

export interface HostingOptions {
  openStorage(onClosed: (error: RillError) => void): Promise<Storage>;
  maintenanceIntervalMs?: number;
  heartbeatMs: number;
  errors: ErrorLog;
  /** undefined without Web Locks (then hosting is decided once, at start). */
  election: Election | undefined;
  onChange(state: HostState): void;
  /** Something the status shows changed (requests in flight, storage state, errors). */
  onReport(): void;
}

export interface Hosting {
  readonly state: HostState;
  /** Whether this worker answers for the database (hosting, or holding the lock with storage failed). */
  readonly serving: boolean;
  readonly local: LocalHost | undefined;
  start(): Promise<void>;
  stop(reason: "replaced" | "closed"): Promise<void>;
  /** The broker to serve a request with, once sure this worker still hosts; undefined if it does not. */
  serve(): Promise<LocalHost | undefined>;
  /** Whether this worker still holds the host lock (asks the lock manager after a pause, or when forced). */
  confirm(force?: boolean): Promise<boolean>;
  /** The answer for requests while this worker cannot serve them (storage failed, refused, closed). */
  refusal(): WireResponse | undefined;
  /** This worker must never host (no Web Locks and another host): requests get `error`. */
  refuse(error: RillError): void;
  /** Called on every heartbeat; true if the gap since the last one says the timers were stopped. */
  tick(): boolean;
  /** Whether no heartbeat ran for two intervals (frozen or suspended): say nothing as host until confirmed. */
  stale(): boolean;
  report(hostId: string): HostReport;
}

const REOPEN_MS = 5000;

export function createHosting(options: HostingOptions): Hosting {
  const { election, errors } = options;
  let state: HostState = "starting";
  let local: LocalHost | undefined;
  let since = 0;
  let failure: RillError | undefined;
  let storageFull = false;
  let lastTickAt = performance.now();
  let reopen: ReturnType<typeof setTimeout> | undefined;
  let generation = 0;
  let refused = false;

  const holds = () => !election || election.holding;

  function set(next: HostState): void {
    state = next;
    options.onChange(next);
  }

  async function start(): Promise<void> {
    const mine = ++generation;
    clearTimeout(reopen);
    failure = undefined;
    since = Date.now();
    set("starting");
    try {
      const opened = await openLocalHost({
        openStorage: () => options.openStorage((error) => void closedUnder(error)),
        maintenanceIntervalMs: options.maintenanceIntervalMs,
        onStorageError(error) {
          errors.add(error);
          if (error.details?.quotaExceeded) storageFull = true;
          options.onReport();
        },
        onStorageWrite() {
          if (!storageFull) return;
          storageFull = false;
          options.onReport();
        },
        onRebuilt(error) {
          errors.add(error);
          options.onReport();
        },
        onInFlight: () => options.onReport(),
      });
      if (mine !== generation || !holds()) {
        await opened.close();
        return;
      }
      local = opened;
      lastTickAt = performance.now();
      set("hosting");
    } catch (error) {
      if (mine !== generation) return;
      failure = storageError(error);
      errors.add(failure);
      set("failed");
      // an upgrade blocked by an old tab, or a transient failure: try again while holding the lock
      reopen = setTimeout(() => {
        if (mine === generation && state === "failed" && holds()) void start();
      }, REOPEN_MS);
    }
  }

  async function stop(reason: "replaced" | "closed"): Promise<void> {
    generation++;
    clearTimeout(reopen);
    const stopping = local;
    local = undefined;
    failure = undefined;
    if (reason === "closed") election?.release();
    set(reason === "closed" ? "closed" : "following");
    if (stopping) await stopping.close().catch(() => undefined);
  }

  async function closedUnder(error: RillError): Promise<void> {
    errors.add(error);
    await stop("closed");
    failure = error;
  }

  const stale = () => performance.now() - lastTickAt > options.heartbeatMs * 2;

  async function confirm(force = false): Promise<boolean> {
    if (!election) return state === "hosting";
    if (!force && !stale()) return election.holding;
    const held = await election.verify();
    if (!held && local) {
      errors.add(new RillError("NOT_LEADER_OR_FOLLOWER", "this worker was replaced as host while it was paused; it stopped writing"));
      await stop("replaced");
    }
    return held;
  }

  return {
    get state() {
      return state;
    },
    get serving() {
      return !refused && (state === "hosting" || state === "failed") && holds();
    },
    get local() {
      return local;
    },
    start,
    stop,
    async serve() {
      if (state !== "hosting" || !local) return undefined;
      return (await confirm()) && state === "hosting" ? local : undefined;
    },
    confirm,
    refusal: () => (failure && (state === "failed" || state === "closed") ? errorAnswer(failure) : undefined),
    refuse(error) {
      refused = true;
      failure = error;
      set("failed");
    },
    tick() {
      const paused = stale();
      lastTickAt = performance.now();
      return paused;
    },
    stale,
    report: (hostId) => ({ hostId, state, since, inFlight: local?.server.inFlight ?? 0, storageFull, errors: errors.list() }),
  };
}
