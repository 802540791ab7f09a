// NATS JetStream (Debian's nats-server -js, file storage) as a peer, through @nats-io/jetstream:
// one stream per topic with a subject per partition, a request of N records is N publishes awaited
// together (each answered by a PubAck once stored), tails and catch-up read an ordered consumer,
// a group member is a durable pull consumer. nats-server 2.9 writes every message to its file
// before the PubAck but fsyncs on a timer (sync_interval, 2 min; a setting to sync every write
// came with 2.10), so its default is its strongest setting here.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AckPolicy, jetstream, jetstreamManager, StorageType } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { peerBinaries } from "../../scripts/peers.mjs";
import { freePort } from "../../test/harness/local-broker.ts";
import { spawnChild } from "./process.ts";
import type { BenchTarget, OnRecords, RunningSystem, Tail } from "./types.ts";
import { padded } from "./types.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export async function startNats(): Promise<RunningSystem> {
  const dir = mkdtempSync(join(tmpdir(), "rill-bench-nats-"));
  const port = await freePort();
  const { child } = await spawnChild(peerBinaries.nats, ["-a", "127.0.0.1", "-p", String(port), "-js", "-sd", dir], { readyPort: port });
  const nc = await connect({ servers: `127.0.0.1:${port}` });
  const jsm = await jetstreamManager(nc);
  const js = jetstream(nc);
  const subject = (stream: string, partition: number) => `${stream}.${partition}`;

  const target: BenchTarget = {
    name: "nats jetstream (file)",
    system: "nats",
    durability: "written to the stream's file before the PubAck, fsync every 2 min (2.9 has no per-write sync)",

    async create(stream, partitions) {
      await jsm.streams.add({
        name: stream,
        subjects: Array.from({ length: partitions }, (_, p) => subject(stream, p)),
        storage: StorageType.File,
        max_msg_size: -1,
      });
    },

    prepare(shape) {
      const value = encoder.encode(padded("", shape.valueSize));
      return async (stream, partition) => {
        const s = subject(stream, partition);
        if (shape.perRequest === 1) {
          await js.publish(s, value);
          return;
        }
        await Promise.all(Array.from({ length: shape.perRequest }, () => js.publish(s, value)));
      };
    },

    async sendText(stream, text) {
      await js.publish(subject(stream, 0), encoder.encode(text));
    },

    async tail(stream, onRecords: OnRecords): Promise<Tail> {
      const consumer = await js.consumers.get(stream, { filter_subjects: subject(stream, 0) });
      const messages = await consumer.consume({ max_messages: 1000 });
      const loop = (async () => {
        for await (const m of messages) onRecords([decoder.decode(m.data)], performance.now());
      })().catch(() => undefined);
      return {
        async stop() {
          await messages.close();
          await loop;
        },
      };
    },

    async catchUp(stream, wanted) {
      const consumer = await js.consumers.get(stream, { filter_subjects: subject(stream, 0) });
      let records = 0;
      let bytes = 0;
      const messages = await consumer.consume({ max_messages: 10_000 });
      for await (const m of messages) {
        records++;
        bytes += m.data.length;
        if (records >= wanted) break;
      }
      await messages.close();
      return { records, bytes };
    },
  };

  const joinFirstRecord = async (stream: string, group: string): Promise<number> => {
    const started = performance.now();
    await jsm.consumers.add(stream, { durable_name: group, ack_policy: AckPolicy.Explicit, filter_subject: subject(stream, 0) });
    const consumer = await js.consumers.get(stream, group);
    const m = await consumer.next({ expires: 5000 });
    if (!m) throw new Error("no record");
    m.ack();
    return performance.now() - started;
  };

  const version = execFileSync(peerBinaries.nats, ["--version"], { encoding: "utf8" }).trim();
  return {
    system: "nats",
    version: `${version} (Debian), @nats-io/jetstream 3.4.0`,
    targets: [Object.assign(target, { joinFirstRecord })],
    async stop() {
      await nc.close();
      await child.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
