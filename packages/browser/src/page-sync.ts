// The page's end of sync: sends the configuration to whichever worker hosts, follows the host's
// sync status with a held request (answered as soon as the status changes, at most 4 times a
// second), and asks for syncNow / uploaded. All of it over the page's fetch to the local broker.

import { type Auth, errorFromBody, isRetriable } from "@rill/client";
import type { SyncStatus } from "@rill/sync";
import type { BrowserFetch } from "./page-fetch.ts";
import { SYNC_ROUTES, type SyncConfig, type VersionedStatus } from "./sync-wire.ts";

const STATUS_WAIT_MS = 25_000;

export interface PageSync {
  status(): SyncStatus | null;
  subscribe(listener: (status: SyncStatus) => void): () => void;
  syncNow(options?: { signal?: AbortSignal }): Promise<SyncStatus>;
  uploaded(
    record: { topicName: string; partition: number; offset: number },
    options?: { signal?: AbortSignal },
  ): Promise<{ edgeOffset: number }>;
  close(): void;
}

export interface PageSyncOptions {
  edge: SyncConfig["edge"] & { getAuth?: () => Promise<Auth | undefined> | Auth | undefined };
  sync: SyncConfig["sync"];
}

async function answer<T>(response: Response, path: string): Promise<T> {
  const text = await response.text();
  if (!response.ok) throw errorFromBody(response.status, text, path);
  return JSON.parse(text) as T;
}

/**
 * Runs one control request (config, syncNow, uploaded: each safe to repeat), trying again while it
 * fails retriably: the hosting worker may change under it (a host tab closing answers its relayed
 * requests with a retriable error), and the next host answers the same request.
 */
async function retrying<T>(send: () => Promise<T>, signal?: AbortSignal): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await send();
    } catch (error) {
      if (signal?.aborted || !isRetriable(error) || attempt >= CONTROL_ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.min(2_000, 50 * 2 ** attempt) * (0.8 + Math.random() * 0.4)));
    }
  }
}

/** Tries of a control request before its retriable error reaches the caller (about half a minute). */
const CONTROL_ATTEMPTS = 20;

export async function connectPageSync(fetch: BrowserFetch, options: PageSyncOptions): Promise<PageSync> {
  const { getAuth, ...edge } = options.edge;
  const auth = getAuth ? await getAuth() : edge.auth;
  const config: SyncConfig = { edge: { ...edge, ...(auth ? { auth } : {}) }, sync: options.sync };
  let current = await retrying(async () => {
    const put = await fetch(SYNC_ROUTES.config, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(config),
    });
    return answer<VersionedStatus>(put, SYNC_ROUTES.config);
  });
  const listeners = new Set<(status: SyncStatus) => void>();
  const stop = new AbortController();

  async function follow(): Promise<void> {
    while (!stop.signal.aborted) {
      try {
        const url = `${SYNC_ROUTES.status}?after=${current.version}&waitMs=${STATUS_WAIT_MS}`;
        const next = await answer<VersionedStatus>(await fetch(url, { signal: stop.signal }), SYNC_ROUTES.status);
        // a new host starts its versions again: anything different is news
        if (next.version !== current.version) {
          current = next;
          if (next.status) for (const listener of listeners) listener(next.status);
        }
      } catch {
        if (stop.signal.aborted) return;
        await new Promise((r) => setTimeout(r, 1_000));
      }
    }
  }
  void follow();

  return {
    status: () => current.status,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async syncNow(o = {}) {
      const status = await retrying(
        async () => answer<SyncStatus>(await fetch(SYNC_ROUTES.now, { method: "POST", signal: o.signal }), SYNC_ROUTES.now),
        o.signal,
      );
      current = { version: current.version, status };
      return status;
    },
    async uploaded(record, o = {}) {
      const body = JSON.stringify({ topicName: record.topicName, partition: record.partition, offset: record.offset });
      return retrying(async () => {
        const response = await fetch(SYNC_ROUTES.uploaded, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body,
          signal: o.signal,
        });
        return answer<{ edgeOffset: number }>(response, SYNC_ROUTES.uploaded);
      }, o.signal);
    },
    close() {
      stop.abort();
      listeners.clear();
    },
  };
}
