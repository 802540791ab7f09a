// The shape of one protocol operation, and the names its access checks read from the path.

import type { z } from "zod";
import type { Access } from "./access.ts";

export { CLUSTER } from "./access.ts";

export interface Operation {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  route: string;
  summary: string;
  /** A JSON body, validated by this schema. */
  body?: z.ZodType;
  /** A body of record batches v2 as bytes. */
  binaryBody?: boolean;
  /** Query parameters and what they mean. */
  query?: Record<string, string>;
  /** Who may call it (Kafka's ACL operation per request); enforced by the server from this list. */
  access: Access;
}

export const topicParam = { path: "topic" } as const;
export const groupParam = { path: "group" } as const;
