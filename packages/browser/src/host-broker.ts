// The Broker the host's HTTP app talks to: the in-process broker, plus three things the browser
// needs around it.
// - An append refused by the storage's end-offset guard (CONCURRENT_APPEND) means another writer (a
//   replaced host finishing a write) moved a log under this one: the broker is rebuilt from storage,
//   so the client's retry (idempotent by default) lands after what the other wrote.
// - The HTTP request's signal reaches the long-poll, so an abort on the page ends it here.
// - Topic metadata is cached for a second (the edge caches it for five): every produce and fetch
//   looks its topic up, and in IndexedDB each lookup is a transaction of its own. This host's own
//   admin calls and a rebuild drop the cache; `fresh` bypasses it, as the Broker contract says.

import { isRillError, type RillError, type TopicMetadata } from "@rill/core";
import type { Broker, LocalBroker } from "@rill/server";

const TOPIC_CACHE_MS = 1000;
const ADMIN = new Set<keyof Broker>(["createTopic", "alterConfig", "addPartitions", "deleteTopic"]);

export interface HostBroker {
  broker: Broker;
  /** The broker serving now (it changes on a rebuild). */
  current(): LocalBroker;
  close(): Promise<void>;
}

export function createHostBroker(open: () => LocalBroker, onRebuilt: (error: RillError) => void): HostBroker {
  let current = open();
  const topics = new Map<string, { at: number; topic: Promise<TopicMetadata> }>();

  async function rebuild(error: RillError): Promise<void> {
    const stale = current;
    current = open();
    topics.clear();
    await stale.close();
    onRebuilt(error);
  }

  async function append(...args: Parameters<Broker["append"]>) {
    const serving = current;
    try {
      return await serving.append(...args);
    } catch (error) {
      if (isRillError(error, "CONCURRENT_APPEND") && serving === current) await rebuild(error);
      throw error;
    }
  }

  function topic(name: string, options?: { fresh?: boolean }): Promise<TopicMetadata> {
    const cached = topics.get(name);
    if (!options?.fresh && cached && Date.now() - cached.at < TOPIC_CACHE_MS) return cached.topic;
    const loading = current.topic(name, options);
    topics.set(name, { at: Date.now(), topic: loading });
    loading.catch(() => topics.delete(name));
    return loading;
  }

  const fetch: Broker["fetch"] = (ref, request, options) =>
    current.fetch(ref, options?.signal ? { ...request, signal: options.signal } : request);

  const broker = new Proxy({} as Broker, {
    get(_, key: keyof Broker) {
      if (key === "append") return append;
      if (key === "fetch") return fetch;
      if (key === "topic") return topic;
      const value = current[key];
      if (typeof value !== "function") return value;
      if (!ADMIN.has(key)) return value.bind(current);
      return async (...args: unknown[]) => {
        try {
          return await (value as (...a: unknown[]) => Promise<unknown>).apply(current, args);
        } finally {
          topics.clear();
        }
      };
    },
  });

  return { broker, current: () => current, close: () => current.close() };
}
