// The local routes through which pages drive the host's sync engine. They ride on the page's
// existing fetch to the local broker, so they reach the host from every tab, relayed or not, with
// aborts, and need nothing new in the worker protocol. Only the browser host serves them.

import type { Auth } from "@rill/client";
import type { DownloadSpec, SyncStatus, UploadSpec } from "@rill/sync";

export const SYNC_ROUTES = {
  /** PUT {edge, sync}: stored in the database, so whichever worker hosts next syncs the same way. */
  config: "/v1/_sync/config",
  /** GET ?after=<version>&waitMs=: answers once the status is newer than `after` (or the wait ends). */
  status: "/v1/_sync/status",
  /** POST: answers the status once the outbox is empty and replicas reached the high watermark seen. */
  now: "/v1/_sync/now",
  /** POST {topicName, partition, offset}: answers {edgeOffset} once that record is on the edge. */
  uploaded: "/v1/_sync/uploaded",
} as const;

/** What a page asks the host to sync (functions cannot cross to the worker: auth is a value). */
export interface SyncConfig {
  edge: { brokers: string[]; auth?: Auth; requestTimeoutMs?: number };
  sync: { upload?: UploadSpec[]; download?: DownloadSpec[] };
}

export interface VersionedStatus {
  version: number;
  status: SyncStatus | null;
}
