// The page's view of the status: the worker's report plus the storage estimate, which is the same
// for the whole origin and so is read where it is shown. Listeners hear of changes at most 4 times a second.

import { throttled } from "./changes.ts";
import type { NodeStatus } from "./host-node.ts";
import type { BrowserBrokerStatus, StorageStatus } from "./status.ts";

export type StatusListener = (status: BrowserBrokerStatus) => void;

async function estimate(full: boolean): Promise<StorageStatus> {
  const manager = globalThis.navigator?.storage;
  const [estimated, persisted] = await Promise.all([
    manager?.estimate?.().catch(() => undefined),
    manager?.persisted?.().catch(() => undefined),
  ]);
  const usage = estimated?.usage ?? null;
  const quota = estimated?.quota ?? null;
  const low = usage !== null && quota !== null && quota > 0 && usage / quota > 0.9;
  return { usage, quota, persisted: persisted ?? null, state: full ? "full" : low ? "low" : "ok" };
}

export function createPageStatus(initial: NodeStatus) {
  let node = initial;
  let storage: StorageStatus = { usage: null, quota: null, persisted: null, state: initial.storageFull ? "full" : "ok" };
  const listeners = new Set<StatusListener>();
  const current = (): BrowserBrokerStatus => ({
    host: { ...node.host },
    storage: { ...storage },
    errors: node.errors.map((e) => ({ ...e })),
  });
  const notify = throttled(250, () => {
    const status = current();
    for (const listener of listeners) listener(status);
  });
  let reading: Promise<void> | undefined;
  async function refresh(): Promise<void> {
    reading ??= estimate(node.storageFull).then((next) => {
      storage = next;
      reading = undefined;
      notify.schedule();
    });
    return reading;
  }

  return {
    current,
    refresh,
    /** A new report from the worker. */
    update(next: NodeStatus): void {
      node = next;
      void refresh();
      notify.schedule();
    },
    subscribe(listener: StatusListener): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close(): void {
      notify.cancel();
      listeners.clear();
    },
  };
}
