// Error answers made without the HTTP app: when no worker hosts the database (yet), when the host
// changed under a request, or when the host has closed. Same JSON shape as the app's own errors, so
// the client rebuilds the same RillError (and retries the retriable ones).

import { type ErrorCode, RillError } from "@rill/core";
import { errorBody } from "@rill/server";
import type { WireResponse } from "./wire.ts";

const encoder = new TextEncoder();

export function errorAnswer(error: RillError): WireResponse {
  const body = encoder.encode(JSON.stringify(errorBody(error)));
  return {
    status: error.status,
    statusText: "",
    headers: [["content-type", "application/json"]],
    body: body.buffer as ArrayBuffer,
    stream: false,
  };
}

export function errorAnswerOf(code: ErrorCode, message: string, details?: Record<string, unknown>): WireResponse {
  return errorAnswer(new RillError(code, message, details));
}
