// kafkajs's option names, and a refusal for any other: a misspelt option must fail, not quietly
// leave a default in place (kafkajs itself ignores unknown keys; Rill does not).

import { KafkaJSInvalidArgument } from "./errors.ts";

export function checkKeys(where: string, options: object | undefined, known: readonly string[]): void {
  if (options === undefined || options === null) return;
  if (typeof options !== "object" || Array.isArray(options)) throw new KafkaJSInvalidArgument(`${where}: expected an options object`);
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) throw new KafkaJSInvalidArgument(`${where}: unknown option "${key}"; known options: ${known.join(", ")}`);
  }
}

/** kafkajs offsets are strings of digits; Rill's client takes numbers. */
export function offsetNumber(offset: string | number, what = "offset"): number {
  const n = typeof offset === "number" ? offset : /^-?\d+$/.test(offset) ? Number(offset) : Number.NaN;
  if (!Number.isSafeInteger(n))
    throw new KafkaJSInvalidArgument(`${what} must be an integer (a string of digits), got ${JSON.stringify(offset)}`);
  return n;
}
