// `rill consume <topic>`: prints records (kafka-console-consumer, kcat -C). Without --follow it
// reads up to each partition's high watermark as it was at the start and exits, so a script gets
// a snapshot; with --follow it long-polls until Ctrl-C. With --group it reads as a member of a
// consumer group instead (consume-group.ts).

import { type Client, type ConsumedMessage, RillError, type SeekTarget } from "@rill/client";
import { expectPositionals, groupArg, int, list, oneOf, parse, str, timestamp, UsageError } from "./args.ts";
import { consumeGroup } from "./consume-group.ts";
import { type CliIO, EXIT, write } from "./io.ts";
import { createProgress } from "./progress.ts";
import { type OutputFormat, renderRecord } from "./render.ts";

type Bytes = Uint8Array | null;

export async function consumeCommand(args: string[], client: () => Client, io: CliIO): Promise<number> {
  const { values, positionals } = parse(args, {
    partition: { type: "string", short: "p", multiple: true },
    "from-beginning": { type: "boolean" },
    "from-end": { type: "boolean" },
    offset: { type: "string", short: "o" },
    timestamp: { type: "string", short: "t" },
    follow: { type: "boolean", short: "F" },
    "max-messages": { type: "string", short: "n" },
    format: { type: "string" },
    "key-separator": { type: "string", short: "K" },
    progress: { type: "boolean" },
    group: { type: "string", short: "g" },
  });
  const [topic] = expectPositionals(positionals, ["topic"]) as [string];
  const starts = ["from-beginning", "from-end", "offset", "timestamp"].filter((k) => values[k] !== undefined);
  if (starts.length > 1) throw new UsageError(`choose one of --${starts.join(", --")}`);
  const format = oneOf<OutputFormat>(values, "format", ["json", "value", "kv"], "json");
  const separator = str(values, "key-separator") ?? "\t";
  const maxMessages = int(values, "max-messages");
  const follow = values.follow === true;
  const offset = int(values, "offset");
  const at = str(values, "timestamp");
  const progressOn = values.progress === true || io.stderrIsTTY;
  const group = str(values, "group");
  if (group !== undefined) {
    const groupId = groupArg(group);
    for (const name of ["partition", "offset", "timestamp"])
      if (values[name] !== undefined)
        throw new UsageError(`--${name} does not go with --group: the group assigns partitions and positions`);
    if (maxMessages === 0) return EXIT.ok;
    const reset = values["from-end"] ? "latest" : "earliest";
    return consumeGroup({ topic, groupId, start: reset, follow, maxMessages, format, separator, progress: progressOn }, client, io);
  }
  const start: SeekTarget = values["from-end"]
    ? "latest"
    : offset !== undefined
      ? offset
      : at !== undefined
        ? { timestamp: timestamp(at, "timestamp") }
        : "earliest";

  const admin = client().admin();
  const described = await admin.describeTopic(topic);
  const all = described.partitions.map((p) => p.partition);
  const partitions = list(values, "partition").map((p) => {
    if (!/^\d+$/.test(p)) throw new UsageError(`--partition must be a non-negative integer, got ${JSON.stringify(p)}`);
    if (!all.includes(Number(p)))
      throw new RillError("UNKNOWN_TOPIC_OR_PARTITION", `topic ${topic} has no partition ${p} (it has ${all.length})`);
    return Number(p);
  });
  const chosen = partitions.length > 0 ? [...new Set(partitions)] : all;
  // the snapshot a run without --follow stops at
  const ends = new Map(described.partitions.map((p) => [p.partition, p.highWatermark]));
  const firsts = new Map<number, number>();
  if (typeof start === "object") {
    for (const o of await admin.fetchTopicOffsetsByTimestamp(topic, start.timestamp)) firsts.set(o.partition, o.offset);
  }
  for (const p of described.partitions) {
    if (typeof start === "number" && chosen.includes(p.partition) && (start < p.logStartOffset || start > p.highWatermark)) {
      throw new RillError(
        "OFFSET_OUT_OF_RANGE",
        `offset ${start} is outside partition ${p.partition}'s log [${p.logStartOffset}, ${p.highWatermark}]`,
      );
    }
    if (typeof start !== "object")
      firsts.set(p.partition, start === "earliest" ? p.logStartOffset : start === "latest" ? p.highWatermark : start);
  }
  const finished = new Set<number>();
  if (maxMessages === 0) return EXIT.ok;

  // an explicit offset out of range is the user's mistake to hear about; otherwise start where the log starts
  const consumer = client().consumer<Bytes, Bytes>({
    autoOffsetReset: offset !== undefined ? "none" : "earliest",
    fetchMaxWaitMs: follow ? 5_000 : 500,
  });
  await consumer.assign([{ topic, partitions: chosen }]);
  for (const partition of chosen) consumer.seek({ topic, partition, offset: firsts.get(partition) ?? start });
  const progress = createProgress(io.stderr, "consumed", progressOn, io.stderrIsTTY);
  let printed = 0;
  let brokenPipe = false;
  const onPipeError = (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") brokenPipe = true;
    void consumer.stop();
  };
  io.stdout.on("error", onPipeError);

  const caughtUp = (partition: number) => {
    if (follow || finished.has(partition)) return;
    finished.add(partition);
    consumer.pause([{ topic, partitions: [partition] }]);
    if (finished.size === chosen.length) void consumer.stop();
  };
  const onAbort = () => void consumer.stop();
  io.signal?.addEventListener("abort", onAbort, { once: true });
  try {
    if (!follow) {
      // partitions already at their end (or empty) have nothing to print
      for (const partition of chosen) if ((firsts.get(partition) ?? 0) >= (ends.get(partition) ?? 0)) caughtUp(partition);
      if (finished.size === chosen.length) return EXIT.ok;
    }
    await consumer.run({
      eachBatch: async ({ batch }) => {
        let text = "";
        const chunks: Array<string | Uint8Array> = [];
        const before = printed;
        const end = ends.get(batch.partition) ?? 0;
        for (const message of batch.messages as Array<ConsumedMessage<Bytes, Bytes>>) {
          if (!follow && message.offset >= end) break;
          if (maxMessages !== undefined && printed >= maxMessages) break;
          const rendered = renderRecord(topic, batch.partition, message, format, separator);
          if (typeof rendered === "string") text += rendered;
          else {
            chunks.push(text, rendered);
            text = "";
          }
          printed++;
        }
        chunks.push(text);
        for (const c of chunks) if (c.length > 0) await write(io.stdout, c);
        progress.add(printed - before);
        if (maxMessages !== undefined && printed >= maxMessages) void consumer.stop();
        if (!follow && batch.lastOffset() >= end - 1) caughtUp(batch.partition);
      },
    });
  } catch (error) {
    if (!brokenPipe) throw error;
  } finally {
    io.signal?.removeEventListener("abort", onAbort);
    io.stdout.off("error", onPipeError);
    progress.done();
    await consumer.disconnect();
  }
  return EXIT.ok;
}
