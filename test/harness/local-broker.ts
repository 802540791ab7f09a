// Starts the real local edge broker (`wrangler dev`, workerd) on a free 127.0.0.1 port, for tests
// and benchmarks that need the whole thing: process boundaries, on-disk state, restarts, crashes.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = new URL("../..", import.meta.url).pathname;

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface LocalBrokerProcess {
  url: string;
  stateDir: string;
  /** wrangler's process id, which is also its process group's (workerd runs in that group). */
  pid: number;
  /** wrangler's inspector proxy (`http://127.0.0.1:<port>`), when `inspectorPort` was chosen. */
  inspectorUrl?: string;
  /** Stops the broker's whole process group (wrangler and its workerd children). */
  stop(signal?: "SIGTERM" | "SIGKILL"): Promise<void>;
}

export interface StartOptions {
  stateDir?: string;
  port?: number;
  vars?: Record<string, string>;
  timeoutMs?: number;
  /** Port of wrangler's inspector (Chrome DevTools Protocol) for heap snapshots; 0 (default) picks any and does not report it. */
  inspectorPort?: number;
  /**
   * Serve a bundle of the sources as they are now (no static assets), not the sources: wrangler dev
   * restarts the runtime when a watched file changes, which on a shared working tree would cut a
   * long run (a soak) in pieces.
   */
  frozen?: boolean;
  /** With `frozen`: bundle the Worker from this checkout instead of this one (to measure another commit). */
  sourceRoot?: string;
}

const wranglerEnv = () => ({
  ...process.env,
  WRANGLER_SEND_METRICS: "false",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  XDG_CONFIG_HOME: join(root, ".cache", "config"),
  XDG_CACHE_HOME: join(root, ".cache"),
});

/** Bundles the Worker as `wrangler deploy` would and writes a config that serves that file unbundled. */
function frozenConfig(sourceRoot = root): string {
  const dir = mkdtempSync(join(tmpdir(), "rill-bundle-"));
  // no static assets: a soak needs none, and a checkout to compare with may not have them built
  const source = readFileSync(join(sourceRoot, "wrangler.toml"), "utf8").replace(/^\[assets\][^[]*/m, "");
  const main = /^main = "(.*)"$/m.exec(source)?.[1] ?? "workers/src/index.ts";
  writeFileSync(join(dir, "bundle.toml"), source.replace(/^main = .*$/m, `main = "${join(sourceRoot, main)}"`));
  const built = spawnSync(
    join(root, "node_modules", ".bin", "wrangler"),
    ["deploy", "--dry-run", "--outdir", join(dir, "out"), "--config", join(dir, "bundle.toml")],
    { cwd: sourceRoot, env: wranglerEnv(), encoding: "utf8" },
  );
  if (built.status !== 0) throw new Error(`wrangler could not bundle the Worker:\n${built.stdout}${built.stderr}`);
  const config = source.replace(/^main = .*$/m, `main = "${join(dir, "out", "index.js")}"\nno_bundle = true`);
  writeFileSync(join(dir, "wrangler.toml"), config);
  return join(dir, "wrangler.toml");
}

export async function startLocalBroker(options: StartOptions = {}): Promise<LocalBrokerProcess> {
  const stateDir = options.stateDir ?? mkdtempSync(join(tmpdir(), "rill-state-"));
  const port = options.port ?? (await freePort());
  const vars = Object.entries(options.vars ?? {}).flatMap(([k, v]) => ["--var", `${k}:${v}`]);
  const inspector = ["--inspector-port", String(options.inspectorPort ?? 0)];
  const config = options.frozen ? ["--config", frozenConfig(options.sourceRoot)] : [];
  const args = ["dev", "--ip", "127.0.0.1", "--port", String(port), ...inspector, ...config, "--persist-to", stateDir, ...vars];
  const child: ChildProcess = spawn(join(root, "node_modules", ".bin", "wrangler"), args, {
    cwd: root,
    detached: true, // its own process group, so a SIGKILL takes workerd down with wrangler
    stdio: ["ignore", "pipe", "pipe"],
    env: wranglerEnv(),
  });
  let output = "";
  child.stdout?.on("data", (d) => (output += d));
  child.stderr?.on("data", (d) => (output += d));
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited early:\n${output}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      process.kill(-(child.pid as number), "SIGKILL");
      throw new Error(`wrangler dev did not become ready:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    stateDir,
    pid: child.pid as number,
    inspectorUrl: options.inspectorPort ? `http://127.0.0.1:${options.inspectorPort}` : undefined,
    async stop(signal = "SIGTERM") {
      if (child.exitCode !== null) return;
      try {
        process.kill(-(child.pid as number), signal);
      } catch {
        // already gone
      }
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    },
  };
}
