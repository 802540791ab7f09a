// Options objects refuse keys they do not know: a misspelt option (`fromBegining`, `autoCommitInterval`)
// must fail loudly, not quietly leave the default in place. Each list is typed against its options
// interface, so adding an option without listing it (or listing one that does not exist) fails to compile.

import { RillError } from "@rill/core";

export type KnownKeys<T> = { readonly [K in keyof Required<T>]: true };

/** Throws INVALID_CONFIG naming the first key of `options` that `known` lacks. */
export function checkOptions<T>(where: string, options: T | undefined, known: KnownKeys<T>): void {
  if (options === undefined || options === null) return;
  if (typeof options !== "object" || Array.isArray(options)) {
    throw new RillError("INVALID_CONFIG", `${where}: options must be an object, got ${JSON.stringify(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!Object.hasOwn(known, key)) {
      throw new RillError(
        "INVALID_CONFIG",
        `${where}: unknown option ${JSON.stringify(key)}; known options: ${Object.keys(known).join(", ")}`,
        {
          option: key,
        },
      );
    }
  }
}
