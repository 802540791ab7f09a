// This device's id: made once, kept in the engine's storage, so a reload or a new host keeps the
// producer identities that are derived from it.

import type { Storage } from "@rill/core";
import { SYNC_NAMESPACE } from "./upload-store.ts";

function randomId(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export async function loadDeviceId(storage: Storage, given?: string): Promise<string> {
  if (given) return given;
  for (;;) {
    const stored = await storage.getDocument<{ deviceId: string }>(SYNC_NAMESPACE, "device");
    if (stored) return stored.value.deviceId;
    // compare-and-set: of two hosts starting at once, one id wins and both use it
    await storage.putDocument(SYNC_NAMESPACE, "device", 0, { deviceId: randomId() });
  }
}

/** The document key of an outbox partition's upload state. */
export function uploadKey(local: string, partition: number): string {
  return `upload/${local}/${partition}`;
}

/** The transactional id of (device, edge topic, partition): one producer identity each. */
export function transactionalIdOf(deviceId: string, edgeTopic: string, partition: number): string {
  return `rill-browser/${deviceId}/${edgeTopic}/${partition}`;
}

/**
 * A retention floor for createLocalBroker from the persisted upload cursors alone, so retention
 * and compaction keep unsent records even before (or without) a running engine. Topics that are
 * not outboxes have no floor.
 */
export function createRetentionFloor(
  storage: Storage,
  outboxes: readonly string[],
): (topic: string, partition: number) => Promise<number | undefined> {
  const names = new Set(outboxes);
  return async (topic, partition) => {
    if (!names.has(topic)) return undefined;
    const doc = await storage.getDocument<{ acked: number }>(SYNC_NAMESPACE, uploadKey(topic, partition));
    return doc?.value.acked ?? 0;
  };
}
