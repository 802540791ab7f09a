// A Durable Object that already holds data in the SQLite backend's earlier tables (every
// partition's batches in rill_batches, keyed by (partition, last_offset): two written rows per
// batch) opens with the current backend: the batches move to the per-partition tables in the
// opening transaction, the old table goes, and everything reads back as it was written.
import { env, runInDurableObject } from "cloudflare:test";
import type { ProducerEntry, StoredBatch } from "@rill/core";
import { makeBatch } from "@rill/storage-conformance";
import { createSqliteStorage } from "@rill/storage-sqlite";
import { expect, it } from "vitest";

/** The tables as the backend created them before per-partition batch tables (frozen here). */
const LEGACY_SCHEMA = [
  `CREATE TABLE IF NOT EXISTS rill_partitions (name TEXT PRIMARY KEY, log_start INTEGER NOT NULL, log_end INTEGER NOT NULL,
    size_bytes INTEGER NOT NULL, time_index INTEGER NOT NULL, epochs TEXT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS rill_batches (partition TEXT NOT NULL, last_offset INTEGER NOT NULL, base_offset INTEGER NOT NULL,
    time_index INTEGER NOT NULL, size INTEGER NOT NULL, bytes BLOB NOT NULL, PRIMARY KEY (partition, last_offset))`,
  "DROP INDEX IF EXISTS rill_batches_time",
  `CREATE TABLE IF NOT EXISTS rill_producers (partition TEXT NOT NULL, producer_id INTEGER NOT NULL, state TEXT NOT NULL,
    PRIMARY KEY (partition, producer_id))`,
  `CREATE TABLE IF NOT EXISTS rill_offsets (group_id TEXT NOT NULL, topic TEXT NOT NULL, partition INTEGER NOT NULL,
    next_offset INTEGER NOT NULL, metadata TEXT, leader_epoch INTEGER NOT NULL, commit_timestamp INTEGER NOT NULL,
    PRIMARY KEY (group_id, topic, partition))`,
  `CREATE TABLE IF NOT EXISTS rill_documents (namespace TEXT NOT NULL, id TEXT NOT NULL, version INTEGER NOT NULL,
    value TEXT NOT NULL, PRIMARY KEY (namespace, id))`,
];

const producer: ProducerEntry = {
  producerId: 9,
  epoch: 2,
  batches: [{ firstSequence: 0, lastSequence: 3, baseOffset: 6, lastOffset: 9 }],
  lastTimestamp: 1_700_000_000_009,
};

/** Writes what the earlier backend left after appends, a head truncation and a few other calls. */
function writeLegacy(sql: SqlStorage): { orders: StoredBatch[]; upper: StoredBatch[] } {
  for (const statement of LEGACY_SCHEMA) sql.exec(statement);
  const insert = (partition: string, b: StoredBatch) =>
    sql.exec(
      "INSERT INTO rill_batches (partition, last_offset, base_offset, time_index, size, bytes) VALUES (?, ?, ?, ?, ?, ?)",
      partition,
      b.lastOffset,
      b.baseOffset,
      b.timeIndex,
      b.bytes.length,
      b.bytes.slice().buffer,
    );
  // orders/0: batches [0,2] [3,5] [6,9] [10,10], the first deleted by retention (log start 3)
  const orders = [makeBatch(3, 3), makeBatch(6, 4), makeBatch(10, 1, { valueSize: 50_000 })];
  for (const b of orders) insert("orders/0", b);
  const size = orders.reduce((n, b) => n + b.bytes.length, 0);
  sql.exec(
    "INSERT INTO rill_partitions VALUES (?, ?, ?, ?, ?, ?)",
    "orders/0",
    3,
    11,
    size,
    orders.at(-1)?.timeIndex,
    JSON.stringify([{ epoch: 1, startOffset: 0 }]),
  );
  sql.exec("INSERT INTO rill_producers VALUES (?, ?, ?)", "orders/0", producer.producerId, JSON.stringify(producer));
  // Orders/0 differs only in case: a partition of its own, appended to only (no partition row)
  const upper = [makeBatch(0, 2)];
  for (const b of upper) insert("Orders/0", b);
  sql.exec("INSERT INTO rill_offsets VALUES ('g', 'orders', 0, 7, 'meta', 1, 1700000000000)");
  sql.exec("INSERT INTO rill_documents VALUES ('partition', 'assignment', 3, ?)", JSON.stringify({ leader: 0 }));
  return { orders, upper };
}

const tableNames = (sql: SqlStorage) =>
  sql
    .exec("SELECT name FROM sqlite_master WHERE type = 'table' AND name GLOB 'rill_*' ORDER BY name")
    .toArray()
    .map((r) => r.name);

it("moves batches written by the earlier schema to per-partition tables on open, and reads them back as written", async () => {
  const stub = env.STORAGE_TEST.get(env.STORAGE_TEST.newUniqueId());
  await runInDurableObject(stub, async (_instance, state: DurableObjectState) => {
    const { orders, upper } = state.storage.transactionSync(() => writeLegacy(state.storage.sql));

    const storage = createSqliteStorage(state.storage);
    expect(tableNames(state.storage.sql)).not.toContain("rill_batches");
    expect(await storage.loadPartition("orders/0")).toEqual({
      logStartOffset: 3,
      logEndOffset: 11,
      sizeInBytes: orders.reduce((n, b) => n + b.bytes.length, 0),
      timeIndex: orders.at(-1)?.timeIndex,
      producers: [producer],
      epochs: [{ epoch: 1, startOffset: 0 }],
    });
    expect(await storage.read("orders/0", 0, 1 << 30)).toEqual(orders);
    expect(await storage.read("orders/0", 7, 1)).toEqual([orders[1]]);
    expect((await storage.scan("orders/0", 0, 10)).map((m) => [m.baseOffset, m.lastOffset, m.sizeInBytes])).toEqual(
      orders.map((b) => [b.baseOffset, b.lastOffset, b.bytes.length]),
    );
    expect(await storage.findByTime("orders/0", orders[1]?.timeIndex as number)).toEqual(orders[1]);
    expect((await storage.loadPartition("Orders/0")).logEndOffset).toBe(2);
    expect(await storage.read("Orders/0", 0, 1 << 30)).toEqual(upper);
    expect((await storage.fetchOffsets("g"))[0]).toMatchObject({ topic: "orders", partition: 0, offset: 7, metadata: "meta" });
    expect(await storage.getDocument("partition", "assignment")).toEqual({ version: 3, value: { leader: 0 } });

    // the migrated partition takes new appends; a retention pass and a restart keep it whole
    const next = makeBatch(11, 2);
    await storage.append("orders/0", { expectedEndOffset: 11, batches: [next], producers: [] });
    await storage.truncateHead("orders/0", 6);
    const tables = tableNames(state.storage.sql);
    const reopened = createSqliteStorage(state.storage); // migrating again finds nothing to do
    expect(tableNames(state.storage.sql)).toEqual(tables);
    expect(await reopened.read("orders/0", 0, 1 << 30)).toEqual([orders[1], orders[2], next]);
    expect(await reopened.loadPartition("orders/0")).toMatchObject({ logStartOffset: 6, logEndOffset: 13, producers: [producer] });
  });
});

it("migrates a database holding only the earlier tables, empty, to the current ones", async () => {
  const stub = env.STORAGE_TEST.get(env.STORAGE_TEST.newUniqueId());
  await runInDurableObject(stub, async (_instance, state: DurableObjectState) => {
    state.storage.transactionSync(() => {
      for (const statement of LEGACY_SCHEMA) state.storage.sql.exec(statement);
    });
    const storage = createSqliteStorage(state.storage);
    expect(tableNames(state.storage.sql)).toEqual(["rill_documents", "rill_offsets", "rill_partitions", "rill_producers"]);
    await storage.append("p", { expectedEndOffset: 0, batches: [makeBatch(0, 1)], producers: [producer] });
    expect(await createSqliteStorage(state.storage).loadPartition("p")).toMatchObject({ logEndOffset: 1, producers: [producer] });
  });
});
