// Request/reply over two topics, the messaging pattern Kafka users build by hand: the requester
// sends to the request topic with a correlation id, the topic to answer on and a deadline in the
// headers, and reads the reply topic from its end; responders consume the request topic as one
// consumer group (so requests are shared among them, each handled once) and answer on the
// requester's reply topic with the same correlation id. A request without an answer in time fails
// with REQUEST_TIMED_OUT; a handler that throws fails the request with its message.

import { RillError } from "@rill/core";
import type { Client } from "./client.ts";
import type { ConsumedMessage, Consumer } from "./consumer-api.ts";
import type { Producer } from "./producer.ts";
import { type ConsumedHeaders, type Deserializer, deserializers, type Serializer, serializers } from "./serializers.ts";
import { deferred } from "./signals.ts";

/** Header names on requests and replies. */
export const REQUEST_HEADERS = {
  correlationId: "correlation-id",
  replyTo: "reply-to",
  /** ms since the epoch after which nobody waits for the answer: responders skip the request. */
  deadline: "request-deadline",
  /** On a reply: the handler failed with this message. */
  error: "error",
} as const;

export interface RequestReplyOptions<Req, Res> {
  requestTopic: string;
  /** Where this requester's replies come back. */
  replyTopic: string;
  /** Default for request(): how long to wait for the reply (default 30 000 ms). */
  timeoutMs?: number;
  /** Default JSON both ways. */
  serializers?: { request?: Serializer<Req>; reply?: Serializer<Res> };
  deserializers?: { request?: Deserializer<Req>; reply?: Deserializer<Res> };
}

export interface RequestOptions {
  timeoutMs?: number;
  /** The request's key (requests with one key go to one partition, so one responder handles them in order). */
  key?: string | null;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export interface ServeOptions {
  /** The responders' consumer group (default `${requestTopic}.responders`). */
  groupId?: string;
  /** Where a new group starts (default "earliest": requests already waiting are answered, expired ones skipped). */
  autoOffsetReset?: "earliest" | "latest";
}

export type RequestHandler<Req, Res> = (request: Req, message: ConsumedMessage<string | null, Req>) => Res | Promise<Res>;

export interface Responder {
  /** Resolves once the responder has joined its group and has its partitions. */
  ready: Promise<void>;
  /** Finishes the request at hand, commits and leaves the group. */
  stop(): Promise<void>;
}

export interface RequestReply<Req, Res> {
  /** Sends a request and resolves with its reply; REQUEST_TIMED_OUT when none comes in time. */
  request(value: Req, options?: RequestOptions): Promise<Res>;
  /** Answers requests with `handler` until stop(). */
  serve(handler: RequestHandler<Req, Res>, options?: ServeOptions): Responder;
  /** Stops listening for replies (pending requests fail) and flushes the producers. */
  close(): Promise<void>;
}

const text = new TextDecoder();

function header(headers: ConsumedHeaders, name: string): string | undefined {
  const raw = headers[name];
  const bytes = Array.isArray(raw) ? raw[0] : raw;
  return bytes ? text.decode(bytes) : undefined;
}

const newId = () =>
  typeof crypto !== "undefined" && "randomUUID" in crypto
    ? crypto.randomUUID()
    : `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;

/** A requester and responder pair over `requestTopic` and `replyTopic`. */
export function createRequestReply<Req = unknown, Res = unknown>(
  client: Client,
  options: RequestReplyOptions<Req, Res>,
): RequestReply<Req, Res> {
  const { requestTopic, replyTopic } = options;
  const encodeRequest = options.serializers?.request ?? (serializers.json as Serializer<Req>);
  const encodeReply = options.serializers?.reply ?? (serializers.json as Serializer<Res>);
  const decodeRequest = options.deserializers?.request ?? (deserializers.json as Deserializer<Req>);
  const decodeReply = options.deserializers?.reply ?? (deserializers.json as Deserializer<Res>);
  const waiting = new Map<string, { resolve(value: Res): void; reject(error: unknown): void }>();
  const responders = new Set<Responder>();
  let requests: Producer<string | null, Req> | undefined;
  let replies: Consumer<string | null, Res> | undefined;
  let listening: Promise<void> | undefined;
  let closed = false;

  /** Reads the reply topic from its current end, so every reply to a request sent from now on is seen. */
  async function listen(): Promise<void> {
    const consumer = client.consumer<string | null, Res>({
      fetchMaxWaitMs: 1_000,
      deserializers: { key: deserializers.string, value: decodeReply },
    });
    const ends = await client.admin().fetchTopicOffsets(replyTopic);
    await consumer.assign([{ topic: replyTopic }]);
    for (const { partition, high } of ends) consumer.seek({ topic: replyTopic, partition, offset: high });
    replies = consumer;
    void consumer
      .run({
        eachMessage: ({ message }) => {
          const id = header(message.headers, REQUEST_HEADERS.correlationId);
          const waiter = id === undefined ? undefined : waiting.get(id);
          if (!waiter) return; // another requester's reply, or one that came too late
          const failure = header(message.headers, REQUEST_HEADERS.error);
          if (failure !== undefined)
            waiter.reject(new RillError("UNKNOWN_SERVER_ERROR", `the responder failed: ${failure}`, { remote: true }));
          else waiter.resolve(message.value as Res);
        },
      })
      .catch((error: unknown) => {
        for (const w of waiting.values()) w.reject(error);
        listening = undefined;
      });
  }

  return {
    async request(value, requestOptions = {}) {
      if (closed) throw new RillError("INVALID_REQUEST", "this request/reply helper is closed");
      await (listening ??= listen().catch((error: unknown) => {
        listening = undefined;
        throw error;
      }));
      requests ??= client.producer<string | null, Req>({ lingerMs: 0, serializers: { key: serializers.string, value: encodeRequest } });
      const timeoutMs = requestOptions.timeoutMs ?? options.timeoutMs ?? 30_000;
      const id = newId();
      const answer = deferred<Res>();
      answer.promise.catch(() => undefined); // settled by a timer or a reply, maybe before anyone awaits it
      waiting.set(id, answer);
      const timer = setTimeout(
        () =>
          answer.reject(
            new RillError("REQUEST_TIMED_OUT", `no reply to request ${id} on ${replyTopic} within ${timeoutMs} ms`, { correlationId: id }),
          ),
        timeoutMs,
      );
      const onAbort = () => answer.reject(requestOptions.signal?.reason);
      requestOptions.signal?.addEventListener("abort", onAbort, { once: true });
      try {
        await requests.send({
          topic: requestTopic,
          messages: [
            {
              key: requestOptions.key ?? null,
              value,
              headers: {
                ...requestOptions.headers,
                [REQUEST_HEADERS.correlationId]: id,
                [REQUEST_HEADERS.replyTo]: replyTopic,
                [REQUEST_HEADERS.deadline]: String(Date.now() + timeoutMs),
              },
            },
          ],
        });
        return await answer.promise;
      } finally {
        clearTimeout(timer);
        requestOptions.signal?.removeEventListener("abort", onAbort);
        waiting.delete(id);
      }
    },

    serve(handler, serveOptions = {}) {
      const consumer = client.consumer<string | null, Req>({
        groupId: serveOptions.groupId ?? `${requestTopic}.responders`,
        autoOffsetReset: serveOptions.autoOffsetReset ?? "earliest",
        fetchMaxWaitMs: 1_000,
        deserializers: { key: deserializers.string, value: decodeRequest },
      });
      const producer = client.producer<string | null, Res>({ lingerMs: 0, serializers: { key: serializers.string, value: encodeReply } });
      const ready = deferred<void>();
      ready.promise.catch(() => undefined);
      const running = consumer
        .subscribe({ topics: [requestTopic] })
        .then(() => consumer.connect())
        .then(() => {
          // joined: the member has what the coordinator could give it now (maybe nothing, with
          // more responders than partitions)
          ready.resolve();
          return consumer.run({
            eachMessage: async ({ message }) => {
              const id = header(message.headers, REQUEST_HEADERS.correlationId);
              const replyTo = header(message.headers, REQUEST_HEADERS.replyTo) ?? replyTopic;
              const deadline = Number(header(message.headers, REQUEST_HEADERS.deadline) ?? Number.POSITIVE_INFINITY);
              if (id === undefined || Date.now() > deadline) return; // nobody waits for this answer
              let reply: { value: Res | null; headers: Record<string, string> };
              try {
                reply = { value: await handler(message.value as Req, message), headers: { [REQUEST_HEADERS.correlationId]: id } };
              } catch (error) {
                const why = (error as Error)?.message ?? String(error);
                reply = { value: null, headers: { [REQUEST_HEADERS.correlationId]: id, [REQUEST_HEADERS.error]: why } };
              }
              await producer.send({ topic: replyTo, messages: [{ key: message.key, ...reply }] });
            },
          });
        });
      running.catch((error: unknown) => ready.reject(error));
      const responder: Responder = {
        ready: ready.promise,
        async stop() {
          responders.delete(responder);
          await consumer.stop();
          await running.catch(() => undefined);
          await consumer.disconnect();
          await producer.disconnect();
        },
      };
      responders.add(responder);
      return responder;
    },

    async close() {
      closed = true;
      for (const w of waiting.values()) w.reject(new RillError("REQUEST_TIMED_OUT", "the request/reply helper was closed"));
      await Promise.all([...responders].map((r) => r.stop()));
      await replies?.disconnect();
      await requests?.disconnect();
    },
  };
}
