// The OpenAPI 3.1 document, generated from the protocol's list of operations and the same zod
// schemas that validate requests (zod 4's toJSONSchema). test/node/openapi.test.ts checks that the
// list and the routes the app serves are the same, so the document cannot drift.

import { openApiPath, RILL_VERSION } from "@rill/protocol";
import { operations } from "@rill/protocol/operations";
import { z } from "zod";

const errorSchema = {
  type: "object",
  properties: {
    error: {
      type: "object",
      properties: { code: { type: "string" }, message: { type: "string" }, retriable: { type: "boolean" } },
      required: ["code", "message", "retriable"],
    },
  },
};

export function openApiDocument(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of operations) {
    const path = openApiPath(op.route);
    const parameters = [
      ...[...path.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: "path", required: true, schema: { type: "string" } })),
      ...Object.entries(op.query ?? {}).map(([name, description]) => ({
        name,
        in: "query",
        required: false,
        description,
        schema: { type: "string" },
      })),
    ];
    const requestBody = op.body
      ? { required: true, content: { "application/json": { schema: z.toJSONSchema(op.body, { io: "input" }) } } }
      : op.binaryBody
        ? { required: true, content: { "application/vnd.rill.batches": { schema: { type: "string", format: "binary" } } } }
        : undefined;
    paths[path] ??= {};
    (paths[path] as Record<string, unknown>)[op.method.toLowerCase()] = {
      summary: op.summary,
      parameters,
      ...(requestBody ? { requestBody } : {}),
      responses: {
        "2XX": { description: "Success" },
        default: { description: "Error", content: { "application/json": { schema: errorSchema } } },
      },
    };
  }
  return { openapi: "3.1.0", info: { title: "Rill", version: RILL_VERSION, description: "A Kafka-style event log over HTTP" }, paths };
}
