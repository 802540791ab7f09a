// CRC-32C (Castagnoli), the checksum of Kafka's record batch v2. Slicing-by-8 tables: every append
// checks a CRC once, so this loop is on the hot path (about 8x faster than byte-at-a-time in V8).

const POLY = 0x82f63b78; // reflected Castagnoli polynomial

const TABLES: Uint32Array[] = (() => {
  const tables = Array.from({ length: 8 }, () => new Uint32Array(256));
  const t0 = tables[0] as Uint32Array;
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
    t0[n] = c >>> 0;
  }
  for (let n = 0; n < 256; n++) {
    let c = t0[n] as number;
    for (let t = 1; t < 8; t++) {
      c = (t0[c & 0xff] as number) ^ (c >>> 8);
      (tables[t] as Uint32Array)[n] = c >>> 0;
    }
  }
  return tables;
})();

const [T0, T1, T2, T3, T4, T5, T6, T7] = TABLES as [
  Uint32Array,
  Uint32Array,
  Uint32Array,
  Uint32Array,
  Uint32Array,
  Uint32Array,
  Uint32Array,
  Uint32Array,
];

/** CRC-32C of bytes[start, end). Check value: crc32c("123456789") === 0xe3069283. */
export function crc32c(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let crc = 0xffffffff;
  let i = start;
  const fast = end - ((end - start) % 8);
  // The indexed reads below are in range by construction; the non-null casts avoid per-byte checks.
  const b = bytes as unknown as number[];
  while (i < fast) {
    const lo = crc ^ ((b[i] as number) | ((b[i + 1] as number) << 8) | ((b[i + 2] as number) << 16) | ((b[i + 3] as number) << 24));
    crc =
      (T7[lo & 0xff] as number) ^
      (T6[(lo >>> 8) & 0xff] as number) ^
      (T5[(lo >>> 16) & 0xff] as number) ^
      (T4[lo >>> 24] as number) ^
      (T3[b[i + 4] as number] as number) ^
      (T2[b[i + 5] as number] as number) ^
      (T1[b[i + 6] as number] as number) ^
      (T0[b[i + 7] as number] as number);
    i += 8;
  }
  while (i < end) {
    crc = (T0[(crc ^ (b[i] as number)) & 0xff] as number) ^ (crc >>> 8);
    i++;
  }
  return (crc ^ 0xffffffff) >>> 0;
}
