// What a CLI run touches outside itself, passed in so tests can run commands in-process.

import type { Readable, Writable } from "node:stream";
import type { FetchLike } from "@rill/client";

export interface CliIO {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
  env: Record<string, string | undefined>;
  /** Progress is on by default only on a terminal. */
  stderrIsTTY: boolean;
  /** Aborted on Ctrl-C: consume --follow ends cleanly, produce stops reading and flushes. */
  signal?: AbortSignal;
  /** Overrides the global fetch (tests reach an in-process broker through it). */
  fetch?: FetchLike;
}

/** Exit codes scripts can rely on. */
export const EXIT = {
  ok: 0,
  /** The broker refused, failed or was unreachable; or a record was invalid. */
  error: 1,
  /** The command line itself was wrong. */
  usage: 2,
  /** Interrupted (Ctrl-C) before the work was done. */
  interrupted: 130,
} as const;

/** Writes, waiting for the stream to drain when its buffer is full. */
export async function write(stream: Writable, text: string | Uint8Array): Promise<void> {
  if (stream.write(text)) return;
  await new Promise<void>((resolve, reject) => {
    const done = (error?: Error) => {
      stream.off("drain", done);
      stream.off("error", done);
      if (error) reject(error);
      else resolve();
    };
    stream.once("drain", done);
    stream.once("error", done);
  });
}
