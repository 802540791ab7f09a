// A JSON Schema check on @cfworker/json-schema (it compiles nothing at run time, so it runs in
// Workers, where eval is forbidden). A module of its own, importing nothing else of the core: the
// client loads it with a dynamic import on first use ("@rill/core/json-schema"), and a bundler that
// inlines that import (esbuild, as wrangler runs it) must not pull shared core modules behind it.

import { Validator } from "@cfworker/json-schema";

export type ValueCheck = (value: unknown) => string | undefined;

/** A JSON Schema check that answers the deepest failing field as "value.a.b[2]: message". */
export function jsonSchemaCheck(schema: object | boolean): ValueCheck {
  const validator = new Validator(schema as ConstructorParameters<typeof Validator>[0], "2020-12", false);
  return (value) => {
    const result = validator.validate(value);
    if (result.valid) return undefined;
    const deepest = [...result.errors].sort((a, b) => b.instanceLocation.length - a.instanceLocation.length)[0];
    if (!deepest) return "value: does not match the schema";
    let path = "value";
    for (const raw of deepest.instanceLocation.replace(/^#\/?/, "").split("/")) {
      if (raw === "") continue;
      const key = raw.replace(/~1/g, "/").replace(/~0/g, "~");
      path += /^\d+$/.test(key) ? `[${key}]` : `.${key}`;
    }
    return `${path}: ${deepest.error}`;
  };
}
