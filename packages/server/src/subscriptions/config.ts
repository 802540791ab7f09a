// Settings of a push subscription: defaults, the checks a schema cannot make, and changes.

import { compilePattern, RillError } from "@rill/core";
import { SUBSCRIPTION_LIMITS } from "@rill/protocol/operations";
import type { SubscriptionChanges, SubscriptionConfig, SubscriptionTarget } from "./types.ts";

type CreateInput = Pick<SubscriptionConfig, "group" | "name" | "target"> &
  Partial<Omit<SubscriptionConfig, "group" | "name" | "target" | "topics" | "pattern" | "createdAt" | "updatedAt">> & {
    topics?: string[];
    pattern?: string;
  };

const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** Webhooks go over https; plain http only to this machine (tests, local development). */
export function checkTarget(target: SubscriptionTarget, options: { serviceBindings: boolean }): void {
  if (target.type === "service") {
    if (!options.serviceBindings)
      throw new RillError("INVALID_REQUEST", "service binding targets exist only at the edge broker (npm start); use a webhook here");
    return;
  }
  const url = new URL(target.url);
  if (url.protocol === "https:") return;
  if (url.protocol === "http:" && LOOPBACK.has(url.hostname)) return;
  throw new RillError("INVALID_REQUEST", `webhook url must be https (http only for localhost), got ${url.protocol}//${url.host}`);
}

function checkSources(config: SubscriptionConfig): void {
  if (config.pattern !== null) compilePattern(config.pattern);
  const dlq = config.deadLetterTopic;
  if (dlq === null) return;
  // a dead-letter topic it also reads from would feed its own failures back to the handler
  if (config.topics?.includes(dlq) || (config.pattern !== null && compilePattern(config.pattern).test(dlq)))
    throw new RillError("INVALID_REQUEST", `dead-letter topic ${dlq} is one the subscription reads from`);
  if (config.maxRetryDelayMs < config.retryDelayMs) throw new RillError("INVALID_REQUEST", "maxRetryDelayMs must be at least retryDelayMs");
}

/** A new subscription's settings with every default applied. */
export function newSubscriptionConfig(input: CreateInput, now: number): SubscriptionConfig {
  const L = SUBSCRIPTION_LIMITS;
  const config: SubscriptionConfig = {
    group: input.group,
    name: input.name,
    topics: input.topics ? [...new Set(input.topics)].sort() : null,
    pattern: input.pattern ?? null,
    target: input.target,
    startAt: input.startAt ?? "latest",
    batchSize: input.batchSize ?? L.batchSize.default,
    maxWaitMs: input.maxWaitMs ?? L.maxWaitMs.default,
    maxRetries: input.maxRetries ?? L.maxRetries.default,
    retryDelayMs: input.retryDelayMs ?? L.retryDelayMs.default,
    maxRetryDelayMs: input.maxRetryDelayMs ?? Math.max(L.maxRetryDelayMs.default, input.retryDelayMs ?? 0),
    deadLetterTopic: input.deadLetterTopic ?? null,
    maxConcurrency: input.maxConcurrency ?? L.maxConcurrency.default,
    deliveryTimeoutMs: input.deliveryTimeoutMs ?? L.deliveryTimeoutMs.default,
    encoding: input.encoding ?? "utf8",
    paused: input.paused ?? false,
    createdAt: now,
    updatedAt: now,
  };
  checkSources(config);
  return config;
}

/** The settings after a change (topics and pattern replace each other). */
export function applySubscriptionChanges(config: SubscriptionConfig, changes: SubscriptionChanges, now: number): SubscriptionConfig {
  const { rotateSecret: _, topics, pattern, ...rest } = changes;
  const next: SubscriptionConfig = { ...config, ...rest, updatedAt: now };
  if (topics !== undefined) {
    next.topics = [...new Set(topics)].sort();
    next.pattern = null;
  }
  if (pattern !== undefined) {
    next.pattern = pattern;
    next.topics = null;
  }
  checkSources(next);
  return next;
}

/** A signing secret: 256 random bits, base64url. */
export function newSubscriptionSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  let text = "";
  for (const b of bytes) text += String.fromCharCode(b);
  return `rillwh_${btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "")}`;
}
