// Push subscriptions of the in-process broker (Node): the same pump as at the edge, driven by
// timers, delivering to webhooks (service bindings exist only between Workers). Subscriptions are
// kept in the broker's Storage and resume when a broker over the same storage starts.

import { RillError, type Storage } from "@rill/core";
import type { Broker } from "../broker.ts";
import { applySubscriptionChanges, checkTarget, newSubscriptionSecret } from "./config.ts";
import { createSubscriptionDocuments, type StoredSubscription, subscriptionId } from "./document-store.ts";
import { deliverOverHttp, type FetchLike } from "./http-target.ts";
import { createSubscriptionPump, type SubscriptionPump } from "./pump.ts";
import { type PumpRunner, runPump } from "./runner.ts";
import type { SubscriptionDescription, SubscriptionService } from "./types.ts";

export interface LocalSubscriptionsOptions {
  broker: Broker;
  storage: Storage;
  /** How webhooks are called (default the global fetch). */
  fetch?: FetchLike;
  now?: () => number;
}

export interface LocalSubscriptions extends SubscriptionService {
  /** Stops every pump (in-flight deliveries finish); subscriptions stay stored. */
  close(): Promise<void>;
}

interface Running {
  stored: StoredSubscription;
  pump: SubscriptionPump;
  runner: PumpRunner;
}

export function createLocalSubscriptions(options: LocalSubscriptionsOptions): LocalSubscriptions {
  const { broker } = options;
  const now = options.now ?? Date.now;
  const fetchLike: FetchLike = options.fetch ?? ((request) => fetch(request));
  const documents = createSubscriptionDocuments(options.storage);
  const running = new Map<string, Running>();
  let closed = false;

  function start(stored: StoredSubscription): Running {
    const { group, name } = stored.config;
    const entry: Running = {
      stored,
      pump: createSubscriptionPump(stored.config, {
        broker,
        store: documents.pumpStore(group, name),
        now,
        deliver: (delivery, config) => {
          if (config.target.type !== "webhook")
            return Promise.resolve({ kind: "unreachable", error: "service bindings exist only at the edge" });
          return deliverOverHttp(fetchLike, config.target.url, delivery, {
            secret: entry.stored.secret,
            timeoutMs: config.deliveryTimeoutMs,
          });
        },
      }),
      runner: undefined as unknown as PumpRunner,
    };
    entry.runner = runPump(entry.pump, { now });
    running.set(subscriptionId(group, name), entry);
    return entry;
  }

  // subscriptions stored by an earlier broker over this storage start with the first call
  let started: Promise<void> | undefined;
  const ready = () => {
    started ??= (async () => {
      for (const stored of await documents.list()) if (!running.has(subscriptionId(stored.config.group, stored.config.name))) start(stored);
    })();
    return started;
  };
  void ready().catch(() => undefined);

  async function entryOf(group: string, name: string): Promise<Running> {
    await ready();
    const entry = running.get(subscriptionId(group, name));
    if (!entry) throw new RillError("SUBSCRIPTION_NOT_FOUND", `subscription ${group}/${name} does not exist`);
    return entry;
  }

  const describe = async (entry: Running): Promise<SubscriptionDescription> => ({
    ...entry.stored.config,
    status: await entry.pump.status(),
  });

  return {
    async create(config) {
      if (closed) throw new RillError("COORDINATOR_NOT_AVAILABLE", "the broker is closing");
      await ready();
      checkTarget(config.target, { serviceBindings: false });
      if (config.deadLetterTopic !== null) await broker.topic(config.deadLetterTopic);
      const stored = { config, secret: newSubscriptionSecret() };
      if (!(await documents.create(stored)))
        throw new RillError("SUBSCRIPTION_ALREADY_EXISTS", `subscription ${config.group}/${config.name} already exists`);
      return { subscription: await describe(start(stored)), secret: stored.secret };
    },

    async list(group) {
      await ready();
      const entries = [...running.values()].filter((e) => group === undefined || e.stored.config.group === group);
      const all = await Promise.all(entries.map(describe));
      return all.sort((a, b) => subscriptionId(a.group, a.name).localeCompare(subscriptionId(b.group, b.name)));
    },

    describe: async (group, name) => describe(await entryOf(group, name)),

    async update(group, name, changes) {
      const entry = await entryOf(group, name);
      const config = applySubscriptionChanges(entry.stored.config, changes, now());
      if (changes.target) checkTarget(config.target, { serviceBindings: false });
      if (changes.deadLetterTopic) await broker.topic(changes.deadLetterTopic);
      const secret = changes.rotateSecret ? newSubscriptionSecret() : entry.stored.secret;
      entry.stored = { config, secret };
      await documents.put(entry.stored);
      entry.pump.configure(config);
      entry.runner.kick();
      return { subscription: await describe(entry), ...(changes.rotateSecret ? { secret } : {}) };
    },

    async delete(group, name) {
      const entry = await entryOf(group, name);
      running.delete(subscriptionId(group, name));
      await entry.runner.stop();
      await entry.pump.shutdown();
      await documents.delete(group, name);
    },

    async close() {
      closed = true;
      await ready().catch(() => undefined);
      await Promise.all([...running.values()].map((e) => e.runner.stop()));
    },
  };
}
