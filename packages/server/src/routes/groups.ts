// Consumer groups (KIP-848 style: the coordinator assigns).
//   POST   /v1/groups/:group/heartbeat       {memberId, memberEpoch, topics|pattern, ownedPartitions, waitMs}
//          -> {memberId, memberEpoch, heartbeatIntervalMs, assignment: [{topic, partitions}]}
//   POST   /v1/groups/:group/offsets         {memberId, memberEpoch, offsets: [{topic, partition, offset}]} (fenced by epoch)
//   GET    /v1/groups/:group/offsets         -> {offsets: [{topic, partition, offset, metadata, commitTimestamp}]}
//   POST   /v1/groups/:group/offsets/reset   {topic, partitions?, to: earliest|latest|{timestamp}|{offset}} (empty groups only)
//   GET    /v1/groups[?internal=true]        -> {groups: [{groupId, state, members}]} (internal __* groups when asked)
//   GET    /v1/groups/:group                 -> members, assignments, and committed offset and lag per partition
//   DELETE /v1/groups/:group                 (empty groups only)

import { type CommittedOffset, RillError } from "@rill/core";
import { isInternalGroup } from "@rill/protocol";
import { commitBody, heartbeatBody, resetOffsetsBody } from "@rill/protocol/operations";
import { Hono } from "hono";
import type { Broker } from "../broker.ts";
import { jsonBody } from "../request.ts";
import { partitionRef } from "./produce.ts";

/** Group ids: 1..255 visible characters without slashes, so they fit a path and a Durable Object name. */
export function validateGroupId(id: string): string {
  if (!/^[A-Za-z0-9._:@=+-]{1,255}$/.test(id)) {
    throw new RillError("INVALID_REQUEST", `invalid group id ${JSON.stringify(id)}: use 1 to 255 of A-Z a-z 0-9 . _ : @ = + -`);
  }
  return id;
}

async function describeWithLag(broker: Broker, group: string) {
  const [description, offsets] = await Promise.all([broker.describeGroup(group), broker.fetchOffsets(group)]);
  if (!description && offsets.length === 0) throw new RillError("GROUP_ID_NOT_FOUND", `group ${group} does not exist`);
  const committed = new Map(offsets.map((o) => [`${o.topic}/${o.partition}`, o]));
  const partitions = new Set(offsets.map((o) => `${o.topic}/${o.partition}`));
  for (const [topic, n] of Object.entries(description?.topicPartitionCounts ?? {}))
    for (let p = 0; p < n; p++) partitions.add(`${topic}/${p}`);
  const owners = new Map<string, string>();
  for (const m of Object.values(description?.members ?? {})) {
    for (const [t, ps] of Object.entries(m.assigned)) for (const p of ps) owners.set(`${t}/${p}`, m.memberId);
  }
  const lag = await Promise.all(
    [...partitions].sort().map(async (key) => {
      const slash = key.lastIndexOf("/");
      const topicName = key.slice(0, slash);
      const partition = Number(key.slice(slash + 1));
      const c = committed.get(key);
      let highWatermark: number | null = null;
      try {
        const topic = await broker.topic(topicName);
        highWatermark = (await broker.partitionState(partitionRef(topic, partition))).highWatermark;
      } catch {
        // the topic or partition is gone; its commit is still shown
      }
      const committedOffset = c?.offset ?? null;
      return {
        topic: topicName,
        partition,
        committedOffset,
        highWatermark,
        lag: committedOffset !== null && highWatermark !== null ? Math.max(0, highWatermark - committedOffset) : null,
        memberId: owners.get(key) ?? null,
        metadata: c?.metadata ?? null,
      };
    }),
  );
  const members = Object.values(description?.members ?? {}).map((m) => ({
    memberId: m.memberId,
    instanceId: m.instanceId,
    clientId: m.clientId,
    memberEpoch: m.memberEpoch,
    state: m.state,
    subscribedTopics: m.subscribedTopics,
    subscribedPattern: m.subscribedPattern,
    assignment: Object.entries(m.assigned).map(([topic, partitions]) => ({ topic, partitions })),
    revoking: Object.entries(m.revoking).map(([topic, partitions]) => ({ topic, partitions })),
  }));
  return {
    groupId: group,
    state: description?.state ?? "Empty",
    groupEpoch: description?.groupEpoch ?? 0,
    assignmentEpoch: description?.assignmentEpoch ?? 0,
    assignor: description?.assignor ?? "sticky",
    members,
    partitions: lag,
    totalLag: lag.reduce((n, p) => n + (p.lag ?? 0), 0),
  };
}

export function groupRoutes(broker: Broker): Hono {
  const app = new Hono();

  app.get("/", async (c) => {
    const internal = c.req.query("internal") === "true";
    const ids = (await broker.listGroups()).filter((id) => internal || !isInternalGroup(id));
    const groups = await Promise.all(
      ids.map(async (groupId) => {
        const d = await broker.describeGroup(groupId);
        return { groupId, state: d?.state ?? "Empty", members: Object.keys(d?.members ?? {}).length };
      }),
    );
    return c.json({ groups });
  });

  app.get("/:group", async (c) => c.json(await describeWithLag(broker, validateGroupId(c.req.param("group")))));

  app.delete("/:group", async (c) => {
    const group = validateGroupId(c.req.param("group"));
    await broker.deleteGroup(group);
    return c.json({ deleted: group });
  });

  app.post("/:group/heartbeat", async (c) => {
    const group = validateGroupId(c.req.param("group"));
    const body = await jsonBody(c, heartbeatBody);
    return c.json(await broker.groupHeartbeat(group, { ...body, memberId: body.memberId ?? null }));
  });

  app.post("/:group/offsets", async (c) => {
    const group = validateGroupId(c.req.param("group"));
    const body = await jsonBody(c, commitBody);
    await broker.commitOffsets(group, { memberId: body.memberId ?? null, memberEpoch: body.memberEpoch ?? -1, offsets: body.offsets });
    return c.json({ committed: body.offsets.length });
  });

  app.get("/:group/offsets", async (c) => {
    const group = validateGroupId(c.req.param("group"));
    const topic = c.req.query("topic");
    const offsets = (await broker.fetchOffsets(group)).filter((o) => topic === undefined || o.topic === topic);
    return c.json({
      offsets: offsets.map(({ topic, partition, offset, metadata, commitTimestamp }) => ({
        topic,
        partition,
        offset,
        metadata,
        commitTimestamp,
      })),
    });
  });

  app.post("/:group/offsets/reset", async (c) => {
    const group = validateGroupId(c.req.param("group"));
    const body = await jsonBody(c, resetOffsetsBody);
    const topic = await broker.topic(body.topic);
    const partitions = body.partitions ?? topic.partitions.map((p) => p.partition);
    const now = Date.now();
    const offsets: CommittedOffset[] = await Promise.all(
      partitions.map(async (partition) => {
        const ref = partitionRef(topic, partition);
        let offset: number;
        if (typeof body.to === "string") offset = (await broker.listOffset(ref, body.to)).offset;
        else if ("timestamp" in body.to) offset = (await broker.listOffset(ref, { timestamp: body.to.timestamp })).offset;
        else {
          const state = await broker.partitionState(ref);
          // clamp like kafka-consumer-groups --to-offset: into [logStart, highWatermark]
          offset = Math.min(Math.max(body.to.offset, state.logStartOffset), state.highWatermark);
        }
        return { topic: topic.name, partition, offset, metadata: null, leaderEpoch: -1, commitTimestamp: now };
      }),
    );
    await broker.resetGroupOffsets(group, offsets);
    return c.json({ offsets: offsets.map(({ topic, partition, offset }) => ({ topic, partition, offset })) });
  });

  return app;
}
