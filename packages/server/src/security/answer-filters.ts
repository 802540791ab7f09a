// Lists show only what the principal may describe (Kafka filters Metadata, ListGroups and
// OffsetFetch answers the same way), and creating a topic that exists does not tell a principal
// that may not describe it so. Applied to answers of non-super principals only.

import { type AclBinding, type AclSubject, authorize, type ResourceType } from "@rill/core";
import { ROUTES } from "@rill/protocol";
import type { Context } from "hono";
import type { MatchedOperation } from "./authorize.ts";
import { refusal } from "./authorize.ts";
import type { SecurityCache } from "./security-cache.ts";

type Json = Record<string, unknown>;
type Can = (type: ResourceType, name: string) => boolean;

interface TopicPartitions {
  topic: string;
}
interface GroupMember {
  assignment?: TopicPartitions[];
  revoking?: TopicPartitions[];
  subscribedTopics?: string[];
}

const filters: Record<string, (body: Json, can: Can) => Json> = {
  [`GET ${ROUTES.topics}`]: (body, can) => ({
    ...body,
    topics: (body.topics as Array<{ name: string }>).filter((t) => can("topic", t.name)),
  }),
  [`GET ${ROUTES.groups}`]: (body, can) => ({
    ...body,
    groups: (body.groups as Array<{ groupId: string }>).filter((g) => can("group", g.groupId)),
  }),
  [`GET ${ROUTES.groupOffsets}`]: (body, can) => ({
    ...body,
    offsets: (body.offsets as TopicPartitions[]).filter((o) => can("topic", o.topic)),
  }),
  [`GET ${ROUTES.group}`]: (body, can) => {
    const partitions = (body.partitions as Array<TopicPartitions & { lag: number | null }>).filter((p) => can("topic", p.topic));
    const members = (body.members as GroupMember[]).map((m) => ({
      ...m,
      assignment: m.assignment?.filter((a) => can("topic", a.topic)),
      revoking: m.revoking?.filter((a) => can("topic", a.topic)),
      subscribedTopics: m.subscribedTopics?.filter((t) => can("topic", t)),
    }));
    return { ...body, partitions, members, totalLag: partitions.reduce((n, p) => n + (p.lag ?? 0), 0) };
  },
};

async function readJson(c: Context): Promise<Json | null> {
  if (!(c.res.headers.get("content-type") ?? "").includes("application/json")) return null;
  try {
    return (await c.res.clone().json()) as Json;
  } catch {
    return null;
  }
}

function replace(c: Context, body: Json, status: number): void {
  const headers = new Headers(c.res.headers);
  headers.delete("content-length");
  c.res = undefined as unknown as Response; // not merged with the old answer's headers: these are complete
  c.res = new Response(JSON.stringify(body), { status, headers });
}

/** The `after` hook of authorizeRequests: filters list answers and masks topic existence. */
export function answerFilters(cache: SecurityCache) {
  return async (c: Context, match: MatchedOperation, subject: AclSubject): Promise<void> => {
    const key = `${match.op.method} ${match.op.route}`;
    const isCreateTopic = key === `POST ${ROUTES.topics}`;
    const filter = filters[key];
    if (!filter && !isCreateTopic) return;
    const { acls } = await cache.snapshot();
    const can: Can = (type, name) => authorize(acls as AclBinding[], subject, { type, name }, "describe");
    if (isCreateTopic) {
      if (c.res.status !== 409) return;
      const body = await readJson(c);
      const name = ((await c.req.json().catch(() => null)) as { name?: unknown } | null)?.name;
      const code = (body?.error as { code?: string } | undefined)?.code;
      if (code === "TOPIC_ALREADY_EXISTS" && typeof name === "string" && !can("topic", name)) {
        const error = refusal(subject.principal, "topic", "describe", name);
        replace(c, { error: { code: error.code, message: error.message, retriable: false } }, 403);
      }
      return;
    }
    if (c.res.status !== 200) return;
    const body = await readJson(c);
    if (body && filter) replace(c, filter(body, can), 200);
  };
}
