// Bounds-checked big-endian reader and growable writer, with Kafka's zig-zag varints.
// Every read checks the remaining length first, so a lying length field becomes a CORRUPT_MESSAGE
// error instead of a silent half-read or a huge allocation.

import { RillError } from "./errors.ts";

const TWO_32 = 2 ** 32;

// typed by shape: a declared TextEncoder would ask every consumer for DOM types (@types/node has it as a value only)
export const utf8Encoder: { encode(input?: string): Uint8Array } = new TextEncoder();
const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

export function encodeUtf8(text: string): Uint8Array {
  return utf8Encoder.encode(text);
}

/** Decodes UTF-8, refusing malformed input rather than inventing replacement characters. */
export function decodeUtf8(bytes: Uint8Array): string {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    throw new RillError("CORRUPT_MESSAGE", "invalid UTF-8 text");
  }
}

function corrupt(what: string): never {
  throw new RillError("CORRUPT_MESSAGE", `corrupt record batch: ${what}`);
}

export class ByteReader {
  readonly bytes: Uint8Array;
  private readonly view: DataView;
  offset: number;
  readonly end: number;

  constructor(bytes: Uint8Array, start = 0, end = bytes.length) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.offset = start;
    this.end = end;
  }

  get remaining(): number {
    return this.end - this.offset;
  }

  need(n: number, what: string): void {
    if (n < 0 || this.offset + n > this.end) corrupt(`${what} runs past the end`);
  }

  int8(): number {
    this.need(1, "int8");
    return this.view.getInt8(this.offset++);
  }

  int16(): number {
    this.need(2, "int16");
    const v = this.view.getInt16(this.offset);
    this.offset += 2;
    return v;
  }

  int32(): number {
    this.need(4, "int32");
    const v = this.view.getInt32(this.offset);
    this.offset += 4;
    return v;
  }

  uint32(): number {
    this.need(4, "uint32");
    const v = this.view.getUint32(this.offset);
    this.offset += 4;
    return v;
  }

  /** int64 as a JS number; values beyond 2^53 are refused rather than rounded. */
  int64(): number {
    this.need(8, "int64");
    const hi = this.view.getInt32(this.offset);
    const lo = this.view.getUint32(this.offset + 4);
    this.offset += 8;
    const v = hi * TWO_32 + lo;
    if (!Number.isSafeInteger(v)) corrupt("int64 outside the safe integer range");
    return v;
  }

  /** Zig-zag varint of at most 10 bytes, decoded exactly up to 2^53. */
  varint(): number {
    // Most varints of a record (lengths, deltas, counts) fit one or two bytes: integer maths for
    // those, the general loop for the rest. Every append walks each record's varints once.
    const o = this.offset;
    if (o + 1 < this.end) {
      const b0 = this.bytes[o] as number;
      if (b0 < 0x80) {
        this.offset = o + 1;
        return (b0 >>> 1) ^ -(b0 & 1);
      }
      const b1 = this.bytes[o + 1] as number;
      if (b1 < 0x80) {
        const v = (b0 & 0x7f) | (b1 << 7);
        this.offset = o + 2;
        return (v >>> 1) ^ -(v & 1);
      }
    }
    return this.varintLong();
  }

  private varintLong(): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (this.offset >= this.end) corrupt("varint runs past the end");
      const b = this.bytes[this.offset++] as number;
      result += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) {
        if (!Number.isSafeInteger(result)) corrupt("varint outside the safe integer range");
        // zig-zag: even -> positive, odd -> negative
        return result % 2 === 0 ? result / 2 : -(result + 1) / 2;
      }
      scale *= 128;
    }
    return corrupt("varint longer than 10 bytes");
  }

  bytesView(length: number, what: string): Uint8Array {
    this.need(length, what);
    const v = this.bytes.subarray(this.offset, this.offset + length);
    this.offset += length;
    return v;
  }
}

export class ByteWriter {
  private buf: Uint8Array;
  private view: DataView;
  offset = 0;

  constructor(initialSize = 256) {
    this.buf = new Uint8Array(initialSize);
    this.view = new DataView(this.buf.buffer);
  }

  private ensure(n: number): void {
    if (this.offset + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.offset + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.offset));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  int8(v: number): this {
    this.ensure(1);
    this.view.setInt8(this.offset++, v);
    return this;
  }

  int16(v: number): this {
    this.ensure(2);
    this.view.setInt16(this.offset, v);
    this.offset += 2;
    return this;
  }

  int32(v: number): this {
    this.ensure(4);
    this.view.setInt32(this.offset, v);
    this.offset += 4;
    return this;
  }

  uint32(v: number): this {
    this.ensure(4);
    this.view.setUint32(this.offset, v);
    this.offset += 4;
    return this;
  }

  int64(v: number): this {
    this.ensure(8);
    writeInt64(this.view, this.offset, v);
    this.offset += 8;
    return this;
  }

  varint(v: number): this {
    // zig-zag in float arithmetic so values past 32 bits stay exact
    let z = v >= 0 ? v * 2 : -v * 2 - 1;
    this.ensure(10);
    while (z >= 128) {
      this.buf[this.offset++] = (z % 128) | 0x80;
      z = Math.floor(z / 128);
    }
    this.buf[this.offset++] = z;
    return this;
  }

  raw(bytes: Uint8Array): this {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.offset);
    this.offset += bytes.length;
    return this;
  }

  /** A copy-free view of what was written so far. */
  finish(): Uint8Array {
    return this.buf.subarray(0, this.offset);
  }
}

export function writeInt64(view: DataView, at: number, v: number): void {
  const hi = Math.floor(v / TWO_32);
  view.setInt32(at, hi);
  view.setUint32(at + 4, v - hi * TWO_32);
}

export function readInt64(view: DataView, at: number): number {
  return view.getInt32(at) * TWO_32 + view.getUint32(at + 4);
}

/** Byte length of a zig-zag varint, for sizing records before writing them. */
export function varintSize(v: number): number {
  let z = v >= 0 ? v * 2 : -v * 2 - 1;
  let n = 1;
  while (z >= 128) {
    z = Math.floor(z / 128);
    n++;
  }
  return n;
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
