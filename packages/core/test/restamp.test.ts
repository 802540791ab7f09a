// restampProducer: an uploader re-sends stored batches under its own producer identity, so the
// copy must carry the new producer fields, a valid CRC, and otherwise the very same bytes.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  batchCrcMatches,
  bytesEqual,
  compressionTypes,
  decodeBatches,
  encodeBatch,
  encodeUtf8,
  isRillError,
  readBatchHeader,
  restampProducer,
  setBaseOffset,
  setPartitionLeaderEpoch,
  verifyBatch,
} from "../src/index.ts";

const records = (n: number) =>
  Array.from({ length: n }, (_, i) => ({
    key: i % 3 ? encodeUtf8(`k${i}`) : null,
    value: i % 4 ? encodeUtf8(`value ${i}`) : null,
    headers: [{ key: "h", value: encodeUtf8(String(i)) }],
    timestamp: 1_700_000_000_000 + i,
  }));

const stamp = { producerId: 123_456_789_012, producerEpoch: 7, baseSequence: 0x7fffffff - 2 };

describe("restampProducer", () => {
  it("gives the bytes a producer would have sent, for every compression", () => {
    // zstd is refused by the codec (UNSUPPORTED_COMPRESSION_TYPE), so it has no batch to restamp
    for (const compression of compressionTypes.filter((c) => c !== "zstd")) {
      const local = encodeBatch(records(5), { compression, now: 1 });
      setBaseOffset(local, 40);
      setPartitionLeaderEpoch(local, 3);
      const before = local.slice();
      const restamped = restampProducer(local, stamp);
      // the same records encoded by a producer with that identity, stamped the same way
      const expected = encodeBatch(records(5), { compression, now: 1, ...stamp });
      setBaseOffset(expected, 40);
      setPartitionLeaderEpoch(expected, 3);
      expect(bytesEqual(restamped, expected)).toBe(true);
      expect(bytesEqual(local, before)).toBe(true); // a copy: the stored batch is untouched
      const header = verifyBatch(restamped);
      expect([header.producerId, header.producerEpoch, header.baseSequence]).toEqual([
        stamp.producerId,
        stamp.producerEpoch,
        stamp.baseSequence,
      ]);
      expect(header.baseOffset).toBe(40);
      expect(header.partitionLeaderEpoch).toBe(3);
      expect(decodeBatches([restamped])).toEqual(decodeBatches([local]));
    }
  });

  it("round-trips any records and any stamp, and can clear the producer again", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.record({
          producerId: fc.integer({ min: -1, max: Number.MAX_SAFE_INTEGER }),
          producerEpoch: fc.integer({ min: -1, max: 0x7fff }),
          baseSequence: fc.integer({ min: -1, max: 0x7fffffff }),
        }),
        (n, s) => {
          const original = encodeBatch(records(n), { producerId: 5, producerEpoch: 1, baseSequence: 9 });
          const restamped = restampProducer(original, s);
          const header = readBatchHeader(restamped);
          expect(batchCrcMatches(restamped, header)).toBe(true);
          expect([header.producerId, header.producerEpoch, header.baseSequence]).toEqual([s.producerId, s.producerEpoch, s.baseSequence]);
          expect(decodeBatches([restamped])).toEqual(decodeBatches([original]));
          const back = restampProducer(restamped, { producerId: 5, producerEpoch: 1, baseSequence: 9 });
          expect(bytesEqual(back, original)).toBe(true);
        },
      ),
    );
  });

  it("refuses anything but one intact v2 batch with CORRUPT_MESSAGE", () => {
    const good = encodeBatch(records(2));
    const flipped = good.slice();
    flipped[good.length - 1] = (flipped[good.length - 1] as number) ^ 1;
    const magic1 = good.slice();
    magic1[16] = 1;
    const twoBatches = new Uint8Array(good.length * 2);
    twoBatches.set(good);
    twoBatches.set(good, good.length);
    const trailing = new Uint8Array(good.length + 3);
    trailing.set(good);
    for (const bad of [new Uint8Array(0), new Uint8Array(10), good.subarray(0, good.length - 1), flipped, magic1, twoBatches, trailing]) {
      expect(() => restampProducer(bad, stamp)).toThrowError(expect.toSatisfy((e) => isRillError(e, "CORRUPT_MESSAGE")));
    }
  });

  it("refuses producer fields that do not fit the header with INVALID_REQUEST", () => {
    const good = encodeBatch(records(1));
    for (const bad of [
      { ...stamp, producerId: -2 },
      { ...stamp, producerId: 2 ** 64 },
      { ...stamp, producerEpoch: 0x8000 },
      { ...stamp, baseSequence: 2 ** 31 },
      { ...stamp, baseSequence: 1.5 },
      { ...stamp, producerEpoch: Number.NaN },
    ]) {
      expect(() => restampProducer(good, bad)).toThrowError(expect.toSatisfy((e) => isRillError(e, "INVALID_REQUEST")));
    }
  });
});
