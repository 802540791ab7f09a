// Push subscriptions: the broker consumes as a member of a group and delivers batches to a Worker
// (service binding) or a webhook, with retries, a dead-letter topic and per-partition order.

import type { CreateSubscriptionBody, SubscriptionDescription, SubscriptionTargetBody, UpdateSubscriptionBody } from "@rill/protocol";
import { paths } from "@rill/protocol";
import type { Transport } from "./transport.ts";

export type SubscriptionTarget = SubscriptionTargetBody;
export type SubscriptionSpec = CreateSubscriptionBody;
export type SubscriptionChanges = UpdateSubscriptionBody;
export type { SubscriptionCounters, SubscriptionDescription, SubscriptionPartitionStatus } from "@rill/protocol";

export interface SubscriptionAdmin {
  /** Creates a push subscription; the answer carries the signing secret of HTTP deliveries (only here and on rotation). */
  createSubscription(spec: SubscriptionSpec): Promise<{ subscription: SubscriptionDescription; secret: string }>;
  listSubscriptions(args?: { group?: string }): Promise<SubscriptionDescription[]>;
  describeSubscription(group: string, name: string): Promise<SubscriptionDescription>;
  /** Changes settings; `rotateSecret: true` answers a new secret. */
  alterSubscription(
    group: string,
    name: string,
    changes: SubscriptionChanges,
  ): Promise<{ subscription: SubscriptionDescription; secret?: string }>;
  pauseSubscription(group: string, name: string): Promise<SubscriptionDescription>;
  resumeSubscription(group: string, name: string): Promise<SubscriptionDescription>;
  /** Deletes it: it leaves its group; the group's committed offsets stay. */
  deleteSubscription(group: string, name: string): Promise<void>;
}

export function createSubscriptionAdmin(transport: Transport): SubscriptionAdmin {
  const alter = (group: string, name: string, changes: SubscriptionChanges) =>
    transport.json<{ subscription: SubscriptionDescription; secret?: string }>({
      method: "PATCH",
      path: paths.subscription(group, name),
      json: changes,
    });
  return {
    createSubscription: (spec) => transport.json({ method: "POST", path: paths.subscriptions(), json: spec }),
    async listSubscriptions(args = {}) {
      const query = args.group === undefined ? "" : `?group=${encodeURIComponent(args.group)}`;
      const answer = await transport.json<{ subscriptions: SubscriptionDescription[] }>({
        method: "GET",
        path: `${paths.subscriptions()}${query}`,
      });
      return answer.subscriptions;
    },
    describeSubscription: (group, name) => transport.json({ method: "GET", path: paths.subscription(group, name) }),
    alterSubscription: alter,
    pauseSubscription: async (group, name) => (await alter(group, name, { paused: true })).subscription,
    resumeSubscription: async (group, name) => (await alter(group, name, { paused: false })).subscription,
    async deleteSubscription(group, name) {
      await transport.json({ method: "DELETE", path: paths.subscription(group, name) });
    },
  };
}
