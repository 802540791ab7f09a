// Opening the database and following the connection's life. Several tabs (and versions of the
// app) share one database, so two things must never hang or fail untyped:
// - an upgrade waits until every older connection closes; a frozen or old tab that never closes
//   would block it forever, so after a deadline the open fails with STORAGE_UPGRADE_BLOCKED;
// - when another tab asks for a newer schema this connection closes at once (else that tab would
//   be the one blocked), and every later call fails with STORAGE_CLOSED instead of the
//   InvalidStateError IndexedDB throws on a closed connection.

import { RillError } from "@rill/core";
import { wrap } from "idb";
import { type Db, SCHEMA_VERSION, upgradeSchema } from "./schema.ts";

/** Why a connection closed: another tab's upgrade, the browser (storage cleared, I/O failure), or close(). */
export type CloseReason = "versionchange" | "forced" | "closed";

/** What `onClose` hears: a close that the storage's owner did not ask for. */
export interface IndexedDbCloseEvent {
  reason: Exclude<CloseReason, "closed">;
}

export interface OpenOptions {
  /** How long an upgrade may wait for older connections to close before the open fails (default 5000 ms). */
  upgradeBlockedTimeoutMs?: number;
  /** Called once when the connection closes without close() being called. */
  onClose?: (event: IndexedDbCloseEvent) => void;
  /** The schema version to ask for; tests of upgrades ask for a newer one. Default SCHEMA_VERSION. */
  version?: number;
}

export const DEFAULT_UPGRADE_BLOCKED_TIMEOUT_MS = 5000;

const closeReasons = new WeakMap<Db, CloseReason>();

/** The reason `db` closed, or undefined while it is open. */
export function closeReasonOf(db: Db): CloseReason | undefined {
  return closeReasons.get(db);
}

/** Closes `db` at its owner's request; transactions already running finish first. */
export function closeConnection(db: Db): void {
  if (!closeReasons.has(db)) closeReasons.set(db, "closed");
  db.close();
}

/** The error every call on a closed connection gets. */
export function storageClosedError(reason: CloseReason): RillError {
  const why = {
    versionchange: "another tab opened a newer version of the database",
    forced: "the browser closed the database",
    closed: "the storage was closed",
  }[reason];
  return new RillError("STORAGE_CLOSED", `IndexedDB storage is closed: ${why}`, {
    reason,
    ...(reason === "versionchange" ? { versionChange: true } : {}),
  });
}

function watch(db: Db, onClose: OpenOptions["onClose"]): void {
  const closedBy = (reason: Exclude<CloseReason, "closed">) => {
    if (closeReasons.has(db)) return;
    closeReasons.set(db, reason);
    onClose?.({ reason });
  };
  db.addEventListener("versionchange", () => {
    closedBy("versionchange");
    db.close();
  });
  // fired only when the browser closes the connection itself, never after close()
  db.addEventListener("close", () => closedBy("forced"));
}

/**
 * Opens (creating or upgrading) the database through the given factory. idb's `openDB` always uses
 * the global `indexedDB`, so the request is made here and only the connection is wrapped by idb.
 */
export function openRillDb(factory: IDBFactory, dbName: string, options: OpenOptions = {}): Promise<Db> {
  const version = options.version ?? SCHEMA_VERSION;
  const timeoutMs = options.upgradeBlockedTimeoutMs ?? DEFAULT_UPGRADE_BLOCKED_TIMEOUT_MS;
  return new Promise<Db>((resolve, reject) => {
    let gaveUp = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const request = factory.open(dbName, version);
    request.addEventListener("upgradeneeded", (event) => upgradeSchema(request.result, event.oldVersion));
    request.addEventListener("blocked", () => {
      timer ??= setTimeout(() => {
        gaveUp = true;
        reject(
          new RillError(
            "STORAGE_UPGRADE_BLOCKED",
            `opening IndexedDB "${dbName}" at version ${version} waited ${timeoutMs} ms for older connections (another tab) to close`,
            { upgradeBlocked: true },
          ),
        );
      }, timeoutMs);
    });
    request.addEventListener("success", () => {
      clearTimeout(timer);
      // the open cannot be cancelled: a connection that arrives after the caller gave up is closed
      if (gaveUp) return request.result.close();
      const db = wrap(request.result) as unknown as Db;
      watch(db, options.onClose);
      resolve(db);
    });
    request.addEventListener("error", (event) => {
      clearTimeout(timer);
      event.preventDefault();
      if (gaveUp) return;
      const error = request.error;
      // the database is newer than this code: like a versionchange, only a reload can help
      if (error?.name === "VersionError") {
        const closed = storageClosedError("versionchange");
        reject(new RillError("STORAGE_CLOSED", `${closed.message} (${error.message})`, { ...closed.details, newerSchema: true }));
      } else reject(new RillError("KAFKA_STORAGE_ERROR", `opening IndexedDB "${dbName}" failed: ${error?.name} ${error?.message}`));
    });
  });
}
