// The sync half of the broker's status, as the offline-sync design describes it. @rill/browser adds
// these fields when its edge sync runs; until then they are absent and the app shows the local log
// alone. Every field is optional here so the app reads whatever the running version reports.

import type { BrowserBroker, BrowserBrokerStatus } from "@rill/browser";

export type Connectivity = "online" | "offline" | "degraded";

export interface UploadPartition {
  topic: string;
  partition: number;
  localEnd: number;
  /** Local offsets below this are on the edge. */
  acked: number;
  inFlight: number;
}

export interface DownloadPartition {
  topic: string;
  partition: number;
  replicaEnd: number;
  /** Null until the edge was reached. */
  edgeHighWatermark: number | null;
  lag: number | null;
  lastFetchAt: number | null;
}

export interface SyncFields {
  connectivity: Connectivity;
  lastContactAt: number | null;
  lastSyncAt: number | null;
  upload: {
    state: "idle" | "sending" | "backoff" | "blocked" | "fenced";
    outboxRecords: number;
    outboxBytes: number;
    oldestUnsyncedAt: number | null;
    lastAckAt: number | null;
    partitions: UploadPartition[];
  };
  download: { partitions: DownloadPartition[] };
}

/** The status as the app reads it: the local broker's, plus sync fields when they are reported. */
export type AppStatus = BrowserBrokerStatus &
  Partial<SyncFields> & { storage: BrowserBrokerStatus["storage"] & { evictionRisk?: "none" | "best-effort" | "itp-7day" } };

/** The sync methods of BrowserBroker, optional so the app runs on a version without them. */
export interface SyncMethods {
  syncNow(options?: { signal?: AbortSignal }): Promise<unknown>;
  uploaded(metadata: { topicName: string; partition: number; offset: number }): Promise<{ edgeOffset: number }>;
}

export type StallBroker = BrowserBroker & Partial<SyncMethods>;

/**
 * The broker's status with the sync fields at the top level, where the design puts them; a version
 * that nests them under `sync` is read the same way.
 */
export function readStatus(broker: BrowserBroker): AppStatus {
  const status = broker.status() as AppStatus & { sync?: Partial<SyncFields> & { errors?: BrowserBrokerStatus["errors"] } };
  const nested = status.sync;
  if (!nested || typeof nested !== "object") return status;
  const { errors, ...fields } = nested;
  return { ...status, ...fields, errors: [...status.errors, ...(errors ?? [])] } as AppStatus;
}

/** Whether the running @rill/browser reports sync at all. */
export const syncReported = (status: AppStatus): boolean => status.connectivity !== undefined || status.upload !== undefined;

/** The local offset below which a partition's records are on the edge (0 when not reported). */
export function uploadedBelow(status: AppStatus, topic: string, partition: number): number {
  const entry = status.upload?.partitions.find((p) => p.topic === topic && p.partition === partition);
  return entry?.acked ?? 0;
}
