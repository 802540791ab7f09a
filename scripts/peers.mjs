// Debian packages the benchmark drives as peers, installed on demand with apt-get the way
// scripts/chromium.mjs installs Chromium: redis-server (Redis Streams) and nats-server (JetStream).
// Their services are not started by the install (RUNLEVEL=1): the bench starts each on 127.0.0.1
// on a free port of its own and stops it by PID.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

export const peerBinaries = { redis: "/usr/bin/redis-server", nats: "/usr/sbin/nats-server" };

const packages = [
  { path: peerBinaries.redis, pkg: "redis-server" },
  { path: peerBinaries.nats, pkg: "nats-server" },
];

/** Installs the missing peers; answers which binaries exist afterwards (a peer that is missing is reported, not fatal). */
export function ensurePeers(log = console.error) {
  const missing = packages.filter((p) => !existsSync(p.path)).map((p) => p.pkg);
  if (missing.length > 0) {
    log(`▶ installing Debian packages the benchmark compares against: ${missing.join(", ")}`);
    const root = process.getuid?.() === 0;
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive", RUNLEVEL: "1" };
    const apt = (...args) =>
      spawnSync(root ? "apt-get" : "sudo", root ? args : ["apt-get", ...args], { stdio: ["ignore", "ignore", "inherit"], env });
    apt("update", "-qq");
    apt("install", "-y", "-qq", "--no-install-recommends", ...missing);
  }
  return { redis: existsSync(peerBinaries.redis), nats: existsSync(peerBinaries.nats) };
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(ensurePeers());
