// The console's view of a broker: @rill/client's admin for topics and groups, and its transport for
// the reads the client has no method for (a page of records, an offset by time). Same origin by
// default, so the console works against whichever Rill broker serves it.

import {
  type Client,
  createClient,
  type GroupDescription,
  type GroupListing,
  isRillError,
  type SubscriptionDescription,
  type TopicDescription,
} from "@rill/client";
import { type JsonRecord, paths, type RecordEncoding } from "@rill/protocol";

export type { JsonRecord };

export interface FetchAnswer {
  records: JsonRecord[];
  nextOffset: number;
  highWatermark: number;
  logStartOffset: number;
}

export type Encoding = RecordEncoding;

export interface ProduceRecord {
  key?: string;
  value: string;
  headers?: Record<string, string>;
  partition?: number;
}

export interface ConsoleApi {
  listTopics(): Promise<string[]>;
  describeTopic(topic: string): Promise<TopicDescription>;
  listGroups(): Promise<GroupListing[]>;
  describeGroup(groupId: string): Promise<GroupDescription>;
  fetchRecords(topic: string, partition: number, offset: number, options: { encoding: Encoding; maxBytes?: number }): Promise<FetchAnswer>;
  /** The first offset whose record is at or after `timestamp` (the high watermark when none is). */
  offsetAt(topic: string, partition: number, timestamp: number): Promise<number>;
  produce(topic: string, records: ProduceRecord[]): Promise<Array<{ partition: number; offset: number }>>;
  listSubscriptions(): Promise<SubscriptionDescription[]>;
  setSubscriptionPaused(group: string, name: string, paused: boolean): Promise<void>;
  /** A URL for the live tail (EventSource cannot send headers, so a token rides as ?access_token=). */
  tailUrl(topic: string, partition: number, from: "earliest" | "latest"): string;
}

/** Whether an error means the broker wants a (different) bearer token. */
export const needsToken = (error: unknown) => isRillError(error) && error.code === "SASL_AUTHENTICATION_FAILED";

export function createConsoleApi(options: { broker: string; token: string }): ConsoleApi {
  const client: Client = createClient({
    brokers: [options.broker],
    clientId: "rill-console",
    auth: options.token ? { bearer: options.token } : undefined,
    retry: { retries: 0 },
    requestTimeoutMs: 10_000,
  });
  const admin = client.admin();
  const { transport } = client;
  return {
    listTopics: () => admin.listTopics(),
    describeTopic: (topic) => admin.describeTopic(topic),
    listGroups: async () => (await admin.listGroups()).groups,
    describeGroup: (groupId) => admin.describeGroup(groupId),
    listSubscriptions: () => admin.listSubscriptions(),
    async setSubscriptionPaused(group, name, paused) {
      await (paused ? admin.pauseSubscription(group, name) : admin.resumeSubscription(group, name));
    },
    fetchRecords: (topic, partition, offset, { encoding, maxBytes = 256 * 1024 }) =>
      transport.json<FetchAnswer>({ method: "GET", path: paths.partitionRecords(topic, partition), query: { offset, maxBytes, encoding } }),
    async offsetAt(topic, partition, timestamp) {
      const answer = await transport.json<{ offset: number }>({
        method: "GET",
        path: paths.partitionOffsets(topic, partition),
        query: { at: timestamp },
      });
      return answer.offset;
    },
    async produce(topic, records) {
      const answer = await transport.json<{ offsets: Array<{ partition: number; offset: number }> }>({
        method: "POST",
        path: paths.records(topic),
        json: { records, acks: "all" },
      });
      return answer.offsets;
    },
    tailUrl(topic, partition, from) {
      const url = new URL(paths.partitionRecords(topic, partition), options.broker);
      url.searchParams.set("live", "sse");
      url.searchParams.set("offset", from);
      if (options.token) url.searchParams.set("access_token", options.token);
      return url.href;
    },
  };
}

/** One line for an error: the broker's code and message, or the error's message. */
export function describeError(error: unknown): string {
  if (isRillError(error)) return `${error.code}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}
