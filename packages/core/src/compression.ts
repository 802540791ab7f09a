// Compression codecs of the record batch (attribute bits 0-2, Kafka's numbering). The codecs come
// from well-kept pure-JS libraries so they run unchanged in browsers, workerd and Node. Every
// decompression is bounded: a small batch must not be able to expand into gigabytes.

import { Gunzip, gzipSync } from "fflate";
import * as lz4 from "lz4js";
import * as snappy from "snappyjs";
import { RillError } from "./errors.ts";

export const compressionTypes = ["none", "gzip", "snappy", "lz4", "zstd"] as const;
export type CompressionType = (typeof compressionTypes)[number];

export function compressionCodeOf(type: CompressionType): number {
  return compressionTypes.indexOf(type);
}

export function compressionTypeOf(code: number): CompressionType {
  const type = compressionTypes[code];
  if (type === undefined) throw new RillError("UNSUPPORTED_COMPRESSION_TYPE", `unknown compression codec ${code}`);
  return type;
}

export function isCompressionType(value: string): value is CompressionType {
  return (compressionTypes as readonly string[]).includes(value);
}

export function compress(type: CompressionType, data: Uint8Array): Uint8Array {
  switch (type) {
    case "none":
      return data;
    case "gzip":
      return gzipSync(data, { level: 6 });
    case "snappy":
      return snappy.compress(data);
    case "lz4":
      return lz4.compress(data);
    case "zstd":
      throw new RillError("UNSUPPORTED_COMPRESSION_TYPE", "zstd is not supported");
  }
}

/** Decompresses, refusing output larger than maxSize and any malformed input. */
export function decompress(type: CompressionType, data: Uint8Array, maxSize: number): Uint8Array {
  try {
    switch (type) {
      case "none":
        return data;
      case "gzip":
        return gunzipBounded(data, maxSize);
      case "snappy":
        return snappy.uncompress(data, maxSize);
      case "lz4": {
        const bound = lz4.decompressBound(data);
        if (!(bound >= 0 && bound <= maxSize)) throw new Error(`lz4 frame may expand past ${maxSize} bytes`);
        return lz4.decompress(data, bound);
      }
      case "zstd":
        throw new RillError("UNSUPPORTED_COMPRESSION_TYPE", "zstd is not supported");
    }
  } catch (error) {
    if (error instanceof RillError) throw error;
    throw new RillError("CORRUPT_MESSAGE", `cannot decompress ${type} data: ${(error as Error).message}`);
  }
}

function gunzipBounded(data: Uint8Array, maxSize: number): Uint8Array {
  const chunks: Uint8Array[] = [];
  let size = 0;
  let done = false;
  const stream = new Gunzip((chunk, final) => {
    size += chunk.length;
    if (size > maxSize) throw new Error(`gzip data expands past ${maxSize} bytes`);
    chunks.push(chunk);
    if (final) done = true;
  });
  stream.push(data, true);
  if (!done) throw new Error("truncated gzip data");
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
