// The public shapes of @rill/sync: options and the status a UI shows.

import type { Auth, FetchLike } from "@rill/client";
import type { Storage } from "@rill/core";
import type { LocalBroker } from "@rill/server";

/** An outbox: a local topic whose records are moved to an edge topic exactly once. */
export interface UploadSpec {
  local: string;
  /** The edge topic (default: the local name). Both must have the same number of partitions. */
  edge?: string;
}

/** A read-only local replica of an edge topic, at the edge's offsets. */
export interface DownloadSpec {
  edge: string;
  /** The local replica's name (default `edge.<edge>`). */
  local?: string;
  /** Where a new replica starts (default "earliest"). */
  from?: "earliest" | "latest";
}

export interface EdgeConfig {
  /** Edge broker base URLs, tried in order (failover). */
  brokers: readonly string[];
  fetch?: FetchLike;
  auth?: Auth;
  /** Called before each request, for short-lived tokens; wins over `auth`. */
  getAuth?: () => Promise<Auth | undefined> | Auth | undefined;
  /** Deadline of one request, ms (default 15 000; long-polls add their wait). */
  requestTimeoutMs?: number;
}

export interface SyncEngineOptions {
  /** The in-process broker holding the outboxes and replicas. */
  broker: LocalBroker;
  /** The broker's storage: the engine keeps its device id, producer identities and cursors there. */
  storage: Storage;
  edge: EdgeConfig;
  sync: { upload?: readonly UploadSpec[]; download?: readonly DownloadSpec[] };
  /** A stable id for this device (default: a random one, made once and kept in storage). */
  deviceId?: string;
  now?: () => number;
  /** Called with the status, at most 4 times a second. */
  onStatus?: (status: SyncStatus) => void;
  /** Local long-poll and edge long-poll waits (ms); tests shorten them. */
  pollWaitMs?: number;
  /** Longest backoff between retries (ms, default 10 000). */
  maxBackoffMs?: number;
  /** Warnings (rewinds, re-inits, resets) go here (default console.warn). */
  warn?: (message: string) => void;
}

export type Connectivity = "online" | "offline" | "degraded";
export type UploadState = "idle" | "sending" | "backoff" | "blocked" | "fenced";

export interface UploadPartitionStatus {
  topic: string;
  edgeTopic: string;
  partition: number;
  /** Local log end offset. */
  localEnd: number;
  /** Next local offset to upload: everything below it is on the edge. */
  acked: number;
  inFlight: number;
  state: UploadState;
  /** Edge offset of the last record uploaded, -1 if none is known. */
  lastEdgeOffset: number;
  producerId: number | null;
  producerEpoch: number | null;
}

export interface DownloadPartitionStatus {
  topic: string;
  edgeTopic: string;
  partition: number;
  replicaEnd: number;
  edgeHighWatermark: number | null;
  /** edgeHighWatermark - replicaEnd, null until the edge was reached. */
  lag: number | null;
  lastFetchAt: number | null;
}

export interface ReplicaGap {
  topic: string;
  partition: number;
  /** The replica's end before the jump. */
  from: number;
  /** Where it continues (the edge's log start). */
  to: number;
  reason: "retention" | "recreated" | "edge-truncated";
  at: number;
}

export interface SyncErrorEntry {
  code: string;
  message: string;
  topic?: string;
  partition?: number;
  count: number;
  firstAt: number;
  lastAt: number;
  retriable: boolean;
}

/** Counters since the engine started: what the sync did, for tests and diagnostics. */
export interface SyncCounters {
  batchesSent: number;
  batchesAcked: number;
  /** Answers `duplicate: true`: a repeat the edge recognised, with its original offsets. */
  duplicatesAbsorbed: number;
  /** DUPLICATE_SEQUENCE_NUMBER answers: a repeat older than the edge's memory, taken as stored. */
  duplicateSequences: number;
  /** Duplicate answers whose content was compared with the edge's batch. */
  cloneChecks: number;
  retries: number;
  rewinds: number;
  reinits: number;
  batchesDownloaded: number;
  replicaResets: number;
}

export interface SyncStatus {
  running: boolean;
  deviceId: string | null;
  connectivity: Connectivity;
  lastContactAt: number | null;
  /** Last time the outboxes were empty and the replicas at the edge high watermark. */
  lastSyncAt: number | null;
  upload: {
    state: UploadState;
    outboxRecords: number;
    outboxBytes: number;
    oldestUnsyncedAt: number | null;
    lastAckAt: number | null;
    partitions: UploadPartitionStatus[];
  };
  download: { partitions: DownloadPartitionStatus[]; gaps: ReplicaGap[] };
  errors: SyncErrorEntry[];
  counters: SyncCounters;
}
