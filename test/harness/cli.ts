// The `rill` command line for tests: in-process against an in-process broker (fast, exact output),
// with the same entry point the launcher calls, so only the process boundary is left out.
import { PassThrough, Readable } from "node:stream";
import { createNodeBroker } from "@rill/node";
import { main } from "../../packages/cli/src/index.ts";

export type AppFetch = (input: string, init: RequestInit) => Promise<Response>;

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  stdin?: string | Buffer;
  signal?: AbortSignal;
  /** Called with everything printed so far, on every write. */
  onStdout?: (all: string) => void;
  fetch?: AppFetch;
}

export const cliBin = new URL("../../packages/cli/bin/rill.mjs", import.meta.url).pathname;
export const repoRoot = new URL("../..", import.meta.url).pathname;

/** A fresh in-process broker (memory storage) and a `rill(argv)` that runs the CLI against it. */
export function inProcessCli() {
  const node = createNodeBroker();
  const appFetch: AppFetch = node.fetch;
  async function rill(argv: string[], options: RunOptions = {}): Promise<Run> {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let out = "";
    let err = "";
    stdout.on("data", (d) => {
      out += d;
      options.onStdout?.(out);
    });
    stderr.on("data", (d) => (err += d));
    const code = await main(argv, {
      stdin: Readable.from(options.stdin === undefined ? [] : [options.stdin]),
      stdout,
      stderr,
      env: { RILL_BROKER: "http://rill.test" },
      stderrIsTTY: false,
      signal: options.signal,
      fetch: options.fetch ?? appFetch,
    });
    return { code, stdout: out, stderr: err };
  }
  return { node, appFetch, rill };
}
