// The OpenAPI 3.1 document, generated from the same zod schemas that validate requests
// (zod 4's toJSONSchema), so the document cannot drift from what the server accepts.

import { z } from "zod";
import { addPartitionsBody, alterConfigBody, createTopicBody, initProducerBody, produceBody } from "./schemas.ts";

interface Operation {
  method: "get" | "post" | "patch" | "delete";
  path: string;
  summary: string;
  body?: z.ZodType;
  query?: Record<string, string>;
  binaryBody?: boolean;
}

const operations: Operation[] = [
  { method: "get", path: "/healthz", summary: "Liveness" },
  { method: "post", path: "/v1/topics", summary: "Create a topic", body: createTopicBody },
  { method: "get", path: "/v1/topics", summary: "List topics" },
  {
    method: "get",
    path: "/v1/topics/{topic}",
    summary: "Describe a topic: partitions with leader epoch, replicas, ISR, log start and high watermark",
  },
  { method: "delete", path: "/v1/topics/{topic}", summary: "Delete a topic and its data" },
  { method: "patch", path: "/v1/topics/{topic}/config", summary: "Alter topic config overrides", body: alterConfigBody },
  { method: "post", path: "/v1/topics/{topic}/partitions", summary: "Grow the partition count", body: addPartitionsBody },
  {
    method: "post",
    path: "/v1/topics/{topic}/records",
    summary: "Produce JSON records; one offset per record, in request order",
    body: produceBody,
  },
  {
    method: "post",
    path: "/v1/topics/{topic}/partitions/{partition}/batches",
    summary: "Produce record batches v2 as bytes (idempotent when they carry a producer id)",
    binaryBody: true,
    query: { acks: '0, 1 or "all"' },
  },
  {
    method: "get",
    path: "/v1/topics/{topic}/partitions/{partition}/records",
    summary: "Fetch from an offset; long-polls up to maxWaitMs; live=sse streams",
    query: {
      offset: 'number, "earliest" or "latest"',
      maxBytes: "largest answer (default 1 MiB; one batch is always returned whole)",
      minBytes: "wait until this many bytes are readable (default 1)",
      maxWaitMs: "longest wait for minBytes (default 0, at most 60000)",
      encoding: "utf8 (default) or base64",
      format: "json (default) or binary (stored batch bytes)",
      live: "sse: stream records as server-sent events",
    },
  },
  {
    method: "get",
    path: "/v1/topics/{topic}/partitions/{partition}/offsets",
    summary: "List offsets: earliest, latest (high watermark), or the first at or after a time",
    query: { at: "earliest, latest or a timestamp in ms" },
  },
  { method: "post", path: "/v1/producers", summary: "Initialise a producer id and epoch", body: initProducerBody },
];

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
    const parameters = [
      ...[...op.path.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: "path", required: true, schema: { type: "string" } })),
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
        ? { required: true, content: { "application/octet-stream": { schema: { type: "string", format: "binary" } } } }
        : undefined;
    paths[op.path] ??= {};
    (paths[op.path] as Record<string, unknown>)[op.method] = {
      summary: op.summary,
      parameters,
      ...(requestBody ? { requestBody } : {}),
      responses: {
        "2XX": { description: "Success" },
        default: { description: "Error", content: { "application/json": { schema: errorSchema } } },
      },
    };
  }
  return { openapi: "3.1.0", info: { title: "Rill", version: "0.1.0", description: "A Kafka-style event log over HTTP" }, paths };
}
