// Push subscriptions at the edge: the routes' SubscriptionService over one SubscriptionObject per
// subscription and the SubscriptionIndexObject that lists them.

import { isRillError, RillError } from "@rill/core";
import { newSubscriptionSecret, type SubscriptionDescription, type SubscriptionService } from "@rill/server";
import type { Env } from "./env.ts";
import { call } from "./rpc.ts";
import { checkEdgeTarget } from "./subscription-targets.ts";

export function createEdgeSubscriptions(env: Env, topic: (name: string) => Promise<unknown>): SubscriptionService {
  const index = () => env.SUBSCRIPTION_INDEX.get(env.SUBSCRIPTION_INDEX.idFromName("index"));
  const object = (group: string, name: string) => env.SUBSCRIPTIONS.get(env.SUBSCRIPTIONS.idFromName(`${group}/${name}`));

  return {
    async create(config) {
      checkEdgeTarget(env, config.target);
      if (config.deadLetterTopic !== null) await topic(config.deadLetterTopic);
      if (!(await index().add({ group: config.group, name: config.name, createdAt: config.createdAt })))
        throw new RillError("SUBSCRIPTION_ALREADY_EXISTS", `subscription ${config.group}/${config.name} already exists`);
      const secret = newSubscriptionSecret();
      try {
        return { subscription: await call(object(config.group, config.name).create({ config, secret })), secret };
      } catch (error) {
        if (!isRillError(error, "SUBSCRIPTION_ALREADY_EXISTS")) await index().remove(config.group, config.name);
        throw error;
      }
    },

    async list(group) {
      const entries = await index().list(group);
      const described = await Promise.all(
        entries.map((e) =>
          call(object(e.group, e.name).describe(e.group, e.name)).catch((error) =>
            isRillError(error, "SUBSCRIPTION_NOT_FOUND") ? null : Promise.reject(error),
          ),
        ),
      );
      return described.filter((d): d is SubscriptionDescription => d !== null);
    },

    describe: (group, name) => call(object(group, name).describe(group, name)),

    async update(group, name, changes) {
      if (changes.target) checkEdgeTarget(env, changes.target);
      if (changes.deadLetterTopic) await topic(changes.deadLetterTopic);
      return call(object(group, name).update(group, name, changes));
    },

    async delete(group, name) {
      await call(object(group, name).delete(group, name));
      await index().remove(group, name);
    },
  };
}
