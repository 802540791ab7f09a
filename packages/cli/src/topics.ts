// `rill topics list|create|describe|alter|delete`: Kafka's kafka-topics, with offsets in describe.

import { type Client, isRillError, type TopicDescription } from "@rill/client";
import { expectPositionals, int, list, pairs, parse, UsageError } from "./args.ts";
import { type CliIO, write } from "./io.ts";

export const topicSubcommands = ["list", "create", "describe", "alter", "delete"] as const;

function describeText(t: TopicDescription): string {
  const overrides = Object.entries(t.overrides ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(",");
  const lines = [
    `Topic: ${t.name}\tTopicId: ${t.topicId ?? "-"}\tPartitionCount: ${t.partitions.length}\tReplicationFactor: ${t.replicationFactor}\tConfigs:${overrides ? ` ${overrides}` : ""}`,
  ];
  for (const p of t.partitions) {
    lines.push(
      `\tTopic: ${t.name}\tPartition: ${p.partition}\tLeader: ${p.leader ?? p.replicas[0] ?? "-"}\tReplicas: ${p.replicas.join(",")}\tIsr: ${p.isr.join(",")}\tLogStartOffset: ${p.logStartOffset}\tHighWatermark: ${p.highWatermark}`,
    );
  }
  return `${lines.join("\n")}\n`;
}

export async function topicsCommand(sub: string, args: string[], client: () => Client, io: CliIO): Promise<number> {
  const out = (text: string) => write(io.stdout, text);
  switch (sub) {
    case "list": {
      const { values, positionals } = parse(args, { json: { type: "boolean" } });
      expectPositionals(positionals, []);
      const admin = client().admin();
      const names = (await admin.listTopics()).sort();
      if (values.json) {
        const topics = await Promise.all(
          names.map(async (name) => ({ name, partitions: (await admin.describeTopic(name)).partitions.length })),
        );
        await out(`${JSON.stringify(topics)}\n`);
      } else {
        await out(names.map((n) => `${n}\n`).join(""));
      }
      return 0;
    }
    case "create": {
      const { values, positionals } = parse(args, {
        partitions: { type: "string", short: "p" },
        "replication-factor": { type: "string", short: "r" },
        config: { type: "string", short: "c", multiple: true },
        "if-not-exists": { type: "boolean" },
      });
      const [topic] = expectPositionals(positionals, ["topic"]) as [string];
      const config = pairs(list(values, "config"), "--config");
      const created = await client()
        .admin()
        .createTopics({
          topics: [
            {
              topic,
              numPartitions: int(values, "partitions", 1),
              replicationFactor: int(values, "replication-factor", 1),
              configEntries: Object.entries(config).map(([name, value]) => ({ name, value })),
            },
          ],
        });
      if (!created && !values["if-not-exists"]) {
        await write(io.stderr, `error: TOPIC_ALREADY_EXISTS: topic ${topic} already exists\n`);
        return 1;
      }
      await out(created ? `Created topic ${topic}.\n` : `Topic ${topic} already exists.\n`);
      return 0;
    }
    case "describe": {
      const { values, positionals } = parse(args, { json: { type: "boolean" } });
      const [topic] = expectPositionals(positionals, ["topic"]) as [string];
      const described = await client().admin().describeTopic(topic);
      await out(values.json ? `${JSON.stringify(described, null, 2)}\n` : describeText(described));
      return 0;
    }
    case "alter": {
      const { values, positionals } = parse(args, {
        config: { type: "string", short: "c", multiple: true },
        "delete-config": { type: "string", multiple: true },
        partitions: { type: "string", short: "p" },
      });
      const [topic] = expectPositionals(positionals, ["topic"]) as [string];
      const changes: Record<string, string | null> = pairs(list(values, "config"), "--config");
      for (const key of list(values, "delete-config")) changes[key] = null;
      const partitions = int(values, "partitions");
      if (Object.keys(changes).length === 0 && partitions === undefined) {
        throw new UsageError("nothing to alter: give --config, --delete-config or --partitions");
      }
      const admin = client().admin();
      if (Object.keys(changes).length > 0) {
        await admin.alterTopicConfig(topic, changes);
        await out(`Updated config of topic ${topic}.\n`);
      }
      if (partitions !== undefined) {
        const [added] = await admin.createPartitions({ topicPartitions: [{ topic, count: partitions }] });
        await out(`Topic ${topic} now has ${added?.partitions ?? partitions} partitions.\n`);
      }
      return 0;
    }
    case "delete": {
      const { values, positionals } = parse(args, { "if-exists": { type: "boolean" } });
      const [topic] = expectPositionals(positionals, ["topic"]) as [string];
      try {
        await client()
          .admin()
          .deleteTopics({ topics: [topic] });
      } catch (error) {
        if (!(values["if-exists"] && isRillError(error, "UNKNOWN_TOPIC_OR_PARTITION"))) throw error;
        await out(`Topic ${topic} does not exist.\n`);
        return 0;
      }
      await out(`Deleted topic ${topic}.\n`);
      return 0;
    }
    default:
      throw new UsageError(`unknown subcommand "topics ${sub}"; expected one of ${topicSubcommands.join(", ")}`);
  }
}
