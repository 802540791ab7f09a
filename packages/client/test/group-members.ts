// The members and the stream of the consumer group suite (group-suite.ts): keys that cover every
// partition, a keyed stream whose values count up per key, and a group member that logs what it
// handles under which member epoch and can crash.
import { encodeUtf8, partitionForKey } from "@rill/core";
import { sleep } from "../../../test/helpers/wait.ts";
import { type Client, type Consumer, deserializers } from "../src/index.ts";
import { killable, type Processed } from "./group-tools.ts";
import { baseFetch, type ClientFixture, fixtureClient } from "./suite.ts";

export type StringConsumer = Consumer<string | null, string | null>;

/** Keys that cover every partition at least twice, so every member has records of several keys. */
export function keysFor(partitions: number): string[] {
  const keys: string[] = [];
  const perPartition = new Array<number>(partitions).fill(0);
  for (let i = 0; perPartition.some((n) => n < 2); i++) {
    const key = `key-${i}`;
    const p = partitionForKey(encodeUtf8(key), partitions);
    if ((perPartition[p] as number) >= 3) continue;
    perPartition[p] = (perPartition[p] as number) + 1;
    keys.push(key);
  }
  return keys;
}

/** A keyed stream: each key's records carry "key:seq" values, seq counting up per key. */
export function keyedStream(client: Client, topic: string, keys: string[]) {
  const producer = client.producer({ lingerMs: 2 });
  const seqs = new Map<string, number>();
  let sent = 0;
  return {
    async produce(count: number) {
      const messages = Array.from({ length: count }, (_, i) => {
        const key = keys[(sent + i) % keys.length] as string;
        const seq = seqs.get(key) ?? 0;
        seqs.set(key, seq + 1);
        return { key, value: `${key}:${seq}` };
      });
      sent += count;
      await producer.send({ topic, messages });
    },
    close: () => producer.disconnect(),
  };
}

/** A group member that logs every record it handles with its member epoch, and can crash. */
export function groupMember(
  fixture: ClientFixture,
  name: string,
  log: Processed[],
  groupId: string,
  topics: string[],
  options: Parameters<Client["consumer"]>[0] = {},
  onRecord?: (consumer: StringConsumer, handled: number) => Promise<unknown> | undefined,
) {
  const network = killable(baseFetch(fixture));
  const client = fixtureClient(
    { ...fixture, fetch: network.fetch },
    { retry: { initialRetryTime: 20, retries: 3 }, logger: { warn: (m) => console.log(`[${name}] ${m}`) } },
  );
  const consumer = client.consumer({
    groupId,
    autoOffsetReset: "earliest",
    fetchMaxWaitMs: 100,
    autoCommitIntervalMs: 200,
    ...options,
    deserializers: { key: deserializers.string, value: deserializers.string },
  }) as StringConsumer;
  let dead = false;
  let handled = 0;
  const running = consumer.subscribe({ topics }).then(() =>
    consumer.run({
      eachMessage: async ({ partition, message }) => {
        if (dead) return; // a process that is gone handles nothing
        const [key, seq] = (message.value as string).split(":") as [string, string];
        const epoch = consumer.groupMetadata()?.memberEpoch ?? -1;
        log.push({ member: name, epoch, partition, offset: message.offset, key, seq: Number(seq) });
        handled++;
        await onRecord?.(consumer, handled);
        // pacing, not waiting: yield now and then, so rebalances land in the middle of the stream
        if (handled % 5 === 0) await sleep(1);
      },
    }),
  );
  running.catch(() => undefined);
  return {
    consumer,
    running,
    handled: () => handled,
    /** Stops heartbeating, fetching and committing at once, without leaving. */
    crash() {
      dead = true;
      network.kill();
    },
  };
}
