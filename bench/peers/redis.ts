// Redis Streams (Debian's redis-server) as a peer, through ioredis: one stream key per partition,
// a request of N records is a pipeline of N XADDs, tails block in XREAD, catch-up pages with XRANGE,
// a group member joins with XGROUP CREATE + XREADGROUP. Two servers side by side: AOF with
// appendfsync always (an fsync before each reply: its strongest acknowledged durability) and
// everysec (the AOF setting Redis recommends). Snapshots are off in both.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { peerBinaries } from "../../scripts/peers.mjs";
import { freePort } from "../../test/harness/local-broker.ts";
import { type Child, spawnChild } from "./process.ts";
import type { BenchTarget, OnRecords, RunningSystem, Tail } from "./types.ts";
import { padded } from "./types.ts";

type Fsync = "always" | "everysec";

function redisTarget(port: number, fsync: Fsync): BenchTarget & { close(): Promise<void> } {
  const redis = new Redis({ host: "127.0.0.1", port, lazyConnect: false, maxRetriesPerRequest: 1 });
  const key = (stream: string, partition: number) => `${stream}:${partition}`;
  const followers: Redis[] = [];
  return {
    name: `redis (appendfsync ${fsync})`,
    system: "redis",
    durability:
      fsync === "always" ? "AOF, fsync before each reply" : "AOF, fsync once a second (up to 1 s of acknowledged writes can be lost)",

    async create() {
      // streams come into being with their first XADD
    },

    prepare(shape) {
      const value = padded("", shape.valueSize);
      return async (stream, partition) => {
        const k = key(stream, partition);
        if (shape.perRequest === 1) {
          await redis.xadd(k, "*", "v", value);
          return;
        }
        const pipeline = redis.pipeline();
        for (let i = 0; i < shape.perRequest; i++) pipeline.xadd(k, "*", "v", value);
        const results = await pipeline.exec();
        const failed = results?.find(([error]) => error);
        if (failed) throw failed[0];
      };
    },

    async sendText(stream, text) {
      await redis.xadd(key(stream, 0), "*", "v", text);
    },

    async tail(stream, onRecords: OnRecords): Promise<Tail> {
      const follower = redis.duplicate();
      followers.push(follower);
      let last = "0";
      let stopped = false;
      const loop = (async () => {
        while (!stopped) {
          const answer = (await follower.xread("COUNT", 10_000, "BLOCK", 1000, "STREAMS", key(stream, 0), last)) as Array<
            [string, Array<[string, string[]]>]
          > | null;
          const seenAt = performance.now();
          const entries = answer?.[0]?.[1] ?? [];
          if (entries.length === 0) continue;
          last = (entries[entries.length - 1] as [string, string[]])[0];
          onRecords(
            entries.map(([, fields]) => fields[1] ?? ""),
            seenAt,
          );
        }
      })().catch(() => undefined);
      return {
        async stop() {
          stopped = true;
          await loop;
          follower.disconnect();
        },
      };
    },

    async catchUp(stream, wanted) {
      let from = "-";
      let records = 0;
      let bytes = 0;
      while (records < wanted) {
        const page = await redis.xrange(key(stream, 0), from, "+", "COUNT", 10_000);
        if (page.length === 0) throw new Error(`only ${records} records`);
        for (const [, fields] of page) bytes += (fields[1] ?? "").length;
        records += page.length;
        from = `(${(page[page.length - 1] as [string, string[]])[0]}`;
      }
      return { records, bytes };
    },

    async joinFirstRecord(stream: string, group: string): Promise<number> {
      const member = redis.duplicate();
      try {
        const started = performance.now();
        await member.xgroup("CREATE", key(stream, 0), group, "0");
        const answer = await member.xreadgroup("GROUP", group, "member-1", "COUNT", 1, "BLOCK", 5000, "STREAMS", key(stream, 0), ">");
        if (!answer) throw new Error("no record");
        return performance.now() - started;
      } finally {
        member.disconnect();
      }
    },

    async close() {
      for (const f of followers) f.disconnect();
      redis.disconnect();
    },
  };
}

export async function startRedis(): Promise<RunningSystem> {
  const children: Child[] = [];
  const dirs: string[] = [];
  const targets: Array<ReturnType<typeof redisTarget>> = [];
  try {
    for (const fsync of ["always", "everysec"] as const) {
      const dir = mkdtempSync(join(tmpdir(), `rill-bench-redis-${fsync}-`));
      dirs.push(dir);
      const port = await freePort();
      const args = ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--appendonly", "yes"];
      const { child } = await spawnChild(peerBinaries.redis, [...args, "--appendfsync", fsync, "--daemonize", "no"], { readyPort: port });
      children.push(child);
      targets.push(redisTarget(port, fsync));
    }
  } catch (error) {
    for (const c of children) await c.stop();
    throw error;
  }
  const version = execFileSync(peerBinaries.redis, ["--version"], { encoding: "utf8" }).match(/v=(\S+)/)?.[1] ?? "?";
  return {
    system: "redis",
    version: `redis-server ${version} (Debian), ioredis 6.0.0`,
    targets,
    async stop() {
      for (const t of targets) await t.close();
      for (const c of children) await c.stop();
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    },
  };
}
