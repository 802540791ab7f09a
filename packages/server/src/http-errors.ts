// The one place errors become HTTP: {"error": {"code", "message", "retriable", ...details}} with the
// status from the core's code table.

import { RillError, toRillError } from "@rill/core";
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";

export function errorBody(error: RillError): { error: Record<string, unknown> } {
  return { error: { code: error.code, message: error.message, retriable: error.retriable, ...error.details } };
}

export function errorResponse(c: Context, error: unknown): Response {
  const rill = toHttpError(error);
  if (rill.code === "UNKNOWN_SERVER_ERROR") console.error("rill: unexpected error", error);
  return c.json(errorBody(rill), rill.status as ContentfulStatusCode);
}

function toHttpError(error: unknown): RillError {
  if (error instanceof RillError) return error;
  if (error instanceof SyntaxError) return new RillError("INVALID_REQUEST", `request body is not valid JSON: ${error.message}`);
  return toRillError(error);
}
