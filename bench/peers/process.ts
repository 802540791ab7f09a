// Child processes of the benchmark: peers (redis-server, nats-server) and Node servers that must
// not share the load generator's event loop (Durable Streams, Rill in-process). Each runs in its own
// process group, is found ready by a line it prints or a port that answers, and is stopped by its PID.
import { type ChildProcess, spawn } from "node:child_process";
import { connect } from "node:net";

export interface Child {
  pid: number;
  /** Everything it printed so far (for error reports). */
  output(): string;
  stop(): Promise<void>;
}

export interface SpawnOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Ready once a line of its output matches (the first match is handed to `ready`). */
  readyLine?: RegExp;
  /** Ready once this TCP port on 127.0.0.1 accepts a connection. */
  readyPort?: number;
  timeoutMs?: number;
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** Starts `command` and resolves once it is ready, with the line that said so (if any). */
export async function spawnChild(
  command: string,
  args: string[],
  options: SpawnOptions,
): Promise<{ child: Child; line?: RegExpMatchArray }> {
  const proc: ChildProcess = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  let matched: RegExpMatchArray | undefined;
  const onData = (d: Buffer) => {
    output += d;
    if (output.length > 64 * 1024) output = output.slice(-32 * 1024);
    if (!matched && options.readyLine) matched = output.match(options.readyLine) ?? undefined;
  };
  proc.stdout?.on("data", onData);
  proc.stderr?.on("data", onData);
  const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
  const child: Child = {
    pid: proc.pid as number,
    output: () => output,
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      try {
        process.kill(-(proc.pid as number), "SIGTERM");
      } catch {
        return;
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-(proc.pid as number), "SIGKILL");
        } catch {
          // gone
        }
      }, 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (;;) {
    if (proc.exitCode !== null || proc.signalCode !== null) throw new Error(`${command} exited early:\n${output}`);
    if (options.readyLine && matched) return { child, line: matched };
    if (options.readyPort !== undefined && (await portOpen(options.readyPort))) return { child };
    if (Date.now() > deadline) {
      await child.stop();
      throw new Error(`${command} did not become ready:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}
