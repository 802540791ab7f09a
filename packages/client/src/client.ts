// createClient: one set of brokers, credentials and defaults, from which producers, consumers and
// admins are made (kafkajs's `new Kafka({ clientId, brokers })`, as a factory).

import { type Admin, createAdmin } from "./admin.ts";
import { createConsumer } from "./consumer.ts";
import type { Consumer, ConsumerOptions } from "./consumer-api.ts";
import { createMetadataCache } from "./metadata.ts";
import { checkOptions, type KnownKeys } from "./options.ts";
import { createProducer, type Producer, type ProducerOptions } from "./producer.ts";
import { RETRY_OPTIONS, type RetryOptions } from "./retry.ts";
import type { MessageData } from "./serializers.ts";
import { type Auth, createTransport, type FetchLike, type Transport } from "./transport.ts";

export interface Logger {
  warn(message: string): void;
}

export interface ClientOptions {
  /** Broker URLs, tried in order; the first that answers is used until it stops answering. */
  brokers: string[];
  clientId?: string;
  /** A bearer token, or headers sent with every request. */
  auth?: Auth;
  /** The fetch to use (default: the global one); e.g. an in-process app's, or workerd's SELF.fetch. */
  fetch?: FetchLike;
  /** Deadline of one request, in ms (default 30 000); long polls add their wait to it. */
  requestTimeoutMs?: number;
  /** Default retry settings of producers, consumers and admin (kafkajs's shape). */
  retry?: RetryOptions;
  /** How long topic metadata is trusted, in ms (default 300 000, Kafka's metadata.max.age.ms). */
  metadataMaxAgeMs?: number;
  /** Where warnings go (default console.warn). */
  logger?: Logger;
}

export interface Client {
  producer<K = MessageData, V = MessageData>(options?: ProducerOptions<K, V>): Producer<K, V>;
  consumer<K = Uint8Array | null, V = Uint8Array | null>(options?: ConsumerOptions<K, V>): Consumer<K, V>;
  admin(): Admin;
  /** The HTTP layer, for requests the client has no method for. */
  readonly transport: Transport;
}

const CLIENT_OPTIONS: KnownKeys<ClientOptions> = {
  brokers: true,
  clientId: true,
  auth: true,
  fetch: true,
  requestTimeoutMs: true,
  retry: true,
  metadataMaxAgeMs: true,
  logger: true,
};

/** Creates a client for the brokers at `options.brokers`; an option it does not know is INVALID_CONFIG. */
export function createClient(options: ClientOptions): Client {
  checkOptions("createClient", options, CLIENT_OPTIONS);
  checkOptions("createClient retry", options.retry, RETRY_OPTIONS);
  const transport = createTransport(options);
  const metadata = createMetadataCache(transport, options.metadataMaxAgeMs);
  const logger = options.logger ?? { warn: (message: string) => console.warn(`rill: ${message}`) };
  const warn = (message: string) => logger.warn(message);
  return {
    producer: (producerOptions) => createProducer({ transport, metadata, retry: options.retry }, producerOptions),
    consumer: (consumerOptions) =>
      createConsumer(
        { transport, metadata, retry: options.retry, requestTimeoutMs: options.requestTimeoutMs, clientId: options.clientId, warn },
        consumerOptions,
      ),
    admin: () => createAdmin({ transport, metadata, warn }),
    transport,
  };
}
