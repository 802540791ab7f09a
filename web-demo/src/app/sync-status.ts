// The sync half of the broker's status (@rill/sync's SyncStatus, under `status().sync`), and the
// questions the app asks of it. Null when the broker runs without edge and sync settings, or before
// the hosting worker first reports.

import type { BrowserBrokerStatus } from "@rill/browser";

export type AppStatus = BrowserBrokerStatus;
export type SyncState = NonNullable<BrowserBrokerStatus["sync"]>;

export const syncOf = (status: AppStatus): SyncState | null => status.sync ?? null;

/** The local offset below which a partition's records are on the edge (0 when not reported). */
export function uploadedBelow(status: AppStatus, topic: string, partition: number): number {
  const entry = status.sync?.upload.partitions.find((p) => p.topic === topic && p.partition === partition);
  return entry?.acked ?? 0;
}
