// @rill/core: the portable log engine. Pure TypeScript; runtimes wrap it, never the other way round.

export * from "./assignors.ts";
export * from "./base64.ts";
export * from "./bytes.ts";
export * from "./compression.ts";
export * from "./controller.ts";
export * from "./crc32c.ts";
export * from "./errors.ts";
export * from "./group-coordinator.ts";
export * from "./group-reconcile.ts";
export * from "./group-types.ts";
export * from "./log-cleaner.ts";
export * from "./long-poll.ts";
export * from "./offset-waiters.ts";
export * from "./partition-log.ts";
export * from "./partitioner.ts";
export * from "./producer-state.ts";
export * from "./record.ts";
export * from "./record-batch.ts";
export * from "./record-batch-decode.ts";
export * from "./record-batch-split.ts";
export * from "./record-validation.ts";
export * from "./replica.ts";
export * from "./replica-log.ts";
export * from "./replica-types.ts";
export * from "./storage.ts";
export * from "./topic-config.ts";
