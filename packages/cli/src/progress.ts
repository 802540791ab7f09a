// Rates on stderr for long produce and consume runs: rewritten in place on a terminal, one line
// per second otherwise (with --progress), and a summary at the end.

import type { Writable } from "node:stream";

export interface Progress {
  add(records: number): void;
  /** Stops ticking and prints the summary. */
  done(): void;
}

const number = (n: number) => Math.round(n).toLocaleString("en-US");

export function createProgress(stream: Writable, verb: string, enabled: boolean, tty: boolean): Progress {
  const started = Date.now();
  let count = 0;
  let lastCount = 0;
  let lastAt = started;
  if (!enabled) return { add: (n) => void (count += n), done: () => undefined };
  const tick = setInterval(() => {
    const now = Date.now();
    const rate = ((count - lastCount) * 1000) / Math.max(1, now - lastAt);
    lastCount = count;
    lastAt = now;
    const line = `${verb} ${number(count)} records (${number(rate)}/s)`;
    stream.write(tty ? `\r\x1b[K${line}` : `${line}\n`);
  }, 1000);
  tick.unref?.();
  return {
    add: (n) => void (count += n),
    done() {
      clearInterval(tick);
      const seconds = Math.max(0.001, (Date.now() - started) / 1000);
      stream.write(`${tty ? "\r\x1b[K" : ""}${verb} ${number(count)} records in ${seconds.toFixed(1)} s (${number(count / seconds)}/s)\n`);
    },
  };
}
