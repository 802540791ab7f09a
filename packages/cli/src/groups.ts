// `rill groups list|describe|reset-offsets|delete`: Kafka's kafka-consumer-groups, on the client's
// group admin. Resets and deletes need a group without members; the broker refuses them otherwise
// (NON_EMPTY_GROUP), and main.ts prints its code and message.

import { type Admin, type Client, type GroupDescription, isRillError, type ResetTarget, RillError } from "@rill/client";
import { expectPositionals, groupArg, int, list, parse, UsageError, type Values } from "./args.ts";
import { type CliIO, EXIT, write } from "./io.ts";
import { table } from "./table.ts";

export const groupSubcommands = ["list", "describe", "reset-offsets", "delete"] as const;

const dash = (v: number | string | null | undefined) => (v === null || v === undefined || v === "" ? "-" : String(v));

/** Kafka's way of writing an assignment: orders(0,2) other(1). */
const partitionsText = (list: Array<{ topic: string; partitions: number[] }>) =>
  list.map((a) => `${a.topic}(${a.partitions.join(",")})`).join(" ");

function describeText(d: GroupDescription): string {
  const clientOf = new Map(d.members.map((m) => [m.memberId, m.clientId]));
  const members = d.members.length === 1 ? "1 member" : `${d.members.length} members`;
  const summary = `Consumer group '${d.groupId}': ${d.state}, ${members}, total lag ${d.totalLag} (assignor ${d.assignor}, group epoch ${d.groupEpoch})\n`;
  const partitions = table(
    ["GROUP", "TOPIC", "PARTITION", "CURRENT-OFFSET", "LOG-END-OFFSET", "LAG", "CONSUMER-ID", "CLIENT-ID"],
    d.partitions.map((p) => [
      d.groupId,
      p.topic,
      String(p.partition),
      dash(p.committedOffset),
      dash(p.highWatermark),
      dash(p.lag),
      dash(p.memberId),
      dash(p.memberId === null ? null : clientOf.get(p.memberId)),
    ]),
  );
  const memberRows =
    d.members.length === 0
      ? `Consumer group '${d.groupId}' has no active members.\n`
      : table(
          ["MEMBER-ID", "INSTANCE-ID", "CLIENT-ID", "EPOCH", "STATE", "ASSIGNMENT"],
          d.members.map((m) => [
            m.memberId,
            dash(m.instanceId),
            dash(m.clientId),
            String(m.memberEpoch),
            m.state,
            dash(partitionsText(m.assignment)) + (m.revoking.length > 0 ? ` revoking ${partitionsText(m.revoking)}` : ""),
          ]),
        );
  return `${summary}\n${d.partitions.length > 0 ? `${partitions}\n` : ""}${memberRows}`;
}

/** The one --to-* option given, as a reset target. */
function resetTarget(values: Values): ResetTarget {
  const given = ["to-earliest", "to-latest", "to-datetime", "to-timestamp", "to-offset"].filter((k) => values[k] !== undefined);
  if (given.length !== 1)
    throw new UsageError(
      given.length === 0
        ? "say where to: --to-earliest, --to-latest, --to-datetime, --to-timestamp or --to-offset"
        : `choose one of --${given.join(", --")}`,
    );
  if (values["to-earliest"]) return "earliest";
  if (values["to-latest"]) return "latest";
  if (values["to-offset"] !== undefined) return { offset: int(values, "to-offset") as number };
  if (values["to-timestamp"] !== undefined) return { timestamp: int(values, "to-timestamp") as number };
  const iso = values["to-datetime"] as string;
  const ms = /^\d+$/.test(iso) ? Number.NaN : Date.parse(iso);
  if (Number.isNaN(ms))
    throw new UsageError(`--to-datetime must be an ISO-8601 date like 2024-05-01T12:00:00Z, got ${JSON.stringify(iso)}`);
  return { timestamp: ms };
}

/** What a reset would set, without setting it; refused like the reset itself while the group has members. */
async function planReset(admin: Admin, groupId: string, topic: string, partitions: number[] | undefined, to: ResetTarget) {
  const group = await admin.describeGroup(groupId).catch((error: unknown) => {
    if (isRillError(error, "GROUP_ID_NOT_FOUND")) return undefined; // a reset would create it
    throw error;
  });
  if (group && group.members.length > 0)
    throw new RillError("NON_EMPTY_GROUP", `group ${groupId} has active members; stop them before resetting offsets`);
  const described = await admin.describeTopic(topic);
  const byTime = typeof to === "object" && "timestamp" in to ? await admin.fetchTopicOffsetsByTimestamp(topic, to.timestamp) : [];
  return described.partitions
    .filter((p) => !partitions || partitions.includes(p.partition))
    .map((p) => ({
      topic,
      partition: p.partition,
      offset:
        to === "earliest"
          ? p.logStartOffset
          : to === "latest"
            ? p.highWatermark
            : "offset" in to
              ? Math.min(Math.max(to.offset, p.logStartOffset), p.highWatermark)
              : (byTime.find((o) => o.partition === p.partition)?.offset ?? p.highWatermark),
    }));
}

async function resetOffsets(args: string[], client: () => Client, io: CliIO): Promise<number> {
  const { values, positionals } = parse(args, {
    topic: { type: "string", short: "t" },
    partition: { type: "string", short: "p", multiple: true },
    "to-earliest": { type: "boolean" },
    "to-latest": { type: "boolean" },
    "to-datetime": { type: "string" },
    "to-timestamp": { type: "string" },
    "to-offset": { type: "string" },
    "dry-run": { type: "boolean" },
  });
  const [group] = expectPositionals(positionals, ["group"]) as [string];
  const groupId = groupArg(group);
  const topic = values.topic;
  if (typeof topic !== "string") throw new UsageError("missing --topic TOPIC");
  const to = resetTarget(values);
  const chosen = list(values, "partition").map((p) => {
    if (!/^\d+$/.test(p)) throw new UsageError(`--partition must be a non-negative integer, got ${JSON.stringify(p)}`);
    return Number(p);
  });
  const partitions = chosen.length > 0 ? [...new Set(chosen)] : undefined;
  const admin = client().admin();
  if (partitions) {
    const known = new Set((await admin.describeTopic(topic)).partitions.map((p) => p.partition));
    const missing = partitions.find((p) => !known.has(p));
    if (missing !== undefined) throw new RillError("UNKNOWN_TOPIC_OR_PARTITION", `topic ${topic} has no partition ${missing}`);
  }
  const dryRun = values["dry-run"] === true;
  const offsets = dryRun
    ? await planReset(admin, groupId, topic, partitions, to)
    : await admin.resetOffsets({ groupId, topic, partitions, to });
  const rows = [...offsets].sort((a, b) => a.partition - b.partition).map((o) => [groupId, o.topic, String(o.partition), String(o.offset)]);
  await write(io.stdout, table(["GROUP", "TOPIC", "PARTITION", "NEW-OFFSET"], rows));
  if (dryRun) await write(io.stderr, "Dry run: nothing was changed.\n");
  return EXIT.ok;
}

export async function groupsCommand(sub: string, args: string[], client: () => Client, io: CliIO): Promise<number> {
  const out = (text: string) => write(io.stdout, text);
  switch (sub) {
    case "list": {
      const { values, positionals } = parse(args, { json: { type: "boolean" }, internal: { type: "boolean" } });
      expectPositionals(positionals, []);
      const { groups } = await client()
        .admin()
        .listGroups({ internal: values.internal === true });
      groups.sort((a, b) => (a.groupId < b.groupId ? -1 : a.groupId > b.groupId ? 1 : 0));
      if (values.json) await out(`${JSON.stringify(groups)}\n`);
      else if (groups.length > 0)
        await out(
          table(
            ["GROUP", "STATE", "MEMBERS"],
            groups.map((g) => [g.groupId, g.state, String(g.members)]),
          ),
        );
      return EXIT.ok;
    }
    case "describe": {
      const { values, positionals } = parse(args, { json: { type: "boolean" } });
      const [group] = expectPositionals(positionals, ["group"]) as [string];
      const described = await client().admin().describeGroup(groupArg(group));
      await out(values.json ? `${JSON.stringify(described, null, 2)}\n` : describeText(described));
      return EXIT.ok;
    }
    case "reset-offsets":
      return resetOffsets(args, client, io);
    case "delete": {
      const { positionals } = parse(args, {});
      if (positionals.length === 0) throw new UsageError("missing <group>");
      const ids = positionals.map(groupArg);
      const admin = client().admin();
      for (const id of ids) {
        await admin.deleteGroups([id]);
        await out(`Deleted consumer group ${id}.\n`);
      }
      return EXIT.ok;
    }
    default:
      throw new UsageError(`unknown subcommand "groups ${sub}"; expected one of ${groupSubcommands.join(", ")}`);
  }
}
