// One Durable Object per push subscription, named "<group>/<name>": a member of the group run by
// the broker. Its settings and its pump's state live in its SQLite (the storage seam's documents);
// its alarm drives the pump (packages/server/src/subscriptions/pump.ts), because a Durable Object
// cannot keep a loop alive on its own: each alarm arms a watchdog alarm first, runs one round of
// delivery, then sets the alarm to when the pump wants to run next. A crash or reset anywhere
// leaves the watchdog armed and the state as last saved, so delivery resumes from there.

import { DurableObject } from "cloudflare:workers";
import { RillError } from "@rill/core";
import {
  applySubscriptionChanges,
  createSubscriptionDocuments,
  createSubscriptionPump,
  newSubscriptionSecret,
  type StoredSubscription,
  type SubscriptionChanges,
  type SubscriptionDescription,
  type SubscriptionPump,
} from "@rill/server";
import { createSqliteStorage } from "@rill/storage-sqlite";
import { createEdgeBroker } from "./edge-broker.ts";
import type { Env } from "./env.ts";
import { type RpcResult, serve } from "./rpc.ts";
import { deliverToTarget } from "./subscription-targets.ts";

/** One round of delivery per alarm; the object saves its state throughout, so rounds only bound the alarm. */
const ROUND_MS = 10_000;
/** Slack after a round before the watchdog alarm restarts a pump that died mid-round. */
const WATCHDOG_SLACK_MS = 5_000;

export class SubscriptionObject extends DurableObject<Env> {
  private readonly documents = createSubscriptionDocuments(createSqliteStorage(this.ctx.storage));
  private stored: StoredSubscription | null | undefined;
  private pump: SubscriptionPump | undefined;
  private running = false;

  private async load(group: string, name: string): Promise<StoredSubscription> {
    this.stored ??= await this.documents.get(group, name);
    if (!this.stored) throw new RillError("SUBSCRIPTION_NOT_FOUND", `subscription ${group}/${name} does not exist`);
    return this.stored;
  }

  private pumpFor(stored: StoredSubscription): SubscriptionPump {
    this.pump ??= createSubscriptionPump(stored.config, {
      broker: createEdgeBroker(this.env),
      store: this.documents.pumpStore(stored.config.group, stored.config.name),
      deliver: (delivery, config) => deliverToTarget(this.env, config, delivery, this.stored?.secret ?? stored.secret),
    });
    return this.pump;
  }

  /** Makes sure a round runs soon: a fresh instance (after a crash or reset) does not wait for its watchdog. */
  private async kick(): Promise<void> {
    if (this.running || !this.stored || this.stored.config.paused) return;
    await this.ctx.storage.setAlarm(Date.now());
  }

  private async describeNow(stored: StoredSubscription): Promise<SubscriptionDescription> {
    return { ...stored.config, status: await this.pumpFor(stored).status() };
  }

  create(stored: StoredSubscription): Promise<RpcResult<SubscriptionDescription>> {
    return serve(async () => {
      if (!(await this.documents.create(stored)))
        throw new RillError("SUBSCRIPTION_ALREADY_EXISTS", `subscription ${stored.config.group}/${stored.config.name} already exists`);
      this.stored = stored;
      await this.kick();
      return this.describeNow(stored);
    });
  }

  describe(group: string, name: string): Promise<RpcResult<SubscriptionDescription>> {
    return serve(async () => {
      const stored = await this.load(group, name);
      await this.kick();
      return this.describeNow(stored);
    });
  }

  update(
    group: string,
    name: string,
    changes: SubscriptionChanges,
  ): Promise<RpcResult<{ subscription: SubscriptionDescription; secret?: string }>> {
    return serve(async () => {
      const current = await this.load(group, name);
      const config = applySubscriptionChanges(current.config, changes, Date.now());
      const secret = changes.rotateSecret ? newSubscriptionSecret() : current.secret;
      const stored = { config, secret };
      await this.documents.put(stored);
      this.stored = stored;
      this.pump?.configure(config);
      // a paused subscription leaves its group in the round that sees it; a resumed one starts one
      await this.ctx.storage.setAlarm(Date.now());
      return { subscription: await this.describeNow(stored), ...(changes.rotateSecret ? { secret } : {}) };
    });
  }

  delete(group: string, name: string): Promise<RpcResult<null>> {
    return serve(async () => {
      const stored = await this.load(group, name);
      const pump = this.pumpFor(stored);
      pump.stop();
      await pump.leave();
      await this.documents.delete(group, name);
      await this.ctx.storage.deleteAlarm();
      this.stored = null;
      this.pump = undefined;
      return null;
    });
  }

  override async alarm(): Promise<void> {
    // the object's name is not readable from inside it: the only settings document is this subscription's
    if (this.stored === undefined) this.stored = (await this.documents.list())[0] ?? null;
    if (!this.stored || this.running) return;
    const stored = this.stored;
    this.running = true;
    try {
      await this.ctx.storage.setAlarm(Date.now() + ROUND_MS + stored.config.deliveryTimeoutMs + WATCHDOG_SLACK_MS);
      const next = await this.pumpFor(stored).run(Date.now() + ROUND_MS);
      if (!this.stored) return; // deleted during the round
      if (next === null) await this.ctx.storage.deleteAlarm();
      else await this.ctx.storage.setAlarm(Math.max(next, Date.now()));
    } finally {
      this.running = false;
    }
  }
}
