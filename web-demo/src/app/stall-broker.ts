// Opens the stall's local log: the @rill/browser broker in a (Shared)Worker on IndexedDB, with the
// edge and sync settings (orders up, prices down), and the local topics the app writes and reads.

import { type BrowserBroker, createBrowserBroker } from "@rill/browser";
import { type Client, createClient, type Producer, serializers } from "@rill/client";
import { DATABASE, EDGE_ORDERS, EDGE_PRICES, LOCAL_ORDERS, LOCAL_PRICES, ORDER_PARTITIONS } from "./config.ts";
import { DEFAULT_PRICES } from "./orders.ts";

function startWorker(mode: "shared" | "dedicated"): SharedWorker | Worker {
  // the literal URLs let Vite find and bundle the worker script
  return mode === "shared"
    ? new SharedWorker(new URL("./broker-worker.ts", import.meta.url), { type: "module", name: "rill-market-stall" })
    : new Worker(new URL("./broker-worker.ts", import.meta.url), { type: "module", name: "rill-market-stall" });
}

export async function openStallBroker(edge: string): Promise<BrowserBroker> {
  const broker = await createBrowserBroker({
    name: DATABASE,
    worker: startWorker,
    edge: { brokers: [edge] },
    sync: {
      upload: [{ local: LOCAL_ORDERS, edge: EDGE_ORDERS }],
      download: [{ edge: EDGE_PRICES, local: LOCAL_PRICES, from: "earliest" }],
    },
  });
  // the outbox: kept until uploaded (retention stops at the upload cursor), so plain delete policy
  await broker
    .client()
    .admin()
    .createTopics({
      topics: [{ topic: LOCAL_ORDERS, numPartitions: ORDER_PARTITIONS, configEntries: [{ name: "cleanup.policy", value: "delete" }] }],
    });
  return broker;
}

/** The local producer of orders: JSON values, acknowledged once in IndexedDB. */
export function orderProducer(client: Client): Producer<string, unknown> {
  return client.producer<string, unknown>({ lingerMs: 0, serializers: { key: serializers.string, value: serializers.json } });
}

/**
 * Makes sure the edge has the topics the sync moves records to and from, and a price list to
 * download. A real deployment provisions these once; the demo does it itself so that
 * `npm install && npm start` is all it takes. Resolves false when the edge cannot be reached.
 */
export async function provisionEdge(edge: string): Promise<boolean> {
  const client = createClient({ brokers: [edge], clientId: "market-stall", requestTimeoutMs: 5000, retry: { retries: 0 } });
  const admin = client.admin();
  try {
    await admin.createTopics({ topics: [{ topic: EDGE_ORDERS, numPartitions: ORDER_PARTITIONS }] });
    const pricesCreated = await admin.createTopics({
      topics: [{ topic: EDGE_PRICES, numPartitions: 1, configEntries: [{ name: "cleanup.policy", value: "compact" }] }],
    });
    if (pricesCreated) {
      const producer = client.producer<string, unknown>({ serializers: { key: serializers.string, value: serializers.json } });
      await producer.send({ topic: EDGE_PRICES, messages: DEFAULT_PRICES.map((p) => ({ key: p.item, value: p })) });
      await producer.disconnect();
    }
    return true;
  } catch {
    return false;
  }
}
