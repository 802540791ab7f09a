// What a page can show about its local broker: who hosts, the storage, and recent errors. Issue-sized
// for the local runtime; sync (upload/download/connectivity) adds its own fields beside these.

import type { RillError } from "@rill/core";
import type { SyncStatus } from "@rill/sync";

export type HostMode = "shared" | "dedicated";

/**
 * starting: looking for a host or opening storage; hosting: this page's worker serves the database;
 * following: another worker does and this one relays to it; failed: storage cannot be opened (see
 * errors); closed: the host gave the database up (versionchange, close()).
 */
export type HostState = "starting" | "hosting" | "following" | "failed" | "closed";

export interface HostStatus {
  mode: HostMode;
  /** Whether the worker this page talks to is the one that hosts the database. */
  isHost: boolean;
  state: HostState;
  /** The hosting worker's id and since when (ms since epoch) it hosts, once known. */
  hostId: string | null;
  since: number | null;
  /** Requests the host is serving now (held long-polls and live tails included). */
  inFlight: number;
}

export interface StorageStatus {
  /** From navigator.storage.estimate(); null where the browser has no StorageManager. */
  usage: number | null;
  quota: number | null;
  /** Whether the origin's storage is persistent (navigator.storage.persisted()). */
  persisted: boolean | null;
  /** full: the last write failed for quota, until a write succeeds again; low: over 90 % of quota used. */
  state: "ok" | "low" | "full";
}

/** One kind of error, deduplicated by code and message, with how often and when it happened. */
export interface StatusError {
  code: string;
  message: string;
  retriable: boolean;
  details: Record<string, unknown>;
  count: number;
  firstAt: number;
  lastAt: number;
}

export interface BrowserBrokerStatus {
  host: HostStatus;
  storage: StorageStatus;
  errors: StatusError[];
  /** The host's sync engine (@rill/sync), when createBrowserBroker was given edge and sync. */
  sync?: SyncStatus | null;
}

/** What the hosting worker tells every other worker (and they their pages) about itself. */
export interface HostReport {
  hostId: string;
  state: HostState;
  since: number;
  inFlight: number;
  storageFull: boolean;
  errors: StatusError[];
}

const MAX_ERRORS = 20;

/** A bounded, deduplicated list of recent errors, newest last. */
export function createErrorLog(now: () => number = Date.now) {
  let entries: StatusError[] = [];
  return {
    add(error: RillError): void {
      const at = now();
      const same = entries.find((e) => e.code === error.code && e.message === error.message);
      if (same) {
        same.count++;
        same.lastAt = at;
        entries = [...entries.filter((e) => e !== same), same];
        return;
      }
      const entry = {
        code: error.code,
        message: error.message,
        retriable: error.retriable,
        details: { ...error.details },
        count: 1,
        firstAt: at,
        lastAt: at,
      };
      entries = [...entries, entry].slice(-MAX_ERRORS);
    },
    list: (): StatusError[] => entries.map((e) => ({ ...e, details: { ...e.details } })),
  };
}

export type ErrorLog = ReturnType<typeof createErrorLog>;
