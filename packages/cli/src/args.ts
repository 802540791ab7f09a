// Command-line parsing on node:util parseArgs, strict: an unknown option, a missing argument or a
// bad number is a UsageError (exit 2), never a guess.

import { parseArgs } from "node:util";

export class UsageError extends Error {
  override readonly name = "UsageError";
}

export type OptionSpec = Record<string, { type: "string" | "boolean"; short?: string; multiple?: boolean }>;

/** Options every command takes. */
export const globalOptions = {
  broker: { type: "string", short: "b" },
  token: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const satisfies OptionSpec;

export type Values = Record<string, string | boolean | string[] | boolean[] | undefined>;

export function parse(args: string[], options: OptionSpec): { values: Values; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({ args, options: { ...globalOptions, ...options }, strict: true, allowPositionals: true });
    return { values: values as Values, positionals };
  } catch (error) {
    const message = (error as Error).message;
    const unknown = /^Unknown option '([^']+)'/.exec(message);
    throw new UsageError(unknown ? `unknown option ${unknown[1]}` : message);
  }
}

export function str(values: Values, name: string): string | undefined {
  const v = values[name];
  return typeof v === "string" ? v : undefined;
}

export function list(values: Values, name: string): string[] {
  const v = values[name];
  return Array.isArray(v) ? (v as string[]) : typeof v === "string" ? [v] : [];
}

/** A non-negative integer option. */
export function int(values: Values, name: string, fallback?: number): number | undefined {
  const v = str(values, name);
  if (v === undefined) return fallback;
  if (!/^\d+$/.test(v)) throw new UsageError(`--${name} must be a non-negative integer, got ${JSON.stringify(v)}`);
  return Number(v);
}

export function oneOf<T extends string>(values: Values, name: string, allowed: readonly T[], fallback: T): T {
  const v = str(values, name) ?? fallback;
  if (!(allowed as readonly string[]).includes(v))
    throw new UsageError(`--${name} must be one of ${allowed.join(", ")}, got ${JSON.stringify(v)}`);
  return v as T;
}

/** key=value pairs (--config retention.ms=60000). */
export function pairs(items: string[], what: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of items) {
    const at = item.indexOf("=");
    if (at <= 0) throw new UsageError(`${what} must look like key=value, got ${JSON.stringify(item)}`);
    out[item.slice(0, at)] = item.slice(at + 1);
  }
  return out;
}

/** Exactly `names.length` positionals, named for the error message. */
export function expectPositionals(positionals: string[], names: string[]): string[] {
  if (positionals.length < names.length)
    throw new UsageError(
      `missing ${names
        .slice(positionals.length)
        .map((n) => `<${n}>`)
        .join(" ")}`,
    );
  if (positionals.length > names.length) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[names.length])}`);
  return positionals;
}

/**
 * A timestamp: ms since the epoch, or an ISO-8601 date ("2024-05-01T12:00:00Z").
 */
export function timestamp(value: string, name: string): number {
  if (/^\d+$/.test(value)) return Number(value);
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new UsageError(`--${name} must be ms since the epoch or an ISO-8601 date, got ${JSON.stringify(value)}`);
  return ms;
}

/** A consumer group id as the broker accepts it (checked here so a typo is a usage error, not a round trip). */
export function groupArg(value: string): string {
  if (!/^[A-Za-z0-9._:@=+-]{1,255}$/.test(value))
    throw new UsageError(`invalid group id ${JSON.stringify(value)}: use 1 to 255 of A-Z a-z 0-9 . _ : @ = + -`);
  return value;
}
