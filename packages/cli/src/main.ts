// The `rill` command: finds the command, runs it, and turns every outcome into an exit code
// scripts can rely on (0 ok, 1 the broker refused or failed, 2 usage error).

import { readFileSync } from "node:fs";
import { type Client, createClient, RillError } from "@rill/client";
import { aclsCommand } from "./acls.ts";
import { globalOptions, UsageError } from "./args.ts";
import { consumeCommand } from "./consume.ts";
import { credentialsCommand } from "./credentials.ts";
import { groupsCommand } from "./groups.ts";
import { help } from "./help.ts";
import { type CliIO, EXIT } from "./io.ts";
import { produceCommand } from "./produce.ts";
import { quotasCommand } from "./quotas.ts";
import { subscriptionsCommand } from "./subscriptions.ts";
import { topicsCommand } from "./topics.ts";

export const DEFAULT_BROKER = "http://127.0.0.1:8787";

/** Global options may come before the command: `rill -b URL topics list`. */
function splitLeadingGlobals(argv: string[]): { globals: string[]; rest: string[] } {
  const withValue = new Set(
    Object.entries(globalOptions).flatMap(([name, o]) =>
      o.type !== "string" ? [] : "short" in o ? [`--${name}`, `-${o.short}`] : [`--${name}`],
    ),
  );
  let i = 0;
  while (i < argv.length && (argv[i] as string).startsWith("-") && argv[i] !== "-h" && argv[i] !== "--help") {
    i += withValue.has(argv[i] as string) ? 2 : 1;
  }
  return { globals: argv.slice(0, i), rest: argv.slice(i) };
}

function version(): string {
  try {
    return JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")).version;
  } catch {
    return "unknown";
  }
}

/** Finds the broker URL and credentials among the arguments (parsed again, strictly, by the command). */
function connection(argv: string[], io: CliIO): { broker: string; token?: string } {
  let broker = io.env.RILL_BROKER || DEFAULT_BROKER;
  let token = io.env.RILL_TOKEN || undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    const [flag, inline] =
      a.startsWith("--") && a.includes("=") ? [a.slice(0, a.indexOf("=")), a.slice(a.indexOf("=") + 1)] : [a, undefined];
    if (flag === "--broker" || flag === "-b") broker = inline ?? argv[++i] ?? broker;
    if (flag === "--token") token = inline ?? argv[++i] ?? token;
  }
  return { broker, token };
}

export async function main(argv: string[], io: CliIO = processIO()): Promise<number> {
  const { globals, rest } = splitLeadingGlobals(argv);
  const [command, ...afterCommand] = rest;
  const args = [...globals, ...afterCommand];
  const err = (text: string) => io.stderr.write(text);
  // commands with subcommands: `rill topics create`, `rill groups describe`
  const nested = ["topics", "groups", "acls", "quotas", "credentials", "subscriptions"].includes(command as string);
  const sub = nested ? afterCommand[0] : undefined;
  const helpKey = nested && sub && !sub.startsWith("-") ? `${command} ${sub}` : command;
  try {
    if (globals.includes("--version") || globals.includes("-V")) {
      io.stdout.write(`${version()}\n`);
      return EXIT.ok;
    }
    if (command === undefined || command === "help" || command === "--help" || command === "-h") {
      const topic = command === "help" ? afterCommand.join(" ") : "";
      io.stdout.write(`${help[topic] ?? help.rill}\n`);
      return command === undefined ? EXIT.usage : EXIT.ok;
    }
    if (args.includes("--help") || args.includes("-h") || (nested && sub === undefined)) {
      const text = help[helpKey as string];
      if (!text) throw new UsageError(`unknown command "${helpKey}"`);
      io.stdout.write(`${text}\n`);
      return nested && sub === undefined ? EXIT.usage : EXIT.ok;
    }
    const { broker, token } = connection(args, io);
    let client: Client | undefined;
    const getClient = () =>
      (client ??= createClient({
        brokers: [broker],
        clientId: "rill-cli",
        auth: token ? { bearer: token } : undefined,
        fetch: io.fetch,
        logger: { warn: (message) => void err(`warning: ${message}\n`) },
      }));
    switch (command) {
      case "topics":
        return await topicsCommand(sub as string, [...globals, ...afterCommand.slice(1)], getClient, io);
      case "produce":
        return await produceCommand(args, getClient, io);
      case "consume":
        return await consumeCommand(args, getClient, io);
      case "groups":
        return await groupsCommand(sub as string, [...globals, ...afterCommand.slice(1)], getClient, io);
      case "acls":
        return await aclsCommand(sub as string, [...globals, ...afterCommand.slice(1)], getClient, io);
      case "quotas":
        return await quotasCommand(sub as string, [...globals, ...afterCommand.slice(1)], getClient, io);
      case "credentials":
        return await credentialsCommand(sub as string, [...globals, ...afterCommand.slice(1)], getClient, io);
      case "subscriptions":
        return await subscriptionsCommand(sub as string, [...globals, ...afterCommand.slice(1)], getClient, io);
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      const usage = helpKey && help[helpKey] ? `${helpKey} ` : command && help[command] ? `${command} ` : "";
      err(`error: ${error.message}\nRun 'rill ${usage}--help' for usage.\n`);
      return EXIT.usage;
    }
    if (error instanceof RillError) {
      err(`error: ${error.code}: ${error.message}\n`);
      return EXIT.error;
    }
    err(`error: ${(error as Error)?.stack ?? String(error)}\n`);
    return EXIT.error;
  }
}

/**
 * The real process's streams, with Ctrl-C (and SIGTERM, what service managers and `kill` send)
 * turned into an abort, so a group member commits and leaves; a second signal exits at once.
 */
export function processIO(): CliIO {
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    controller.abort();
    process.once(signal, () => process.exit(signal === "SIGTERM" ? 143 : EXIT.interrupted));
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    stderrIsTTY: process.stderr.isTTY === true,
    signal: controller.signal,
  };
}
