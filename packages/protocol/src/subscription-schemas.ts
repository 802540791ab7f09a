// Push subscriptions: a consumer-group member the broker runs, delivering batches to a Worker
// (service binding) or a webhook. Bodies of POST /v1/subscriptions and PATCH /v1/subscriptions/:group/:subscription.

import { z } from "zod";

/** Limits and defaults of a subscription's settings (the server applies the defaults). */
export const SUBSCRIPTION_LIMITS = {
  batchSize: { min: 1, max: 1000, default: 100 },
  maxWaitMs: { min: 0, max: 60_000, default: 0 },
  maxRetries: { min: 0, max: 1000, default: 3 },
  retryDelayMs: { min: 0, max: 3_600_000, default: 1000 },
  maxRetryDelayMs: { min: 0, max: 24 * 3_600_000, default: 60_000 },
  maxConcurrency: { min: 1, max: 256, default: 4 },
  deliveryTimeoutMs: { min: 100, max: 15 * 60_000, default: 30_000 },
} as const;

const bounded = (limit: { min: number; max: number; default: number }, what: string) =>
  z.number().int().min(limit.min).max(limit.max).describe(`${what} (${limit.min}..${limit.max}, default ${limit.default})`);

const subscriptionName = z
  .string()
  .regex(/^[A-Za-z0-9._:@=+-]{1,255}$/, "1 to 255 of A-Z a-z 0-9 . _ : @ = + -")
  .describe("Names the subscription within its group");

export const subscriptionTarget = z.discriminatedUnion("type", [
  z
    .object({
      type: z.literal("service"),
      binding: z
        .string()
        .regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, "a binding name")
        .describe("A service binding of the broker Worker"),
      protocol: z
        .enum(["rpc", "fetch"])
        .optional()
        .describe("rpc (default): call the target's rill(delivery) method; fetch: POST the delivery to its fetch handler"),
      path: z.string().startsWith("/").max(1000).optional().describe("Path of the POST when protocol is fetch (default /)"),
    })
    .strict(),
  z
    .object({
      type: z.literal("webhook"),
      url: z.string().url().max(2000).describe("https URL (http only for localhost and 127.0.0.1); deliveries are signed"),
    })
    .strict(),
]);

const startAt = z
  .union([z.enum(["earliest", "latest"]), z.object({ timestamp: z.number().int().min(0) }).strict()])
  .describe("Where to start a partition the group has no committed offset for (default latest)");

const tunables = {
  target: subscriptionTarget,
  batchSize: bounded(SUBSCRIPTION_LIMITS.batchSize, "Most records per delivery"),
  maxWaitMs: bounded(SUBSCRIPTION_LIMITS.maxWaitMs, "How long to wait for a batch to fill up to batchSize"),
  maxRetries: bounded(SUBSCRIPTION_LIMITS.maxRetries, "Failed deliveries of a record before it is dead-lettered"),
  retryDelayMs: bounded(SUBSCRIPTION_LIMITS.retryDelayMs, "First retry delay; doubles per failure, with jitter"),
  maxRetryDelayMs: bounded(SUBSCRIPTION_LIMITS.maxRetryDelayMs, "Longest retry delay"),
  deadLetterTopic: z
    .string()
    .min(1)
    .max(249)
    .nullable()
    .describe("Where records go after maxRetries (null: they are dropped, and counted)"),
  maxConcurrency: bounded(SUBSCRIPTION_LIMITS.maxConcurrency, "Most deliveries in flight at once (one per partition at most)"),
  deliveryTimeoutMs: bounded(SUBSCRIPTION_LIMITS.deliveryTimeoutMs, "A delivery not answered by then has failed"),
  encoding: z.enum(["utf8", "base64"]).describe("How keys and values are delivered (default utf8; non-UTF-8 records go as base64)"),
  paused: z.boolean().describe("A paused subscription leaves its group and delivers nothing until resumed"),
  topics: z.array(z.string().min(1).max(249)).min(1).max(1000).describe("Topics to deliver from"),
  pattern: z.string().min(1).max(1000).describe("A regular expression over topic names (instead of topics)"),
};

export const createSubscriptionBody = z
  .object({
    group: z
      .string()
      .regex(/^[A-Za-z0-9._:@=+-]{1,255}$/, "a group id")
      .describe("The consumer group whose offsets it commits"),
    name: subscriptionName,
    topics: tunables.topics.optional(),
    pattern: tunables.pattern.optional(),
    target: tunables.target,
    startAt: startAt.optional(),
    batchSize: tunables.batchSize.optional(),
    maxWaitMs: tunables.maxWaitMs.optional(),
    maxRetries: tunables.maxRetries.optional(),
    retryDelayMs: tunables.retryDelayMs.optional(),
    maxRetryDelayMs: tunables.maxRetryDelayMs.optional(),
    deadLetterTopic: tunables.deadLetterTopic.optional(),
    maxConcurrency: tunables.maxConcurrency.optional(),
    deliveryTimeoutMs: tunables.deliveryTimeoutMs.optional(),
    encoding: tunables.encoding.optional(),
    paused: tunables.paused.optional(),
  })
  .strict()
  .refine((b) => (b.topics === undefined) !== (b.pattern === undefined), "give topics or a pattern, not both");

export const updateSubscriptionBody = z
  .object({
    topics: tunables.topics.optional(),
    pattern: tunables.pattern.optional(),
    target: tunables.target.optional(),
    startAt: startAt.optional(),
    batchSize: tunables.batchSize.optional(),
    maxWaitMs: tunables.maxWaitMs.optional(),
    maxRetries: tunables.maxRetries.optional(),
    retryDelayMs: tunables.retryDelayMs.optional(),
    maxRetryDelayMs: tunables.maxRetryDelayMs.optional(),
    deadLetterTopic: tunables.deadLetterTopic.optional(),
    maxConcurrency: tunables.maxConcurrency.optional(),
    deliveryTimeoutMs: tunables.deliveryTimeoutMs.optional(),
    encoding: tunables.encoding.optional(),
    paused: tunables.paused.optional(),
    rotateSecret: z.boolean().optional().describe("Issue a new signing secret (answered once, in this response)"),
  })
  .strict()
  .refine((b) => b.topics === undefined || b.pattern === undefined, "give topics or a pattern, not both");

export type CreateSubscriptionBody = z.input<typeof createSubscriptionBody>;
export type UpdateSubscriptionBody = z.input<typeof updateSubscriptionBody>;
export type SubscriptionTargetBody = z.infer<typeof subscriptionTarget>;
