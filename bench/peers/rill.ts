// Rill over its HTTP protocol, the same adapter for every runtime (edge in workerd, in-process in
// Node): JSON records (POST .../records) or binary record batches (POST .../batches, the client's
// path), acks=all; tails long-poll binary fetches; catch-up reads walk the log in 4 MB answers
// (node:http, uncompressed, as the Durable Streams reader asks for its own).
import { decodeBatches, encodeBatch } from "@rill/core";
import { BATCHES_MEDIA_TYPE, HIGH_WATERMARK_HEADER, NEXT_OFFSET_HEADER } from "@rill/protocol";
import { type Answer, getBytes, request, send } from "./http.ts";
import type { BenchTarget, OnRecords, ProduceShape, Tail } from "./types.ts";
import { padded } from "./types.ts";

const JSON_TYPE = { "content-type": "application/json" };
const BINARY_TYPE = { "content-type": "application/octet-stream" };
const text = new TextDecoder();

export interface RillTargetOptions {
  url: string;
  system: string;
  label: string;
  format: "json" | "binary";
  durability: string;
}

export function rillTarget(options: RillTargetOptions): BenchTarget & { url: string; topicId(stream: string): Promise<string> } {
  const { url, format } = options;
  const topics = `${url}/v1/topics`;
  return {
    url,
    name: `${options.label} (${format})`,
    system: options.system,
    durability: options.durability,

    async create(stream, partitions) {
      await send(topics, { method: "POST", headers: JSON_TYPE, body: JSON.stringify({ name: stream, partitions, replicationFactor: 1 }) });
    },

    async topicId(stream) {
      return ((await (await request(`${topics}/${stream}`)).json()) as { topicId: string }).topicId;
    },

    prepare(shape: ProduceShape) {
      const value = padded("", shape.valueSize);
      if (format === "binary") {
        const bytes = new TextEncoder().encode(value);
        const batch = encodeBatch(Array.from({ length: shape.perRequest }, () => ({ value: bytes }))) as Uint8Array<ArrayBuffer>;
        return (stream, partition) =>
          send(`${topics}/${stream}/partitions/${partition}/batches?acks=all`, { method: "POST", headers: BINARY_TYPE, body: batch });
      }
      // one body per partition: records name their partition, as a producer choosing one would
      const bodies = new Map<number, string>();
      const bodyFor = (partition: number) => {
        let body = bodies.get(partition);
        if (!body) {
          body = JSON.stringify({ records: Array.from({ length: shape.perRequest }, () => ({ value, partition })), acks: "all" });
          bodies.set(partition, body);
        }
        return body;
      };
      return (stream, partition) => send(`${topics}/${stream}/records`, { method: "POST", headers: JSON_TYPE, body: bodyFor(partition) });
    },

    async sendText(stream, value) {
      if (format === "binary") {
        const batch = encodeBatch([{ value: new TextEncoder().encode(value) }]) as Uint8Array<ArrayBuffer>;
        await send(`${topics}/${stream}/partitions/0/batches?acks=all`, { method: "POST", headers: BINARY_TYPE, body: batch });
      } else {
        await send(`${topics}/${stream}/records`, {
          method: "POST",
          headers: JSON_TYPE,
          body: JSON.stringify({ records: [{ value, partition: 0 }], acks: "all" }),
        });
      }
    },

    async tail(stream, onRecords: OnRecords): Promise<Tail> {
      const controller = new AbortController();
      let offset = 0;
      const loop = (async () => {
        while (!controller.signal.aborted) {
          const res = await fetch(`${topics}/${stream}/partitions/0/records?offset=${offset}&maxWaitMs=5000`, {
            headers: { accept: BATCHES_MEDIA_TYPE },
            signal: controller.signal,
          });
          const bytes = new Uint8Array(await res.arrayBuffer());
          const seenAt = performance.now();
          const records = decodeBatches([bytes]).filter((r) => r.offset >= offset);
          if (records.length > 0)
            onRecords(
              records.map((r) => (r.value ? text.decode(r.value) : "")),
              seenAt,
            );
          offset = Number(res.headers.get(NEXT_OFFSET_HEADER));
        }
      })().catch(() => undefined);
      return {
        async stop() {
          controller.abort();
          await loop;
        },
      };
    },

    async catchUp(stream, wanted) {
      let offset = 0;
      let records = 0;
      let bytes = 0;
      const header = (res: Answer, name: string) => Number(res.headers[name.toLowerCase()]);
      while (records < wanted) {
        const at = `${topics}/${stream}/partitions/0/records?offset=${offset}&maxBytes=4000000`;
        if (format === "binary") {
          const res = await getBytes(at, { accept: BATCHES_MEDIA_TYPE });
          const body = new Uint8Array(res.body.buffer, res.body.byteOffset, res.body.length);
          bytes += body.length;
          // counting what a consumer would hand on: every record decoded
          records += decodeBatches([body]).filter((r) => r.offset >= offset).length;
          offset = header(res, NEXT_OFFSET_HEADER);
          if (offset >= header(res, HIGH_WATERMARK_HEADER) && records < wanted) throw new Error(`only ${records} records`);
        } else {
          const res = await getBytes(at);
          const body = res.body.toString("utf8");
          bytes += res.body.length;
          const page = JSON.parse(body) as { records: unknown[]; nextOffset: number; highWatermark: number };
          records += page.records.length;
          offset = page.nextOffset;
          if (offset >= page.highWatermark && records < wanted) throw new Error(`only ${records} records`);
        }
      }
      return { records, bytes };
    },
  };
}
