// Topic configuration under Kafka's key names, with Kafka's defaults. Values arrive as strings
// (Kafka's admin API) or JSON numbers/booleans; unknown keys and bad values are INVALID_CONFIG.

import { RillError } from "./errors.ts";

/** Largest batch one storage row can hold (Durable Object rows top out at 2 MB). */
export const MAX_BATCH_BYTES = 2_000_000 - 64 * 1024;

export type CleanupPolicy = "delete" | "compact" | "compact,delete";

export interface TopicConfig {
  "retention.ms": number;
  "retention.bytes": number;
  "cleanup.policy": CleanupPolicy;
  "max.message.bytes": number;
  "min.insync.replicas": number;
  "delete.retention.ms": number;
  "min.compaction.lag.ms": number;
  "message.timestamp.type": "CreateTime" | "LogAppendTime";
  "unclean.leader.election.enable": boolean;
  "replica.lag.time.max.ms": number;
  /**
   * How long a partition remembers an idempotent producer after its last write (Kafka's broker
   * setting of this name, per topic here). Past it the producer's next batch is refused with
   * UNKNOWN_PRODUCER_ID unless it starts a new sequence (an offline uploader then scans, see
   * docs/architecture.md). It bounds the producer state a partition keeps by the producers active
   * within it.
   */
  "producer.id.expiration.ms": number;
  /** Refuse records without a key. */
  "rill.key.required": boolean;
  /** A JSON Schema (as JSON text) every value must match; empty for none. */
  "rill.value.schema": string;
}

export const defaultTopicConfig: Readonly<TopicConfig> = Object.freeze({
  "retention.ms": 7 * 24 * 3600 * 1000,
  "retention.bytes": -1,
  "cleanup.policy": "delete",
  "max.message.bytes": 1048588,
  "min.insync.replicas": 1,
  "delete.retention.ms": 24 * 3600 * 1000,
  "min.compaction.lag.ms": 0,
  "message.timestamp.type": "CreateTime",
  "unclean.leader.election.enable": false,
  "replica.lag.time.max.ms": 30_000,
  // Kafka 3.4+ uses 1 day (KIP-854); 7 days, its older transactional.id.expiration.ms, keeps
  // offline devices' uploads deduplicated over a week without a scan
  "producer.id.expiration.ms": 7 * 24 * 3600 * 1000,
  "rill.key.required": false,
  "rill.value.schema": "",
});

export type TopicConfigInput = Record<string, string | number | boolean>;

function invalid(key: string, value: unknown, why: string): never {
  throw new RillError("INVALID_CONFIG", `invalid value ${JSON.stringify(value)} for ${key}: ${why}`);
}

function integer(key: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const n = typeof value === "number" ? value : typeof value === "string" && /^-?\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n)) invalid(key, value, "expected an integer");
  if (n < min || n > max) invalid(key, value, `expected ${min}..${max}`);
  return n;
}

function oneOf<T extends string>(key: string, value: unknown, allowed: readonly T[]): T {
  const s = String(value).trim();
  if (!(allowed as readonly string[]).includes(s)) invalid(key, value, `expected one of ${allowed.join(", ")}`);
  return s as T;
}

function cleanupPolicy(key: string, value: unknown): CleanupPolicy {
  const parts = new Set(
    String(value)
      .split(",")
      .map((p) => p.trim()),
  );
  const known = [...parts].every((p) => p === "delete" || p === "compact");
  if (!known || parts.size === 0) invalid(key, value, "expected delete, compact or compact,delete");
  return parts.size === 2 ? "compact,delete" : parts.has("compact") ? "compact" : "delete";
}

function bool(key: string, value: unknown): boolean {
  if (value === true || value === "true") return true;
  if (value === false || value === "false") return false;
  return invalid(key, value, "expected true or false");
}

function jsonSchemaText(key: string, value: unknown): string {
  const text = typeof value === "string" ? value.trim() : JSON.stringify(value);
  if (text === "") return "";
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return invalid(key, value, "expected a JSON Schema document as JSON text");
  }
  if (typeof parsed !== "boolean" && (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))) {
    return invalid(key, value, "a JSON Schema is an object (or true/false)");
  }
  return text;
}

const parsers: { [K in keyof TopicConfig]: (key: string, value: unknown) => TopicConfig[K] } = {
  "retention.ms": (k, v) => integer(k, v, -1),
  "retention.bytes": (k, v) => integer(k, v, -1),
  "cleanup.policy": cleanupPolicy,
  "max.message.bytes": (k, v) => integer(k, v, 64, MAX_BATCH_BYTES),
  "min.insync.replicas": (k, v) => integer(k, v, 1, 16),
  "delete.retention.ms": (k, v) => integer(k, v, 0),
  "min.compaction.lag.ms": (k, v) => integer(k, v, 0),
  "message.timestamp.type": (k, v) => oneOf(k, v, ["CreateTime", "LogAppendTime"] as const),
  "unclean.leader.election.enable": bool,
  "replica.lag.time.max.ms": (k, v) => integer(k, v, 100),
  "producer.id.expiration.ms": (k, v) => integer(k, v, 1),
  "rill.key.required": bool,
  "rill.value.schema": jsonSchemaText,
};

export const topicConfigKeys = Object.keys(parsers) as Array<keyof TopicConfig>;

function isConfigKey(key: string): key is keyof TopicConfig {
  return Object.hasOwn(parsers, key);
}

/** Validates overrides, returning only the keys given, parsed. */
export function parseTopicConfig(input: TopicConfigInput): Partial<TopicConfig> {
  const out: Partial<Record<keyof TopicConfig, unknown>> = {};
  for (const [key, value] of Object.entries(input)) {
    if (!isConfigKey(key)) {
      throw new RillError("INVALID_CONFIG", `unknown topic config ${JSON.stringify(key)}; known: ${topicConfigKeys.join(", ")}`);
    }
    out[key] = parsers[key](key, value);
  }
  return out as Partial<TopicConfig>;
}

/** Defaults overlaid with overrides. */
export function resolveTopicConfig(overrides: Partial<TopicConfig> = {}): TopicConfig {
  return { ...defaultTopicConfig, ...overrides };
}

/** Kafka-style string map of a config, for describing a topic. */
export function topicConfigToStrings(config: Partial<TopicConfig>): Record<string, string> {
  return Object.fromEntries(Object.entries(config).map(([k, v]) => [k, String(v)]));
}
