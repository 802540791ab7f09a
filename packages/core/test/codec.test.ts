import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  ByteReader,
  ByteWriter,
  compressionTypes,
  crc32c,
  decodeBatch,
  decodeBatches,
  encodeBatch,
  encodeUtf8,
  isRillError,
  murmur2,
  partitionForKey,
  readBatchHeader,
  setBaseOffset,
  setPartitionLeaderEpoch,
  splitBatches,
  verifyBatch,
} from "../src/index.ts";

describe("crc32c", () => {
  it("has the standard check value", () => {
    expect(crc32c(encodeUtf8("123456789"))).toBe(0xe3069283);
    expect(crc32c(new Uint8Array(0))).toBe(0);
  });
  it("agrees with a byte-at-a-time reference on any input and range", () => {
    const reference = (b: Uint8Array) => {
      let c = 0xffffffff;
      for (const x of b) {
        c ^= x;
        for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
      }
      return (c ^ 0xffffffff) >>> 0;
    };
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), fc.nat(20), (bytes, cut) => {
        const start = Math.min(cut, bytes.length);
        expect(crc32c(bytes, start)).toBe(reference(bytes.subarray(start)));
      }),
    );
  });
});

describe("murmur2", () => {
  it("matches Kafka's published vectors (UtilsTest.testMurmur2)", () => {
    const vectors: Array<[string, number]> = [
      ["21", -973932308],
      ["foobar", -790332482],
      ["a-little-bit-long-string", -985981536],
      ["a-little-bit-longer-string", -1486304829],
      ["lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971],
      ["abc", 479470107],
    ];
    for (const [input, expected] of vectors) expect(murmur2(encodeUtf8(input))).toBe(expected);
  });
  it("maps keys to partitions like Kafka's default partitioner", () => {
    // toPositive(-790332482) = 1357151166; 1357151166 % 50 = 16
    expect(partitionForKey(encodeUtf8("foobar"), 50)).toBe(16);
  });
});

describe("varints", () => {
  it("round-trip every safe integer width", () => {
    fc.assert(
      fc.property(fc.array(fc.maxSafeInteger().map((n) => (n % 2 ? -n : n) % 2 ** 52)), (values) => {
        const w = new ByteWriter(4);
        for (const v of values) w.varint(v);
        const r = new ByteReader(w.finish());
        for (const v of values) expect(r.varint()).toBe(v);
        expect(r.remaining).toBe(0);
      }),
    );
  });
  it("round-trip every small value, where the one- and two-byte fast paths decide", () => {
    const values: number[] = [];
    for (let v = -9000; v <= 9000; v++) values.push(v);
    const w = new ByteWriter(4);
    for (const v of values) w.varint(v);
    const bytes = w.finish();
    const r = new ByteReader(bytes);
    for (const v of values) expect(r.varint()).toBe(v);
    expect(r.remaining).toBe(0);
    // a one-byte varint as the very last byte, and one cut short after its first byte
    expect(new ByteReader(Uint8Array.of(0x03)).varint()).toBe(-2);
    expect(() => new ByteReader(Uint8Array.of(0x80)).varint()).toThrow(/varint runs past the end/);
  });
  it("refuses a varint longer than 10 bytes", () => {
    expect(() => new ByteReader(new Uint8Array(11).fill(0xff)).varint()).toThrow(/varint/);
  });
});

const recordArb = fc.record({
  key: fc.option(fc.uint8Array({ maxLength: 20 }), { nil: null }),
  value: fc.option(fc.uint8Array({ maxLength: 200 }), { nil: null }),
  headers: fc.array(fc.record({ key: fc.string({ maxLength: 8 }), value: fc.option(fc.uint8Array({ maxLength: 8 }), { nil: null }) }), {
    maxLength: 3,
  }),
  timestamp: fc.integer({ min: 0, max: 2 ** 45 }),
});

describe("record batch v2", () => {
  it("round-trips records under every supported compression", () => {
    for (const compression of compressionTypes.filter((c) => c !== "zstd")) {
      fc.assert(
        fc.property(fc.array(recordArb, { minLength: 1, maxLength: 20 }), fc.nat(2 ** 40), (records, base) => {
          const bytes = encodeBatch(records, { baseOffset: base, compression, producerId: 5, producerEpoch: 1, baseSequence: 9 });
          const header = verifyBatch(bytes, { requireDenseOffsets: true });
          expect(header).toMatchObject({ baseOffset: base, recordCount: records.length, producerId: 5, producerEpoch: 1, baseSequence: 9 });
          const decoded = decodeBatch(bytes).records;
          expect(decoded.map((r) => r.offset)).toEqual(records.map((_, i) => base + i));
          decoded.forEach((r, i) => {
            const src = records[i] as (typeof records)[number];
            expect(r.key).toEqual(src.key);
            expect(r.value).toEqual(src.value);
            expect(r.headers).toEqual(src.headers);
            expect(r.timestamp).toBe(src.timestamp);
          });
        }),
        { numRuns: 30 },
      );
    }
  });

  it("keeps the CRC valid when offset and leader epoch are stamped", () => {
    const bytes = encodeBatch([{ value: encodeUtf8("x") }]);
    setBaseOffset(bytes, 123456789012);
    setPartitionLeaderEpoch(bytes, 7);
    const header = verifyBatch(bytes);
    expect(header.baseOffset).toBe(123456789012);
    expect(header.partitionLeaderEpoch).toBe(7);
  });

  it("splits concatenated batches and decodes them together", () => {
    const a = encodeBatch([{ value: encodeUtf8("a") }], { baseOffset: 0 });
    const b = encodeBatch([{ value: encodeUtf8("b") }, { value: encodeUtf8("c") }], { baseOffset: 1 });
    const both = new Uint8Array([...a, ...b]);
    expect(splitBatches(both).map((p) => p.header.recordCount)).toEqual([1, 2]);
    expect(decodeBatches([a, b]).map((r) => r.offset)).toEqual([0, 1, 2]);
    expect(decodeBatches([both]).map((r) => r.offset)).toEqual([0, 1, 2]);
  });

  it("refuses every truncation and any single flipped bit, never half-reading", () => {
    const bytes = encodeBatch([{ key: encodeUtf8("k"), value: encodeUtf8("value"), headers: [{ key: "h", value: null }] }]);
    for (let cut = 0; cut < bytes.length; cut++) {
      expect(() => verifyBatch(bytes.subarray(0, cut))).toThrow();
    }
    for (let i = 21; i < bytes.length; i++) {
      const flipped = bytes.slice();
      flipped[i] = (flipped[i] as number) ^ 0x10;
      let error: unknown;
      try {
        verifyBatch(flipped);
      } catch (e) {
        error = e;
      }
      expect(isRillError(error, "CORRUPT_MESSAGE") || isRillError(error, "UNSUPPORTED_COMPRESSION_TYPE")).toBe(true);
    }
  });

  it("refuses arbitrary garbage with a typed error", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 300 }), (bytes) => {
        try {
          for (const p of splitBatches(bytes)) verifyBatch(p.bytes);
        } catch (e) {
          expect(isRillError(e)).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });

  it("bounds decompression: a small batch cannot expand without limit", () => {
    const big = new Uint8Array(5_000_000);
    const bytes = encodeBatch([{ value: big }], { compression: "gzip" });
    expect(bytes.length).toBeLessThan(20_000);
    expect(() => verifyBatch(bytes, { maxDecompressedBytes: 1_000_000 })).toThrow(/expands past|cannot decompress/);
    for (const compression of ["snappy", "lz4"] as const) {
      const packed = encodeBatch([{ value: big }], { compression });
      expect(() => verifyBatch(packed, { maxDecompressedBytes: 1_000_000 })).toThrow(/cannot decompress/);
    }
  });

  it("reads a header without trusting the length field", () => {
    const bytes = encodeBatch([{ value: encodeUtf8("x") }]);
    new DataView(bytes.buffer).setInt32(8, 2 ** 30);
    expect(() => readBatchHeader(bytes)).toThrow(/batchLength/);
  });
});
