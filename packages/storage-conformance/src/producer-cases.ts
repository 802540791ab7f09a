// Idempotent producer state stays bounded: entries idle past producer.id.expiration.ms are
// forgotten by the log and deleted from storage by the next append, in its transaction (Kafka
// expires producer ids the same way). Bounds are checked by counting what is stored.
import {
  createPartitionLog,
  encodeBatch,
  encodeUtf8,
  isRillError,
  type PartitionLog,
  type ProducerEntry,
  resolveTopicConfig,
  type Storage,
  type TopicConfig,
} from "@rill/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { freshPartition, makeBatch, type StorageFixture } from "./fixture.ts";

const entry = (producerId: number, lastTimestamp: number): ProducerEntry => ({
  producerId,
  epoch: 0,
  batches: [{ firstSequence: 0, lastSequence: 0, baseOffset: producerId, lastOffset: producerId }],
  lastTimestamp,
});

const sequenced = (producerId: number, baseSequence: number, value = `p${producerId}-s${baseSequence}`) =>
  encodeBatch([{ key: encodeUtf8("k"), value: encodeUtf8(value) }], { producerId, producerEpoch: 0, baseSequence });

export function producerCases(fixture: StorageFixture): void {
  describe("producer expiration", () => {
    let storage: Storage;
    let partition: string;
    let clock: number;
    let config: TopicConfig;
    const open = (): PartitionLog => createPartitionLog({ storage, partition, config: () => config, now: () => clock });
    const storedProducers = async () => (await storage.loadPartition(partition)).producers.map((p) => p.producerId);

    beforeEach(async () => {
      storage = await fixture.create();
      partition = freshPartition();
      clock = 1_700_000_000_000;
      config = resolveTopicConfig({ "producer.id.expiration.ms": 60_000 });
    });
    afterEach(() => storage.close());

    it("deletes expired producer entries in the append's transaction, and nothing when the append is refused", async () => {
      await storage.append(partition, {
        expectedEndOffset: 0,
        batches: [makeBatch(0, 3)],
        producers: [entry(1, 5), entry(2, 5), entry(3, 5)],
      });
      const stale = storage.append(partition, { expectedEndOffset: 0, batches: [makeBatch(0, 1)], producers: [], expiredProducers: [2] });
      await expect(stale).rejects.toSatisfy((e: unknown) => isRillError(e, "CONCURRENT_APPEND"));
      expect(await storedProducers()).toEqual([1, 2, 3]);
      const renewed = entry(2, 9);
      await storage.append(partition, { expectedEndOffset: 3, batches: [makeBatch(3, 1)], producers: [renewed], expiredProducers: [1, 3] });
      expect((await storage.loadPartition(partition)).producers).toEqual([renewed]);
    });

    it("forgets producers idle past producer.id.expiration.ms: their retries are unknown, their stored state deleted", async () => {
      const log = open();
      for (let id = 100; id < 400; id++) await log.appendBatches(sequenced(id, 0));
      expect((await storedProducers()).length).toBe(300);
      clock += 61_000;
      // a producer still writing is remembered; the 300 idle ones go with this append
      await log.appendBatches(sequenced(7, 0));
      expect(await storedProducers()).toEqual([7]);
      const unknown = log.appendBatches(sequenced(100, 1));
      await expect(unknown).rejects.toSatisfy((e: unknown) => isRillError(e, "UNKNOWN_PRODUCER_ID"));
      // an expired producer may start over at sequence 0, as a new one would
      const again = await log.appendBatches(sequenced(100, 0, "again"));
      expect(again.batches[0]?.duplicate).toBe(false);
      expect(await storedProducers()).toEqual([7, 100]);
    });

    it("keeps a producer that writes within the window, however long it writes", async () => {
      const log = open();
      let last = await log.appendBatches(sequenced(5, 0));
      for (let seq = 1; seq <= 40; seq++) {
        clock += 30_000; // 20 minutes in all, never idle for a minute
        last = await log.appendBatches(sequenced(5, seq));
      }
      const retry = await log.appendBatches(sequenced(5, 40));
      expect(retry.batches[0]).toEqual({ ...last.batches[0], duplicate: true });
      const stored = (await storage.loadPartition(partition)).producers;
      expect(stored.map((p) => [p.producerId, p.batches.length])).toEqual([[5, 5]]);
    });

    it("forgets expired producers on load, and deletes them with the next append", async () => {
      const first = open();
      for (let id = 1; id <= 50; id++) await first.appendBatches(sequenced(id, 0));
      clock += 30_000;
      await first.appendBatches(sequenced(60, 0));
      clock += 40_000; // 1-50 are 70 s idle, 60 only 40 s
      const reopened = open();
      const retry = reopened.appendBatches(sequenced(1, 1));
      await expect(retry).rejects.toSatisfy((e: unknown) => isRillError(e, "UNKNOWN_PRODUCER_ID"));
      expect((await storedProducers()).length).toBe(51);
      await reopened.appendBatches(sequenced(60, 1));
      expect(await storedProducers()).toEqual([60]);
    });
  });
}
