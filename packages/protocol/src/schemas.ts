// Request bodies of the protocol, as zod schemas: validation at the edge and the source of the
// OpenAPI document (docs at /v1/openapi.json).

import { z } from "zod";

const configValue = z.union([z.string(), z.number(), z.boolean()]);

export const createTopicBody = z
  .object({
    name: z.string().describe("Topic name: 1..249 of [a-zA-Z0-9._-], not . or .."),
    partitions: z.number().int().optional().describe("Partition count (default 1)"),
    replicationFactor: z.number().int().optional().describe("Replicas per partition (default 1)"),
    config: z.record(z.string(), configValue).optional().describe("Overrides under Kafka's names, e.g. retention.ms"),
  })
  .strict();

export const alterConfigBody = z
  .object({ config: z.record(z.string(), configValue.nullable()).describe("Keys to set; null removes an override") })
  .strict();

export const addPartitionsBody = z.object({ count: z.number().int().describe("The new total partition count") }).strict();

/** Limits on what one JSON produce request may carry (a clear 400 names the field past its limit). */
export const PRODUCE_LIMITS = {
  recordsPerRequest: 10_000,
  headersPerRecord: 64,
  headerKeyChars: 256,
  headerValueChars: 64 * 1024,
  keyChars: 64 * 1024,
};

const headerKey = z.string().max(PRODUCE_LIMITS.headerKeyChars);
const headerValue = z.string().max(PRODUCE_LIMITS.headerValueChars).nullable();
const headersIn = z.union([
  z
    .record(headerKey, headerValue)
    .refine(
      (h) => Object.keys(h).length <= PRODUCE_LIMITS.headersPerRecord,
      `at most ${PRODUCE_LIMITS.headersPerRecord} headers per record`,
    ),
  z.array(z.object({ key: headerKey, value: headerValue }).strict()).max(PRODUCE_LIMITS.headersPerRecord),
]);

export const acksSchema = z
  .union([z.literal(0), z.literal(1), z.literal(-1), z.literal("0"), z.literal("1"), z.literal("-1"), z.literal("all")])
  .describe('0, 1 or "all" (default "all")');

export const produceRecord = z
  .object({
    key: z.string().max(PRODUCE_LIMITS.keyChars).nullable().optional(),
    value: z.string().nullable().describe("Bounded by the topic's max.message.bytes and the request size"),
    headers: headersIn.optional(),
    partition: z.number().int().min(0).optional(),
    timestamp: z.number().int().min(0).optional().describe("CreateTime in ms since the epoch"),
  })
  .strict();

export const produceBody = z
  .object({
    records: z.array(produceRecord).min(1).max(PRODUCE_LIMITS.recordsPerRequest),
    acks: acksSchema.optional(),
    encoding: z.enum(["utf8", "base64"]).optional().describe("How keys, values and header values are written (default utf8)"),
  })
  .strict();

export const initProducerBody = z
  .object({ transactionalId: z.string().min(1).max(1024).optional().describe("Same id again bumps the epoch and fences the old producer") })
  .strict();

const topicPartitionsList = z.array(z.object({ topic: z.string(), partitions: z.array(z.number().int().min(0)) }).strict());

export const heartbeatBody = z
  .object({
    memberId: z.string().min(1).max(255).nullable().optional(),
    memberEpoch: z.number().int().min(-2).describe("0 joins, -1 leaves, -2 leaves temporarily (static members)"),
    instanceId: z.string().min(1).max(255).nullable().optional().describe("Static membership: keeps partitions across restarts"),
    clientId: z.string().max(255).optional(),
    topics: z.array(z.string().min(1).max(249)).max(1000).optional(),
    pattern: z.string().min(1).max(1000).optional().describe("Regular expression over topic names"),
    ownedPartitions: topicPartitionsList.optional().describe("What the member still owns: acknowledges revocations"),
    sessionTimeoutMs: z.number().int().optional(),
    rebalanceTimeoutMs: z.number().int().optional(),
    assignor: z.enum(["range", "roundrobin", "sticky"]).optional(),
    waitMs: z
      .number()
      .int()
      .min(0)
      .max(30_000)
      .optional()
      .describe("Long-poll: answer as soon as the assignment changes, or after this long"),
  })
  .strict();

export const commitBody = z
  .object({
    memberId: z.string().nullable().optional(),
    memberEpoch: z.number().int().optional(),
    offsets: z
      .array(
        z
          .object({
            topic: z.string().min(1),
            partition: z.number().int().min(0),
            offset: z.number().int().min(0).describe("The next offset to read"),
            metadata: z.string().max(4096).nullable().optional(),
            leaderEpoch: z.number().int().optional(),
          })
          .strict(),
      )
      .min(1)
      .max(10_000),
  })
  .strict();

export const deleteRecordsBody = z
  .object({ offset: z.number().int().min(0).describe("Records before this offset go; the log start moves here") })
  .strict();

export const resetOffsetsBody = z
  .object({
    topic: z.string().min(1),
    partitions: z.array(z.number().int().min(0)).optional().describe("Default: every partition of the topic"),
    to: z.union([
      z.literal("earliest"),
      z.literal("latest"),
      z.object({ timestamp: z.number().int().min(0) }).strict(),
      z.object({ offset: z.number().int().min(0) }).strict(),
    ]),
  })
  .strict();

export type CreateTopicBody = z.input<typeof createTopicBody>;
export type AlterConfigBody = z.input<typeof alterConfigBody>;
export type AddPartitionsBody = z.input<typeof addPartitionsBody>;
export type ProduceBody = z.input<typeof produceBody>;
export type InitProducerBody = z.input<typeof initProducerBody>;
export type HeartbeatBody = z.input<typeof heartbeatBody>;
export type CommitBody = z.input<typeof commitBody>;
export type ResetOffsetsBody = z.input<typeof resetOffsetsBody>;
