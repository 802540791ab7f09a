// Data validation before a record leaves the producer. A topic's schema comes from the client
// (`schemas: { orders: zodSchema }` or `{ jsonSchema }`) and from the topic's own config, which the
// broker enforces too (`rill.value.schema`, `rill.key.required`); checking here fails fast, with a
// message that names the failing field, and without a round trip.
//
// Any Standard Schema (zod 3.24+/4, valibot, arktype) works: only its `~standard.validate` is used,
// so the client depends on no schema library. JSON Schema goes through the core's check (the one the
// broker enforces, on @cfworker/json-schema, which compiles nothing at run time and so works in
// Workers, where code generation is forbidden), so client and broker name failing fields alike.
// That validator is imported on first use, so an app whose topics have no JSON Schema never loads
// it (about a fifth of the client's browser bundle otherwise).

import { decodeUtf8, RillError } from "@rill/core";

/** The part of the Standard Schema v1 interface (standardschema.dev) the client calls. */
export interface StandardSchemaLike {
  readonly "~standard": {
    readonly version: 1;
    readonly vendor: string;
    readonly validate: (value: unknown) => StandardResult | Promise<StandardResult>;
  };
}

type StandardPathSegment = PropertyKey | { readonly key: PropertyKey };
type StandardResult =
  | { readonly value: unknown; readonly issues?: undefined }
  | { readonly issues: ReadonlyArray<{ readonly message: string; readonly path?: ReadonlyArray<StandardPathSegment> }> };

/** A value schema for a topic: a Standard Schema (e.g. zod), or a JSON Schema document. */
export type TopicSchema = StandardSchemaLike | { jsonSchema: object };

/** Topic configs the producer honours (the broker enforces them as well). */
export const KEY_REQUIRED_CONFIG = "rill.key.required";
export const VALUE_SCHEMA_CONFIG = "rill.value.schema";

/** Checks a logical value; resolves, or throws INVALID_RECORD naming the field. */
type Check = (value: unknown) => Promise<string | undefined> | string | undefined;

function fieldPath(segments: ReadonlyArray<StandardPathSegment>): string {
  let path = "value";
  for (const s of segments) {
    const key = typeof s === "object" && s !== null ? s.key : s;
    path += typeof key === "number" ? `[${key}]` : `.${String(key)}`;
  }
  return path;
}

function standardCheck(schema: StandardSchemaLike): Check {
  const problemOf = (result: StandardResult) => {
    const issue = result.issues?.[0];
    return issue ? `${fieldPath(issue.path ?? [])}: ${issue.message}` : undefined;
  };
  return (value) => {
    const result = schema["~standard"].validate(value);
    return result instanceof Promise ? result.then(problemOf) : problemOf(result);
  };
}

/** A JSON Schema check that loads the validator the first time it runs, then checks synchronously. */
function jsonSchemaCheck(schema: object | boolean): Check {
  let loaded: ((value: unknown) => string | undefined) | undefined;
  let loading: Promise<(value: unknown) => string | undefined> | undefined;
  return (value) => {
    if (loaded) return loaded(value);
    loading ??= import("@rill/core/json-schema").then((m) => (loaded = m.jsonSchemaCheck(schema)));
    return loading.then((check) => check(value));
  };
}

function compile(schema: TopicSchema): Check {
  if ("~standard" in schema) return standardCheck(schema);
  return jsonSchemaCheck(schema.jsonSchema);
}

/** What validation sees of a value: text and bytes are parsed as JSON, objects are taken as they are. */
function logicalValue(value: unknown): unknown {
  if (typeof value !== "string" && !(value instanceof Uint8Array)) return value;
  try {
    return JSON.parse(typeof value === "string" ? value : decodeUtf8(value));
  } catch (error) {
    throw new RillError("INVALID_RECORD", `value: not JSON, but the topic has a schema (${(error as Error).message})`, { field: "value" });
  }
}

export interface RecordValidator {
  /**
   * Throws INVALID_RECORD (naming the field) when the record breaks the topic's rules; returns a
   * promise only when a schema validates asynchronously, so the common path allocates none.
   */
  check(topic: string, config: Record<string, string>, key: Uint8Array | null, value: unknown): Promise<void> | undefined;
}

function refuse(problem: string | undefined): void {
  if (problem) throw new RillError("INVALID_RECORD", problem, { field: problem.slice(0, problem.indexOf(":")) });
}

function runChecks(checks: Check[], value: unknown, from: number): Promise<void> | undefined {
  for (let i = from; i < checks.length; i++) {
    const problem = (checks[i] as Check)(value);
    if (problem instanceof Promise) {
      return problem.then((p) => {
        refuse(p);
        return runChecks(checks, value, i + 1);
      });
    }
    refuse(problem);
  }
  return undefined;
}

export function createRecordValidator(schemas: Record<string, TopicSchema> = {}): RecordValidator {
  const given = new Map(Object.entries(schemas).map(([topic, schema]) => [topic, compile(schema)]));
  const fromConfig = new Map<string, Check>();

  function configCheck(topic: string, text: string | undefined): Check | undefined {
    if (!text) return undefined;
    let check = fromConfig.get(text);
    if (!check) {
      let schema: object;
      try {
        schema = JSON.parse(text);
      } catch {
        throw new RillError("INVALID_CONFIG", `topic ${topic} has a ${VALUE_SCHEMA_CONFIG} that is not JSON`);
      }
      check = jsonSchemaCheck(schema);
      fromConfig.set(text, check);
    }
    return check;
  }

  return {
    check(topic, config, key, value) {
      if (config[KEY_REQUIRED_CONFIG] === "true" && key === null) {
        throw new RillError("INVALID_RECORD", `key: topic ${topic} requires a key on every record (${KEY_REQUIRED_CONFIG})`, {
          field: "key",
        });
      }
      // a null value is a tombstone (a delete on compacted topics): there is nothing to validate
      if (value === null || value === undefined) return undefined;
      const checks = [given.get(topic), configCheck(topic, config[VALUE_SCHEMA_CONFIG])].filter((c): c is Check => c !== undefined);
      if (checks.length === 0) return undefined;
      return runChecks(checks, logicalValue(value), 0);
    },
  };
}
