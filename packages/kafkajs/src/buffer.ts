// kafkajs hands out keys, values and header values as Node Buffers. Where the runtime has Buffer
// (Node; Workers with nodejs_compat) the real one is used; elsewhere (browsers) a small Uint8Array
// subclass with the methods kafkajs code calls on them: toString("utf8" | "base64" | "hex"), equals, toJSON.

import { encodeBase64 } from "@rill/core";

/** The subset of Node's Buffer that consumers of kafkajs messages rely on. */
export interface BufferLike extends Uint8Array {
  toString(encoding?: string): string;
}

interface BufferConstructorLike {
  from(data: ArrayBuffer, byteOffset?: number, length?: number): BufferLike;
  from(data: string, encoding?: string): BufferLike;
  isBuffer?(value: unknown): boolean;
}

class ShimBuffer extends Uint8Array {
  override toString(encoding = "utf8"): string {
    if (encoding === "base64") return encodeBase64(this);
    if (encoding === "hex") return Array.from(this, (b) => b.toString(16).padStart(2, "0")).join("");
    if (encoding === "latin1" || encoding === "binary") return String.fromCharCode(...this);
    // like Node: bytes that are not UTF-8 become U+FFFD rather than an error
    return new TextDecoder().decode(this);
  }

  equals(other: Uint8Array): boolean {
    return other.length === this.length && this.every((b, i) => b === other[i]);
  }

  toJSON(): { type: "Buffer"; data: number[] } {
    return { type: "Buffer", data: Array.from(this) };
  }
}

const NodeBuffer = (globalThis as { Buffer?: BufferConstructorLike }).Buffer;

/** Bytes as a Buffer (no copy where the runtime's Buffer can view them). */
export function toBuffer(bytes: Uint8Array): BufferLike;
export function toBuffer(bytes: Uint8Array | null): BufferLike | null;
export function toBuffer(bytes: Uint8Array | null): BufferLike | null {
  if (bytes === null) return null;
  if (NodeBuffer) return NodeBuffer.from(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.byteLength);
  return new ShimBuffer(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.byteLength) as BufferLike;
}

/** Text as a Buffer (UTF-8). */
export function bufferFrom(text: string): BufferLike {
  return toBuffer(new TextEncoder().encode(text));
}
