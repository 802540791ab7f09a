// `rill produce <topic>`: lines from stdin or a file become records (kafka-console-producer, kcat -P).
// Lines are sent in chunks through the client's producer, whose buffer memory pushes back on
// reading when the broker is slower than the input.

import { createReadStream, existsSync } from "node:fs";
import { createInterface } from "node:readline";
import type { Client, Message } from "@rill/client";
import { RillError } from "@rill/client";
import { expectPositionals, int, list, oneOf, pairs, parse, str, UsageError } from "./args.ts";
import { type CliIO, EXIT } from "./io.ts";
import { createProgress } from "./progress.ts";

const CHUNK = 500;
const SENDS_IN_FLIGHT = 16;

export async function produceCommand(args: string[], client: () => Client, io: CliIO): Promise<number> {
  const { values, positionals } = parse(args, {
    file: { type: "string", short: "f" },
    "key-separator": { type: "string", short: "K" },
    key: { type: "string", short: "k" },
    header: { type: "string", short: "H", multiple: true },
    partition: { type: "string", short: "p" },
    acks: { type: "string" },
    compression: { type: "string" },
    "batch-size": { type: "string" },
    "linger-ms": { type: "string" },
    progress: { type: "boolean" },
  });
  const [topic] = expectPositionals(positionals, ["topic"]) as [string];
  const separator = str(values, "key-separator");
  const fixedKey = str(values, "key");
  const headers = pairs(list(values, "header"), "--header");
  const partition = int(values, "partition");
  const acks = oneOf(values, "acks", ["0", "1", "all", "-1"] as const, "all");
  const compression = oneOf(values, "compression", ["none", "gzip", "snappy", "lz4"] as const, "none");
  const file = str(values, "file");
  if (file !== undefined && !existsSync(file)) throw new UsageError(`--file ${file}: no such file`);

  const producer = client().producer({
    compression,
    batchSize: int(values, "batch-size"),
    lingerMs: int(values, "linger-ms"),
  });
  // fail before reading any input when the topic does not exist or the broker is unreachable
  await client().admin().describeTopic(topic);
  const input = file ? createReadStream(file) : io.stdin;
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  const progress = createProgress(io.stderr, "produced", values.progress === true || io.stderrIsTTY, io.stderrIsTTY);
  const pending = new Set<Promise<void>>();
  let failure: unknown;
  let chunk: Array<Message<string, string>> = [];
  let lineNumber = 0;

  const send = () => {
    if (chunk.length === 0) return;
    const messages = chunk;
    chunk = [];
    const sent = producer.send({ topic, acks: acks === "all" ? "all" : (Number(acks) as 0 | 1 | -1), messages }).then(
      (metadata) => progress.add(metadata.length),
      (error: unknown) => {
        failure ??= error;
      },
    );
    pending.add(sent);
    void sent.finally(() => pending.delete(sent));
  };

  const onAbort = () => lines.close();
  io.signal?.addEventListener("abort", onAbort, { once: true });
  try {
    for await (const line of lines) {
      lineNumber++;
      if (failure !== undefined) break;
      if (line === "") continue;
      let key: string | null = fixedKey ?? null;
      let value = line;
      if (separator !== undefined) {
        const at = line.indexOf(separator);
        if (at < 0) {
          failure = new RillError("INVALID_RECORD", `line ${lineNumber} has no key separator ${JSON.stringify(separator)}`);
          break;
        }
        key = line.slice(0, at);
        value = line.slice(at + separator.length);
      }
      chunk.push({ key, value, headers, partition });
      if (chunk.length >= CHUNK) {
        send();
        while (pending.size >= SENDS_IN_FLIGHT) await Promise.race(pending);
      }
    }
    if (failure === undefined) send();
    await Promise.all(pending);
    await producer.disconnect();
  } finally {
    io.signal?.removeEventListener("abort", onAbort);
    lines.close();
    progress.done();
  }
  if (failure !== undefined) throw failure;
  return io.signal?.aborted ? EXIT.interrupted : EXIT.ok;
}
