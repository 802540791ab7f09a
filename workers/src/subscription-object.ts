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
/**
 * While a round runs, the alarm is kept this far ahead and pushed on every third of it: a dead
 * man's switch. If the object dies mid-round (a crash, a reset, an eviction), the alarm is not
 * retried at once, but this one comes due within LEASE_MS and a fresh instance resumes.
 */
const LEASE_MS = 5_000;
/** A request to an idle object runs a round unless one is due within this long anyway. */
const KICK_SLACK_MS = 1_000;

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
    const at = await this.ctx.storage.getAlarm();
    // an alarm already due is left alone: setting it again on every request would keep moving it
    if (at === null || at > Date.now() + KICK_SLACK_MS) await this.ctx.storage.setAlarm(Date.now());
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
      await pump.shutdown();
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
    const lease = () => this.ctx.storage.setAlarm(Date.now() + LEASE_MS);
    let renewing = lease();
    const renew = setInterval(() => {
      renewing = renewing.then(lease, lease);
    }, LEASE_MS / 3);
    try {
      await renewing;
      const next = await this.pumpFor(stored).run(Date.now() + ROUND_MS);
      clearInterval(renew);
      await renewing.catch(() => undefined);
      if (!this.stored) {
        await this.ctx.storage.deleteAlarm(); // deleted during the round
        return;
      }
      if (next === null) await this.ctx.storage.deleteAlarm();
      else await this.ctx.storage.setAlarm(Math.max(next, Date.now()));
    } finally {
      clearInterval(renew);
      this.running = false;
    }
  }
}
