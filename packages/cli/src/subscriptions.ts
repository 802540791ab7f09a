// `rill subscriptions create|list|describe|alter|pause|resume|delete`: push subscriptions, named
// <group>/<name>, on the client's subscription admin. The signing secret is printed by create and
// by `alter --rotate-secret` only.

import type { Client, SubscriptionChanges, SubscriptionDescription, SubscriptionSpec, SubscriptionTarget } from "@rill/client";
import { expectPositionals, groupArg, int, list, parse, str, timestamp, UsageError, type Values } from "./args.ts";
import { type CliIO, EXIT, write } from "./io.ts";
import { table } from "./table.ts";

export const subscriptionSubcommands = ["create", "list", "describe", "alter", "pause", "resume", "delete"] as const;

const dash = (v: number | string | null | undefined) => (v === null || v === undefined || v === "" ? "-" : String(v));

/** "<group>/<name>" as two checked names. */
function idArg(value: string): { group: string; name: string } {
  const slash = value.indexOf("/");
  if (slash <= 0 || slash === value.length - 1) throw new UsageError(`name a subscription as <group>/<name>, got ${JSON.stringify(value)}`);
  const name = value.slice(slash + 1);
  if (!/^[A-Za-z0-9._:@=+-]{1,255}$/.test(name))
    throw new UsageError(`invalid subscription name ${JSON.stringify(name)}: use 1 to 255 of A-Z a-z 0-9 . _ : @ = + -`);
  return { group: groupArg(value.slice(0, slash)), name };
}

/** Options that set a subscription's settings, shared by create and alter. */
const settingOptions = {
  topic: { type: "string", short: "t", multiple: true },
  pattern: { type: "string" },
  webhook: { type: "string" },
  service: { type: "string" },
  fetch: { type: "boolean" },
  path: { type: "string" },
  "batch-size": { type: "string" },
  "max-wait-ms": { type: "string" },
  "max-retries": { type: "string" },
  "retry-delay-ms": { type: "string" },
  "max-retry-delay-ms": { type: "string" },
  "dead-letter-topic": { type: "string" },
  "no-dead-letter-topic": { type: "boolean" },
  "max-concurrency": { type: "string" },
  "delivery-timeout-ms": { type: "string" },
  start: { type: "string" },
  encoding: { type: "string" },
  json: { type: "boolean" },
} as const;

function targetOf(values: Values): SubscriptionTarget | undefined {
  const webhook = str(values, "webhook");
  const service = str(values, "service");
  if (webhook !== undefined && service !== undefined) throw new UsageError("choose --webhook URL or --service BINDING, not both");
  if (webhook !== undefined) {
    if (values.fetch || values.path !== undefined) throw new UsageError("--fetch and --path go with --service");
    return { type: "webhook", url: webhook };
  }
  if (service !== undefined) {
    const path = str(values, "path");
    if (path !== undefined && !values.fetch) throw new UsageError("--path goes with --fetch");
    return values.fetch
      ? { type: "service", binding: service, protocol: "fetch", ...(path ? { path } : {}) }
      : { type: "service", binding: service };
  }
  if (values.fetch || values.path !== undefined) throw new UsageError("--fetch and --path go with --service");
  return undefined;
}

/** The settings the options give (only those given). */
function settings(values: Values): SubscriptionChanges {
  const topics = list(values, "topic");
  const pattern = str(values, "pattern");
  if (topics.length > 0 && pattern !== undefined) throw new UsageError("choose --topic or --pattern, not both");
  const encoding = str(values, "encoding");
  if (encoding !== undefined && encoding !== "utf8" && encoding !== "base64")
    throw new UsageError(`--encoding must be utf8 or base64, got ${JSON.stringify(encoding)}`);
  const start = str(values, "start");
  const dlq = str(values, "dead-letter-topic");
  if (dlq !== undefined && values["no-dead-letter-topic"]) throw new UsageError("choose --dead-letter-topic or --no-dead-letter-topic");
  const out: SubscriptionChanges = {
    ...(topics.length > 0 ? { topics } : {}),
    ...(pattern !== undefined ? { pattern } : {}),
    ...(start === undefined
      ? {}
      : { startAt: start === "earliest" || start === "latest" ? start : { timestamp: timestamp(start, "start") } }),
    ...(encoding === undefined ? {} : { encoding }),
    ...(dlq !== undefined ? { deadLetterTopic: dlq } : values["no-dead-letter-topic"] ? { deadLetterTopic: null } : {}),
  };
  const target = targetOf(values);
  if (target) out.target = target;
  const numbers: Array<[string, keyof SubscriptionChanges]> = [
    ["batch-size", "batchSize"],
    ["max-wait-ms", "maxWaitMs"],
    ["max-retries", "maxRetries"],
    ["retry-delay-ms", "retryDelayMs"],
    ["max-retry-delay-ms", "maxRetryDelayMs"],
    ["max-concurrency", "maxConcurrency"],
    ["delivery-timeout-ms", "deliveryTimeoutMs"],
  ];
  for (const [option, key] of numbers) {
    const n = int(values, option);
    if (n !== undefined) (out as Record<string, unknown>)[key] = n;
  }
  return out;
}

const targetText = (t: SubscriptionTarget) =>
  t.type === "webhook" ? t.url : `service ${t.binding}${t.protocol === "fetch" ? ` (fetch ${t.path ?? "/"})` : ""}`;

function describeText(d: SubscriptionDescription): string {
  const s = d.status;
  const c = s.counters;
  const sources = d.topics ? d.topics.join(", ") : `/${d.pattern}/`;
  const lines = [
    `Subscription '${d.group}/${d.name}': ${s.state}, lag ${s.lag}, ${s.inFlight} in flight → ${targetText(d.target)}`,
    `  from ${sources}; batch ${d.batchSize} (wait ${d.maxWaitMs} ms), ${d.maxConcurrency} at once, ${d.maxRetries} retries` +
      ` (${d.retryDelayMs}..${d.maxRetryDelayMs} ms), dead letters → ${d.deadLetterTopic ?? "dropped"}`,
    `  delivered ${c.delivered} (${c.redelivered} again) in ${c.deliveries} deliveries, acked ${c.acked}, retried ${c.retried},` +
      ` dead-lettered ${c.deadLettered}, dropped ${c.dropped}, unreachable ${c.unreachable}`,
  ];
  if (s.unreachableSince !== null) lines.push(`  target unreachable since ${new Date(s.unreachableSince).toISOString()}`);
  if (s.lastError) lines.push(`  last error (${new Date(s.lastError.at).toISOString()}): ${s.lastError.message}`);
  const rows = s.partitions.map((p) => [
    p.topic,
    String(p.partition),
    String(p.position),
    dash(p.highWatermark),
    dash(p.lag),
    p.inFlight ? `${p.inFlight.fromOffset}..${p.inFlight.toOffset}` : "-",
    String(p.retrying),
    String(p.deadLetterWaiting),
    p.nextAttemptAt === null ? "-" : new Date(p.nextAttemptAt).toISOString(),
  ]);
  const partitions =
    rows.length > 0
      ? `\n${table(["TOPIC", "PARTITION", "POSITION", "HIGH-WATERMARK", "LAG", "IN-FLIGHT", "RETRYING", "DLQ-WAITING", "NEXT-ATTEMPT"], rows)}`
      : "";
  return `${lines.join("\n")}\n${partitions}`;
}

export async function subscriptionsCommand(sub: string, args: string[], client: () => Client, io: CliIO): Promise<number> {
  const out = (text: string) => write(io.stdout, text);
  const admin = () => client().admin();
  switch (sub) {
    case "create": {
      const { values, positionals } = parse(args, { ...settingOptions, paused: { type: "boolean" } });
      const [id] = expectPositionals(positionals, ["group/name"]) as [string];
      const { group, name } = idArg(id);
      const given = settings(values);
      if (!given.target) throw new UsageError("say where to deliver: --webhook URL or --service BINDING");
      if (!given.topics && !given.pattern) throw new UsageError("say what to deliver: --topic TOPIC (repeatable) or --pattern REGEX");
      const spec = { ...given, group, name, target: given.target, ...(values.paused ? { paused: true } : {}) } as SubscriptionSpec;
      const created = await admin().createSubscription(spec);
      if (values.json) await out(`${JSON.stringify(created, null, 2)}\n`);
      else {
        await out(`Created subscription ${group}/${name} → ${targetText(created.subscription.target)}.\n`);
        await out(`Signing secret (shown once; 'alter --rotate-secret' issues a new one): ${created.secret}\n`);
      }
      return EXIT.ok;
    }
    case "list": {
      const { values, positionals } = parse(args, { group: { type: "string", short: "g" }, json: { type: "boolean" } });
      expectPositionals(positionals, []);
      const group = str(values, "group");
      const all = await admin().listSubscriptions(group === undefined ? {} : { group: groupArg(group) });
      if (values.json) await out(`${JSON.stringify(all)}\n`);
      else if (all.length > 0)
        await out(
          table(
            ["SUBSCRIPTION", "STATE", "TARGET", "LAG", "IN-FLIGHT", "DELIVERED", "RETRIED", "DEAD-LETTERED"],
            all.map((d) => [
              `${d.group}/${d.name}`,
              d.status.state,
              targetText(d.target),
              String(d.status.lag),
              String(d.status.inFlight),
              String(d.status.counters.delivered),
              String(d.status.counters.retried),
              String(d.status.counters.deadLettered),
            ]),
          ),
        );
      return EXIT.ok;
    }
    case "describe": {
      const { values, positionals } = parse(args, { json: { type: "boolean" } });
      const [id] = expectPositionals(positionals, ["group/name"]) as [string];
      const { group, name } = idArg(id);
      const d = await admin().describeSubscription(group, name);
      await out(values.json ? `${JSON.stringify(d, null, 2)}\n` : describeText(d));
      return EXIT.ok;
    }
    case "alter": {
      const { values, positionals } = parse(args, { ...settingOptions, "rotate-secret": { type: "boolean" } });
      const [id] = expectPositionals(positionals, ["group/name"]) as [string];
      const { group, name } = idArg(id);
      const changes = settings(values);
      if (values["rotate-secret"]) changes.rotateSecret = true;
      if (Object.keys(changes).length === 0) throw new UsageError("nothing to change: give at least one setting");
      const answer = await admin().alterSubscription(group, name, changes);
      if (values.json) await out(`${JSON.stringify(answer, null, 2)}\n`);
      else {
        await out(`Altered subscription ${group}/${name}.\n`);
        if (answer.secret) await out(`New signing secret (shown once): ${answer.secret}\n`);
      }
      return EXIT.ok;
    }
    case "pause":
    case "resume": {
      const { positionals } = parse(args, {});
      const [id] = expectPositionals(positionals, ["group/name"]) as [string];
      const { group, name } = idArg(id);
      await (sub === "pause" ? admin().pauseSubscription(group, name) : admin().resumeSubscription(group, name));
      await out(`${sub === "pause" ? "Paused" : "Resumed"} subscription ${group}/${name}.\n`);
      return EXIT.ok;
    }
    case "delete": {
      const { positionals } = parse(args, {});
      if (positionals.length === 0) throw new UsageError("missing <group/name>");
      const ids = positionals.map(idArg);
      for (const { group, name } of ids) {
        await admin().deleteSubscription(group, name);
        await out(`Deleted subscription ${group}/${name}.\n`);
      }
      return EXIT.ok;
    }
    default:
      throw new UsageError(`unknown subcommand "subscriptions ${sub}"; expected one of ${subscriptionSubcommands.join(", ")}`);
  }
}
