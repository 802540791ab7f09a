// `new Kafka({ clientId, brokers, ssl, sasl, retry, logLevel, ... })`: kafkajs's entry point over
// Rill's HTTP protocol. Brokers are Rill URLs (a bare host:port gets http://, or https:// with
// ssl). SASL credentials become Rill's bearer token: PLAIN and SCRAM send the password (a Rill
// API key or deployment token), OAUTHBEARER the token its provider returns. Each producer,
// consumer and admin gets its own @rill/client, whose requests it reports as REQUEST events.

import { type Client, createClient, type FetchLike } from "@rill/client";
import { createAdmin } from "./admin.ts";
import { createConsumer } from "./consumer.ts";
import { KafkaJSInvalidArgument } from "./errors.ts";
import type { Emitter } from "./events.ts";
import { createLogger, type LogCreator, type Logger } from "./logger.ts";
import { checkKeys } from "./options.ts";
import { createProducer } from "./producer.ts";
import type { Admin, AdminConfig, Consumer, ConsumerConfig, Producer, ProducerConfig, RetryOptions } from "./types.ts";

export interface SASLOptions {
  mechanism: "plain" | "scram-sha-256" | "scram-sha-512" | "oauthbearer" | "aws";
  username?: string;
  password?: string;
  oauthBearerProvider?: () => Promise<{ value: string }>;
}

export interface KafkaConfig {
  brokers: string[] | (() => string[] | Promise<string[]>);
  clientId?: string;
  ssl?: boolean | object;
  sasl?: SASLOptions;
  connectionTimeout?: number;
  authenticationTimeout?: number;
  reauthenticationThreshold?: number;
  requestTimeout?: number;
  enforceRequestTimeout?: boolean;
  retry?: RetryOptions;
  socketFactory?: unknown;
  logLevel?: number;
  logCreator?: LogCreator;
  /** Rill: the fetch to use (default the global one), e.g. an in-process app's or workerd's SELF.fetch. */
  fetch?: FetchLike;
}

const KAFKA_OPTIONS = [
  "brokers",
  "clientId",
  "ssl",
  "sasl",
  "connectionTimeout",
  "authenticationTimeout",
  "reauthenticationThreshold",
  "requestTimeout",
  "enforceRequestTimeout",
  "retry",
  "socketFactory",
  "logLevel",
  "logCreator",
  "fetch",
];

export const RETRY_OPTIONS = ["maxRetryTime", "initialRetryTime", "factor", "multiplier", "retries", "restartOnFailure"];

/** What producers, consumers and admins are made from. */
export interface ClientFactory {
  /** A fresh Rill client that reports its requests to `emitter` (REQUEST events). */
  client(emitter: Emitter | undefined): Promise<Client>;
  logger: Logger;
  clientId: string;
  retry: RetryOptions | undefined;
}

function brokerUrl(broker: string, ssl: boolean): string {
  if (/^https?:\/\//i.test(broker)) return broker.replace(/\/$/, "");
  return `${ssl ? "https" : "http"}://${broker}`;
}

export class Kafka {
  readonly #factory: ClientFactory;

  constructor(config: KafkaConfig) {
    checkKeys("new Kafka()", config, KAFKA_OPTIONS);
    checkKeys("new Kafka() retry", config.retry, RETRY_OPTIONS);
    if (!config.brokers) throw new KafkaJSInvalidArgument("Failed to connect: brokers parameter should not be null");
    const clientId = config.clientId ?? "kafkajs";
    const logger = createLogger(config.logLevel ?? 4, config.logCreator);
    const ssl = Boolean(config.ssl);
    const sasl = config.sasl;
    if (sasl && !["plain", "scram-sha-256", "scram-sha-512", "oauthbearer"].includes(sasl.mechanism)) {
      throw new KafkaJSInvalidArgument(
        `SASL ${sasl.mechanism} is not supported: use plain, scram-sha-256/512 (the password is a Rill token) or oauthbearer`,
      );
    }
    const baseFetch: FetchLike = config.fetch ?? ((input, init) => fetch(input, init));
    const token = async (): Promise<string | undefined> => {
      if (!sasl) return undefined;
      if (sasl.mechanism === "oauthbearer") {
        if (!sasl.oauthBearerProvider) throw new KafkaJSInvalidArgument("SASL OAUTHBEARER needs oauthBearerProvider");
        return (await sasl.oauthBearerProvider()).value;
      }
      return sasl.password;
    };
    this.#factory = {
      logger,
      clientId,
      retry: config.retry,
      async client(emitter) {
        const list = typeof config.brokers === "function" ? await config.brokers() : config.brokers;
        const tracedFetch: FetchLike = async (input, init) => {
          const bearer = await token();
          const headers = new Headers(init.headers);
          if (bearer) headers.set("authorization", `Bearer ${bearer}`);
          const started = Date.now();
          const response = await baseFetch(input, { ...init, headers });
          const url = new URL(input);
          emitter?.emit("REQUEST", {
            broker: url.host,
            clientId,
            apiName: `${init.method ?? "GET"} ${url.pathname}`,
            apiVersion: 1,
            pendingDuration: 0,
            sentAt: started,
            duration: Date.now() - started,
            size: Number(response.headers.get("content-length") ?? 0),
          });
          return response;
        };
        return createClient({
          brokers: list.map((b) => brokerUrl(b, ssl)),
          clientId,
          fetch: tracedFetch,
          requestTimeoutMs: config.requestTimeout,
          retry: config.retry
            ? {
                retries: config.retry.retries,
                initialRetryTime: config.retry.initialRetryTime,
                maxRetryTime: config.retry.maxRetryTime,
                multiplier: config.retry.multiplier,
                factor: config.retry.factor,
              }
            : undefined,
          logger: { warn: (message) => logger.warn(message) },
        });
      },
    };
  }

  producer(config: ProducerConfig = {}): Producer {
    return createProducer(this.#factory, config);
  }

  consumer(config: ConsumerConfig): Consumer {
    return createConsumer(this.#factory, config);
  }

  admin(config: AdminConfig = {}): Admin {
    return createAdmin(this.#factory, config);
  }

  logger(): Logger {
    return this.#factory.logger;
  }
}
