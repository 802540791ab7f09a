// Follows a local topic from its beginning with a @rill/client consumer and hands each record to
// the caller: every tab sees every record of the shared log, whichever tab wrote it. A topic that
// does not exist yet (a replica before its first download) is waited for, not an error.

import type { Client, ConsumedMessage } from "@rill/client";
import { deserializers, isRillError } from "@rill/client";

export interface FeedRecord {
  partition: number;
  message: ConsumedMessage<string | null, unknown>;
}

export function followTopic(client: Client, topic: string, onRecord: (record: FeedRecord) => void): () => void {
  const stopped = new AbortController();
  // a consumer restarted after an error reads from the beginning again: hand over each record once
  const handedOver = new Map<number, number>();
  const deliver = ({ partition, message }: FeedRecord) => {
    if (message.offset < (handedOver.get(partition) ?? 0)) return;
    handedOver.set(partition, message.offset + 1);
    onRecord({ partition, message });
  };
  async function run() {
    while (!stopped.signal.aborted) {
      const consumer = client.consumer<string | null, unknown>({
        autoOffsetReset: "earliest",
        fetchMaxWaitMs: 5000,
        deserializers: { key: deserializers.string, value: deserializers.json },
      });
      try {
        await consumer.assign([{ topic }]);
        await consumer.run({ signal: stopped.signal, eachMessage: ({ partition, message }) => deliver({ partition, message }) });
        return;
      } catch (error) {
        if (stopped.signal.aborted) return;
        // the topic may not exist yet, or the host moved: look again shortly
        if (!isRillError(error)) console.warn(`following ${topic}:`, error);
        await new Promise((r) => setTimeout(r, 2000));
      } finally {
        await consumer.stop().catch(() => undefined);
      }
    }
  }
  void run();
  return () => stopped.abort();
}
