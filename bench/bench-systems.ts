// Starts every system npm run bench compares, each on 127.0.0.1 on a free port: Rill at the edge
// (workerd through Miniflare, and through `wrangler dev` as `npm start` runs it), Rill in-process
// (Node), the Durable Streams reference server, Redis Streams and NATS JetStream. A system that
// cannot start is reported with its reason, never silently dropped.
import { createRequire } from "node:module";
import { join } from "node:path";
import { ensurePeers } from "../scripts/peers.mjs";
import { startLocalBroker } from "../test/harness/local-broker.ts";
import { checkoutBaseline } from "./peers/baseline.ts";
import { startWorkerdCeiling } from "./peers/ceiling.ts";
import { startDurableStreams } from "./peers/durable-streams.ts";
import { startNats } from "./peers/nats.ts";
import { spawnChild } from "./peers/process.ts";
import { startRedis } from "./peers/redis.ts";
import { rillTarget } from "./peers/rill.ts";
import { type MiniflareEdge, startMiniflareEdge } from "./peers/rill-edge.ts";
import type { MissingSystem, RunningSystem } from "./peers/types.ts";

const root = new URL("..", import.meta.url).pathname;
const require = createRequire(import.meta.url);
const versionOf = (pkg: string) => (require(`${pkg}/package.json`) as { version: string }).version;

export type SystemName = "ceiling" | "rill-edge" | "rill-wrangler" | "rill-node" | "durable-streams" | "redis" | "nats";
export const ALL_SYSTEMS: SystemName[] = ["ceiling", "rill-edge", "rill-wrangler", "rill-node", "durable-streams", "redis", "nats"];

const EDGE_DURABILITY = "acks=all: the batch is in the partition object's SQLite (output gate) before the answer";

export interface Systems {
  running: RunningSystem[];
  missing: MissingSystem[];
  /** The Miniflare edge, for the cost counters. */
  edge?: MiniflareEdge;
  stop(): Promise<void>;
}

async function startEdge(baseline?: string): Promise<{ system: RunningSystem; edge: MiniflareEdge }> {
  const sourceRoot = baseline ? checkoutBaseline(baseline) : undefined;
  const edge = await startMiniflareEdge({ sourceRoot });
  const system = baseline ? `rill-edge@${baseline.slice(0, 10)}` : "rill-edge";
  const label = baseline ? `rill edge @${baseline.slice(0, 10)}` : "rill edge";
  const target = (format: "json" | "binary") => rillTarget({ url: edge.url, system, label, format, durability: EDGE_DURABILITY });
  return {
    edge,
    system: {
      system,
      version: `workerd via miniflare ${versionOf("miniflare")}, SQLite on disk`,
      targets: [target("binary"), target("json")],
      stop: () => edge.stop(),
    },
  };
}

async function startWrangler(): Promise<RunningSystem> {
  // frozen: a bundle of the sources as they are now, so edits by others do not restart it mid-run
  const broker = await startLocalBroker({ frozen: true });
  const target = (format: "json" | "binary") =>
    rillTarget({ url: broker.url, system: "rill-wrangler", label: "rill wrangler dev", format, durability: EDGE_DURABILITY });
  return {
    system: "rill-wrangler",
    version: `wrangler dev ${versionOf("wrangler")} (npm start), SQLite on disk`,
    targets: [target("binary"), target("json")],
    stop: () => broker.stop(),
  };
}

async function startRillNode(): Promise<RunningSystem> {
  const { child, line } = await spawnChild(join(root, "node_modules", ".bin", "tsx"), [join(root, "bench/peers/node-server.ts")], {
    cwd: root,
    readyLine: /listening (http:\/\/\S+)/,
  });
  const url = line?.[1] as string;
  const durability = "acks=all into memory (@rill/node's default storage): nothing on disk";
  const target = (format: "json" | "binary") => rillTarget({ url, system: "rill-node", label: "rill node", format, durability });
  return {
    system: "rill-node",
    version: `@rill/node on Node ${process.versions.node}, memory storage, own process`,
    targets: [target("binary"), target("json")],
    stop: () => child.stop(),
  };
}

export interface StartOptions {
  /** Also run the edge as of these commits (before/after ratios of the changes since). */
  baselines?: string[];
}

export async function startSystems(
  wanted: readonly SystemName[],
  log: (line: string) => void,
  options: StartOptions = {},
): Promise<Systems> {
  const running: RunningSystem[] = [];
  const missing: MissingSystem[] = [];
  let edge: MiniflareEdge | undefined;
  const peers = wanted.includes("redis") || wanted.includes("nats") ? ensurePeers(log) : { redis: false, nats: false };
  for (const name of wanted) {
    log(`starting ${name}`);
    try {
      if (name === "ceiling") running.push(await startWorkerdCeiling());
      else if (name === "rill-edge") {
        const started = await startEdge();
        edge = started.edge;
        running.push(started.system);
        for (const commit of options.baselines ?? []) running.push((await startEdge(commit)).system);
      } else if (name === "rill-wrangler") running.push(await startWrangler());
      else if (name === "rill-node") running.push(await startRillNode());
      else if (name === "durable-streams") running.push(await startDurableStreams());
      else if (name === "redis") {
        if (!peers.redis) throw new Error("redis-server is not installed and apt-get could not install it");
        running.push(await startRedis());
      } else if (name === "nats") {
        if (!peers.nats) throw new Error("nats-server is not installed and apt-get could not install it");
        running.push(await startNats());
      }
    } catch (error) {
      const reason =
        String((error as Error)?.message ?? error)
          .split("\n")[0]
          ?.slice(0, 300) ?? "unknown";
      log(`  ${name} could not start: ${reason}`);
      missing.push({ system: name, reason });
    }
  }
  return {
    running,
    missing,
    edge,
    async stop() {
      for (const s of running) await s.stop().catch((error: unknown) => log(`stopping ${s.system}: ${String(error)}`));
    },
  };
}
