// The Durable Streams reference server as a peer: JSON streams (a POST of a JSON array appends one
// message per element) and binary streams (a POST appends its body as one message), one stream
// per partition, every append fdatasync'ed before the answer (its only setting). Reads ask for
// identity encoding, as Rill's answers are not compressed either.
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getBytes, send } from "./http.ts";
import { spawnChild } from "./process.ts";
import type { BenchTarget, OnRecords, RunningSystem, Tail } from "./types.ts";
import { padded } from "./types.ts";

const root = new URL("../..", import.meta.url).pathname;
const NEXT_OFFSET = "stream-next-offset";

function dsTarget(base: string, format: "json" | "binary"): BenchTarget {
  const type = format === "json" ? "application/json" : "application/octet-stream";
  const path = (stream: string, partition: number) => `${base}/v1/stream/${stream}-${partition}`;
  let valueSize = 100;
  return {
    name: `durable-streams (${format})`,
    system: "durable-streams",
    durability: "fdatasync of the stream's file before the answer (its only mode)",

    async create(stream, partitions) {
      for (let p = 0; p < partitions; p++) await send(path(stream, p), { method: "PUT", headers: { "content-type": type } });
    },

    prepare(shape) {
      valueSize = shape.valueSize;
      const value = padded("", shape.valueSize);
      const body =
        format === "json"
          ? JSON.stringify(Array.from({ length: shape.perRequest }, () => value))
          : new TextEncoder().encode(value.repeat(shape.perRequest));
      return (stream, partition) => send(path(stream, partition), { method: "POST", headers: { "content-type": type }, body });
    },

    async sendText(stream, text) {
      const body = format === "json" ? JSON.stringify([text]) : text;
      await send(path(stream, 0), { method: "POST", headers: { "content-type": type }, body });
    },

    async tail(stream, onRecords: OnRecords): Promise<Tail> {
      if (format !== "json") throw new Error("binary Durable Streams have no message framing to tail by");
      const controller = new AbortController();
      let offset = "-1";
      const loop = (async () => {
        while (!controller.signal.aborted) {
          const res = await fetch(`${path(stream, 0)}?offset=${offset}&live=long-poll`, { signal: controller.signal });
          const body = await res.text();
          const seenAt = performance.now();
          if (res.status === 200 && body.length > 0) onRecords(JSON.parse(body) as string[], seenAt);
          offset = res.headers.get(NEXT_OFFSET) ?? offset;
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
      let offset = "-1";
      let records = 0;
      let bytes = 0;
      while (records < wanted) {
        const res = await getBytes(`${path(stream, 0)}?offset=${offset}`, { "accept-encoding": "identity" });
        const body = res.body;
        bytes += body.byteLength;
        if (format === "json") records += (JSON.parse(body.toString("utf8")) as unknown[]).length;
        else records += Math.floor(body.byteLength / valueSize);
        const next = res.headers[NEXT_OFFSET] as string | undefined;
        if (!next || (next === offset && records < wanted)) throw new Error(`only ${records} records`);
        offset = next;
      }
      return { records, bytes };
    },
  };
}

export async function startDurableStreams(): Promise<RunningSystem> {
  const dataDir = mkdtempSync(join(tmpdir(), "rill-bench-ds-"));
  const { child, line } = await spawnChild(join(root, "node_modules", ".bin", "tsx"), [join(root, "bench/peers/ds-server.ts"), dataDir], {
    cwd: root,
    readyLine: /listening (http:\/\/\S+)/,
  });
  const url = line?.[1] as string;
  const version = (createRequire(import.meta.url)("@durable-streams/server/package.json") as { version: string }).version;
  return {
    system: "durable-streams",
    version: `@durable-streams/server ${version} (file-backed)`,
    targets: [dsTarget(url, "json"), dsTarget(url, "binary")],
    async stop() {
      await child.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
