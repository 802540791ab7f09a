// Reading requests: content types, JSON bodies through zod, and query/path parameters, each
// refused with INVALID_REQUEST (or 415) that names the bad field.

import { RillError } from "@rill/core";
import type { Context } from "hono";
import type { z } from "zod";

export function invalid(message: string): RillError {
  return new RillError("INVALID_REQUEST", message);
}

export function requireContentType(c: Context, ...accepted: string[]): void {
  const type = (c.req.header("content-type") ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  if (!accepted.includes(type)) {
    throw new RillError("UNSUPPORTED_MEDIA_TYPE", `expected Content-Type ${accepted.join(" or ")}, got ${type || "none"}`);
  }
}

export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? i.path.join(".") : "body"}: ${i.message}`)
    .join("; ");
}

export async function jsonBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.infer<S>> {
  requireContentType(c, "application/json");
  let raw: unknown;
  try {
    raw = JSON.parse(await c.req.text());
  } catch (error) {
    throw invalid(`request body is not valid JSON: ${(error as Error).message}`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw invalid(describeIssues(parsed.error));
  return parsed.data;
}

/** A non-negative integer from the path or query, with a default when absent. */
export function intParam(value: string | undefined, name: string, options: { min?: number; max?: number; default?: number } = {}): number {
  if (value === undefined || value === "") {
    if (options.default !== undefined) return options.default;
    throw invalid(`${name} is required`);
  }
  if (!/^-?\d+$/.test(value)) throw invalid(`${name} must be an integer, got ${JSON.stringify(value)}`);
  const n = Number(value);
  const min = options.min ?? 0;
  const max = options.max ?? Number.MAX_SAFE_INTEGER;
  if (!Number.isSafeInteger(n) || n < min || n > max) throw invalid(`${name} must be from ${min} to ${max}, got ${value}`);
  return n;
}
