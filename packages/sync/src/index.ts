// @rill/sync: offline sync between an in-process Rill broker and the edge. Outbox topics go up
// exactly once; edge topics come down into read-only local replicas at their edge offsets.
export { createRetentionFloor, transactionalIdOf } from "./device.ts";
export { createSyncEngine, replicaNameOf, type SyncEngine } from "./engine.ts";
export type {
  Connectivity,
  DownloadPartitionStatus,
  DownloadSpec,
  EdgeConfig,
  ReplicaGap,
  SyncCounters,
  SyncEngineOptions,
  SyncErrorEntry,
  SyncStatus,
  UploadPartitionStatus,
  UploadSpec,
  UploadState,
} from "./types.ts";
