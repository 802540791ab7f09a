// Processes the packaging test starts (a Node broker, wrangler dev, a static server): each in its own
// process group so stopping it takes its children (workerd) too, all stopped by PID at the end.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { join } from "node:path";
import { freePort } from "../harness/local-broker.ts";
import { until } from "../helpers/wait.ts";

export const repoRoot = new URL("../..", import.meta.url).pathname;
export const repoBin = (name: string) => join(repoRoot, "node_modules", ".bin", name);

export const wranglerEnv = (): NodeJS.ProcessEnv => ({
  ...process.env,
  WRANGLER_SEND_METRICS: "false",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  XDG_CONFIG_HOME: join(repoRoot, ".cache", "config"),
  XDG_CACHE_HOME: join(repoRoot, ".cache"),
});

export interface Started {
  url: string;
  output(): string;
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();

function track(child: ChildProcess): { output(): string; stop(): Promise<void> } {
  running.add(child);
  let output = "";
  child.stdout?.on("data", (d) => (output += d));
  child.stderr?.on("data", (d) => (output += d));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    output: () => output,
    async stop() {
      running.delete(child);
      if (child.exitCode !== null || child.signalCode !== null) return;
      try {
        process.kill(-(child.pid as number), "SIGTERM");
      } catch {
        return; // already gone
      }
      const stopped = await Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 10_000))]);
      if (!stopped) process.kill(-(child.pid as number), "SIGKILL");
    },
  };
}

/** Stops whatever is still running (after a failure). */
export async function stopAll(): Promise<void> {
  await Promise.all(
    [...running].map(async (child) => {
      try {
        process.kill(-(child.pid as number), "SIGKILL");
      } catch {
        // gone
      }
    }),
  );
  running.clear();
}

export interface RunOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  input?: string;
  /** A hang becomes a failure after this long (default 3 minutes: generous, never the thing tested). */
  timeoutMs?: number;
}

/** Runs a command to completion; answers its stdout, or throws with all its output when it fails. */
export function run(cmd: string, args: string[], options: RunOptions): string {
  const result = spawnSync(cmd, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    input: options.input ?? "",
    encoding: "utf8",
    timeout: options.timeoutMs ?? 180_000,
    killSignal: "SIGKILL",
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) {
    const why = result.error ? String(result.error) : `exited ${result.status ?? result.signal}`;
    throw new Error(`${cmd} ${args.join(" ")} ${why}:\n${result.stdout}${result.stderr}`);
  }
  return result.stdout;
}

/** Starts `node node-broker.mjs` in the scratch project and waits for the URL it prints. */
export async function startScratchBroker(cwd: string): Promise<Started> {
  const child = spawn(process.execPath, ["node-broker.mjs"], { cwd, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  const handle = track(child);
  const url = await until(() => {
    if (child.exitCode !== null) throw new Error(`the Node broker exited:\n${handle.output()}`);
    return /listening (http:\/\/\S+)/.exec(handle.output())?.[1];
  }, "the Node broker to listen");
  return { url, ...handle };
}

/** `wrangler dev` on a config of the scratch project, on a free 127.0.0.1 port, ready when `readyPath` answers 200. */
export async function startWranglerDev(
  cwd: string,
  config: string,
  options: { readyPath: string; vars?: Record<string, string>; stateDir: string },
): Promise<Started> {
  const port = await freePort();
  const vars = Object.entries(options.vars ?? {}).flatMap(([k, v]) => ["--var", `${k}:${v}`]);
  const args = ["dev", "--config", config, "--ip", "127.0.0.1", "--port", String(port), "--inspector-port", "0"];
  args.push("--persist-to", options.stateDir, "--show-interactive-dev-session=false", ...vars);
  const child = spawn(repoBin("wrangler"), args, { cwd, env: wranglerEnv(), detached: true, stdio: ["ignore", "pipe", "pipe"] });
  const handle = track(child);
  const url = `http://127.0.0.1:${port}`;
  await until(
    async () => {
      if (child.exitCode !== null) throw new Error(`wrangler dev (${config}) exited:\n${handle.output()}`);
      try {
        return (await fetch(`${url}${options.readyPath}`)).ok;
      } catch {
        return false; // not listening yet
      }
    },
    `wrangler dev (${config}) to answer ${options.readyPath}`,
    { timeoutMs: 90_000, everyMs: 200 },
  );
  return { url, ...handle };
}
