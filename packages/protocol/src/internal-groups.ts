// Groups the broker keeps for itself: the compatibility faces store their state in them
// (`__durable_streams.<stream>`, `__upstash.<group>.<instance>`). Listings leave them out unless
// asked (`GET /v1/groups?internal=true`), as Kafka leaves its internal topics out of a listing.

/** The prefix of an internal group's id. */
export const INTERNAL_GROUP_PREFIX = "__";

/** Whether a group is the broker's own bookkeeping rather than an application's. */
export function isInternalGroup(groupId: string): boolean {
  return groupId.startsWith(INTERNAL_GROUP_PREFIX);
}
