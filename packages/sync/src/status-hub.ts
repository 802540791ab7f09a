// What the engine knows about itself, gathered for a UI: connectivity from the outcome of edge
// calls, errors deduplicated with counts, counters, and the per-partition views the uploaders and
// downloaders publish. Listeners hear at most 4 times a second (trailing call: the last change is
// always delivered).

import { isRillError, type RillError } from "@rill/core";
import type {
  Connectivity,
  DownloadPartitionStatus,
  ReplicaGap,
  SyncCounters,
  SyncErrorEntry,
  SyncStatus,
  UploadPartitionStatus,
  UploadState,
} from "./types.ts";

const PUSH_INTERVAL_MS = 250;
const MAX_ERRORS = 20;
const MAX_GAPS = 20;

export interface UploadView extends UploadPartitionStatus {
  outboxBytes: number;
  oldestUnsyncedAt: number | null;
  lastAckAt: number | null;
}

export interface StatusHub {
  counters: SyncCounters;
  /** An edge call got an answer (even an error answer): the edge is reachable. */
  contact(): void;
  /** An edge call failed: no answer (offline) or an unavailable answer (degraded). */
  failure(error: unknown, where?: { topic?: string; partition?: number }): void;
  /** A problem worth showing that is not about reaching the edge. */
  error(error: RillError, where?: { topic?: string; partition?: number }): void;
  gap(gap: ReplicaGap): void;
  setUpload(key: string, view: UploadView): void;
  setDownload(key: string, view: DownloadPartitionStatus): void;
  setRunning(running: boolean, deviceId: string | null): void;
  snapshot(): SyncStatus;
  /** Something changed: listeners will hear of it (throttled). */
  changed(): void;
  subscribe(listener: (status: SyncStatus) => void): () => void;
  /** Called on every change, unthrottled and without a snapshot (the engine's own waits). */
  watch(fn: () => void): () => void;
  close(): void;
}

export function emptyCounters(): SyncCounters {
  return {
    batchesSent: 0,
    batchesAcked: 0,
    duplicatesAbsorbed: 0,
    duplicateSequences: 0,
    cloneChecks: 0,
    retries: 0,
    rewinds: 0,
    reinits: 0,
    batchesDownloaded: 0,
    replicaResets: 0,
  };
}

const uploadRank: Record<UploadState, number> = { idle: 0, sending: 1, backoff: 2, blocked: 3, fenced: 4 };

export function createStatusHub(now: () => number): StatusHub {
  const counters = emptyCounters();
  const uploads = new Map<string, UploadView>();
  const downloads = new Map<string, DownloadPartitionStatus>();
  const errors = new Map<string, SyncErrorEntry>();
  const gaps: ReplicaGap[] = [];
  const listeners = new Set<(status: SyncStatus) => void>();
  const watchers = new Set<() => void>();
  let connectivity: Connectivity = "offline";
  let lastContactAt: number | null = null;
  let lastSyncAt: number | null = null;
  let running = false;
  let deviceId: string | null = null;
  let lastPush = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;

  function record(error: unknown, where: { topic?: string; partition?: number } = {}): void {
    const code = isRillError(error) ? error.code : "UNKNOWN_SERVER_ERROR";
    const message = error instanceof Error ? error.message : String(error);
    const key = `${code}|${where.topic ?? ""}|${where.partition ?? ""}`;
    const at = now();
    const seen = errors.get(key);
    if (seen) {
      seen.count++;
      seen.lastAt = at;
      seen.message = message;
      errors.delete(key); // re-inserted last: the map's order is recency
      errors.set(key, seen);
    } else {
      errors.set(key, { code, message, ...where, count: 1, firstAt: at, lastAt: at, retriable: isRillError(error) && error.retriable });
      if (errors.size > MAX_ERRORS) errors.delete(errors.keys().next().value as string);
    }
  }

  function snapshot(): SyncStatus {
    const up = [...uploads.values()];
    const down = [...downloads.values()];
    const state = up.reduce<UploadState>((worst, p) => (uploadRank[p.state] > uploadRank[worst] ? p.state : worst), "idle");
    const oldest = up.map((p) => p.oldestUnsyncedAt).filter((t): t is number => t !== null);
    const acks = up.map((p) => p.lastAckAt).filter((t): t is number => t !== null);
    const outboxRecords = up.reduce((n, p) => n + Math.max(0, p.localEnd - p.acked), 0);
    const synced = running && outboxRecords === 0 && down.every((d) => d.lag === 0) && (up.length > 0 || down.length > 0);
    if (synced && connectivity === "online") lastSyncAt = now();
    const blocked = up.some((p) => p.state === "blocked");
    return {
      running,
      deviceId,
      connectivity: connectivity === "online" && blocked ? "degraded" : connectivity,
      lastContactAt,
      lastSyncAt,
      upload: {
        state,
        outboxRecords,
        outboxBytes: up.reduce((n, p) => n + p.outboxBytes, 0),
        oldestUnsyncedAt: oldest.length ? Math.min(...oldest) : null,
        lastAckAt: acks.length ? Math.max(...acks) : null,
        partitions: up.map(({ outboxBytes: _b, oldestUnsyncedAt: _o, lastAckAt: _l, ...p }) => p),
      },
      download: { partitions: down, gaps: [...gaps] },
      errors: [...errors.values()].reverse(),
      counters: { ...counters },
    };
  }

  function push(): void {
    timer = undefined;
    lastPush = Date.now();
    if (listeners.size === 0) return;
    const status = snapshot();
    for (const listener of listeners) {
      try {
        listener(status);
      } catch {
        // a listener's failure is its own
      }
    }
  }

  function changed(): void {
    for (const fn of watchers) fn();
    if (timer !== undefined || listeners.size === 0) return;
    const wait = Math.max(0, lastPush + PUSH_INTERVAL_MS - Date.now());
    timer = setTimeout(push, wait);
  }

  return {
    counters,
    contact() {
      lastContactAt = now();
      if (connectivity !== "online") {
        connectivity = "online";
        changed();
      }
    },
    failure(error, where) {
      record(error, where);
      if (isRillError(error)) {
        // errors rebuilt from an answer carry its HTTP status; no status means no answer came
        const status = error.details?.status;
        if (typeof status !== "number") connectivity = "offline";
        else {
          lastContactAt = now();
          connectivity = status >= 500 ? "degraded" : "online";
        }
      }
      changed();
    },
    error(error, where) {
      record(error, where);
      changed();
    },
    gap(gap) {
      gaps.push(gap);
      if (gaps.length > MAX_GAPS) gaps.shift();
      changed();
    },
    setUpload(key, view) {
      uploads.set(key, view);
      changed();
    },
    setDownload(key, view) {
      downloads.set(key, view);
      changed();
    },
    setRunning(value, id) {
      running = value;
      deviceId = id;
      changed();
    },
    snapshot,
    changed,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    watch(fn) {
      watchers.add(fn);
      return () => watchers.delete(fn);
    },
    close() {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      push();
    },
  };
}
