// `rill consume <topic> --group G`: reads as a member of consumer group G (kafka-console-consumer
// --group). The coordinator assigns the partitions and moves them as members come and go, so the
// members of one group share the records (each printed by one of them) while another group sees
// them all. What was printed is committed after every batch, when a partition moves away, and on
// exit, so the next member starts right after it.
//
// Without --follow a member exits once it has caught up: each partition it owns is read up to the
// end the partition had when the command started, and the coordinator confirms that it owns all it
// is meant to (it is not still waiting for a partition another member has to let go of first).

import type { Client, TopicPartition } from "@rill/client";
import { type CliIO, EXIT, write } from "./io.ts";
import { createProgress } from "./progress.ts";
import { type OutputFormat, renderMessages } from "./render.ts";

type Bytes = Uint8Array | null;

export interface GroupConsumeOptions {
  topic: string;
  groupId: string;
  /** Where a partition without a committed offset starts. */
  start: "earliest" | "latest";
  follow: boolean;
  maxMessages: number | undefined;
  format: OutputFormat;
  separator: string;
  progress: boolean;
}

/** How often a run without --follow asks whether it has caught up, while it has nothing to print. */
const CATCH_UP_CHECK_MS = 200;

const sameSet = (a: number[], b: number[]) => a.length === b.length && [...a].sort().join() === [...b].sort().join();

export async function consumeGroup(o: GroupConsumeOptions, client: () => Client, io: CliIO): Promise<number> {
  const { topic, groupId, follow, maxMessages } = o;
  const admin = client().admin();
  // the end a run without --follow stops at; an unknown topic fails here (exit 1)
  const ends = new Map((await admin.describeTopic(topic)).partitions.map((p) => [p.partition, p.highWatermark]));
  const endOf = (partition: number) => (follow ? Number.POSITIVE_INFINITY : (ends.get(partition) ?? 0));
  const consumer = client().consumer<Bytes, Bytes>({ groupId, autoOffsetReset: o.start, fetchMaxWaitMs: follow ? 5_000 : 500 });
  const progress = createProgress(io.stderr, "consumed", o.progress, io.stderrIsTTY);
  let printed = 0;
  let brokenPipe = false;
  let stopping = false;
  const stop = () => {
    stopping = true;
    void consumer.stop();
  };
  const commit = () => void consumer.commitAsync().catch(() => undefined); // a failure is logged as a warning
  const atEnd = (tp: TopicPartition) => {
    const position = consumer.position(tp);
    return position !== undefined && position >= endOf(tp.partition);
  };

  let checking = false;
  /** Without --follow: stops once every owned partition is at its end and the coordinator agrees the assignment is complete. */
  async function checkCaughtUp(): Promise<void> {
    if (follow || checking || stopping) return;
    checking = true;
    try {
      const mine = consumer.assignment();
      // nothing more to print from a partition at its end: stop fetching it
      for (const tp of mine) if (atEnd(tp)) consumer.pause([{ topic, partitions: [tp.partition] }]);
      const memberId = consumer.groupMetadata()?.memberId;
      if (!memberId || !mine.every(atEnd)) return;
      const group = await admin.describeGroup(groupId);
      const me = group.members.find((m) => m.memberId === memberId);
      const settled = me?.state === "STABLE" && group.assignmentEpoch >= group.groupEpoch && me.memberEpoch >= group.assignmentEpoch;
      const owned = me?.assignment.filter((a) => a.topic === topic).flatMap((a) => a.partitions) ?? [];
      const now = consumer.assignment();
      const local = now.map((tp) => tp.partition);
      if (settled && sameSet(owned, local) && now.every(atEnd)) stop();
    } catch {
      // asked again on the next tick; a broker that stopped answering ends the run on its own
    } finally {
      checking = false;
    }
  }

  const onPipeError = (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") brokenPipe = true;
    stop();
  };
  io.stdout.on("error", onPipeError);
  io.signal?.addEventListener("abort", stop, { once: true });
  const timer = follow ? undefined : setInterval(() => void checkCaughtUp(), CATCH_UP_CHECK_MS);
  try {
    await consumer.subscribe({ topics: [topic] });
    if (io.signal?.aborted) return EXIT.ok;
    await consumer.run({
      eachBatch: async ({ batch, resolveOffset }) => {
        const { partition, messages } = batch;
        const end = endOf(partition);
        const room = maxMessages === undefined ? messages.length : Math.max(0, maxMessages - printed);
        const take = messages.filter((m) => m.offset < end).slice(0, room);
        for (const chunk of renderMessages(topic, partition, take, o.format, o.separator)) await write(io.stdout, chunk);
        printed += take.length;
        progress.add(take.length);
        const cut = messages[take.length];
        if (cut === undefined) {
          // the rest of the batch (gaps a compaction left included) is resolved when this returns
          resolveOffset(batch.lastOffset());
        } else {
          // what was not printed must not count as consumed: seeking back to it keeps the position there
          resolveOffset(cut.offset - 1);
          try {
            consumer.seek({ topic, partition, offset: cut.offset });
          } catch {
            // revoked under the handler: the partition is no longer ours to position
          }
        }
        commit();
        if (maxMessages !== undefined && printed >= maxMessages) stop();
        else if (cut !== undefined || !follow) void checkCaughtUp();
      },
    });
  } catch (error) {
    if (!brokenPipe) throw error;
  } finally {
    if (timer) clearInterval(timer);
    io.signal?.removeEventListener("abort", stop);
    io.stdout.off("error", onPipeError);
    progress.done();
    // commits what was printed and leaves the group, so its partitions move at once
    await consumer.disconnect();
  }
  return EXIT.ok;
}
