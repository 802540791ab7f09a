// Push subscriptions: create, list, describe, change and delete.

import { CLUSTER, groupParam, type Operation } from "./operation.ts";
import { ROUTES } from "./paths.ts";
import { createSubscriptionBody, updateSubscriptionBody } from "./subscription-schemas.ts";

export const subscriptionOperations: Operation[] = [
  // Push subscriptions deliver with the broker's own authority, to places outside the cluster, for
  // as long as they exist: creating or changing one takes ALTER on the cluster as well as what a
  // consumer of the group and its topics would need.
  {
    method: "POST",
    route: ROUTES.subscriptions,
    summary: "Create a push subscription: the broker consumes as a group member and delivers to a Worker or webhook",
    body: createSubscriptionBody,
    access: {
      checks: [
        { resource: "cluster", operation: "alter", name: CLUSTER },
        { resource: "group", operation: "read", name: { body: "group" } },
        { resource: "topic", operation: "read", name: { bodyEach: "topics" } },
        { resource: "topic", operation: "read", name: { fixed: "*" }, when: { body: "pattern", present: true } },
      ],
    },
  },
  {
    method: "GET",
    route: ROUTES.subscriptions,
    summary: "List push subscriptions with their state, lag and counters",
    query: { group: "only this group's subscriptions" },
    access: { checks: [{ resource: "cluster", operation: "describe", name: CLUSTER }] },
  },
  {
    method: "GET",
    route: ROUTES.subscription,
    summary: "Describe a push subscription: settings, per-partition position, lag and in-flight delivery, retries, dead-lettered",
    access: { checks: [{ resource: "group", operation: "describe", name: groupParam }] },
  },
  {
    method: "PATCH",
    route: ROUTES.subscription,
    summary: "Change a push subscription (target, batching, retries, dead-letter topic, concurrency, topics); pause and resume",
    body: updateSubscriptionBody,
    access: {
      checks: [
        { resource: "cluster", operation: "alter", name: CLUSTER },
        { resource: "group", operation: "read", name: groupParam },
        { resource: "topic", operation: "read", name: { bodyEach: "topics" } },
        { resource: "topic", operation: "read", name: { fixed: "*" }, when: { body: "pattern", present: true } },
      ],
    },
  },
  {
    method: "DELETE",
    route: ROUTES.subscription,
    summary: "Delete a push subscription (it leaves its group; committed offsets stay)",
    access: {
      checks: [
        { resource: "cluster", operation: "alter", name: CLUSTER },
        { resource: "group", operation: "read", name: groupParam },
      ],
    },
  },
];
