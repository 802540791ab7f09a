// Idempotent producer state without a second written row per append. An append stores the producer
// entries it changed (and the ids it expired) on its last batch's row, which it writes anyway;
// rill_producers holds the state as of the partition's `producers_through` offset. Loading replays
// the changes stored on batches from that offset on. Every so many changes, and before anything
// deletes or rewrites batches that carry unfolded changes, they are folded into rill_producers and
// producers_through moves to the log end: replay stays short and no change is lost with its batch.
// All of it runs inside the calling transaction, so a crash leaves either both or neither.

import type { ProducerEntry } from "@rill/core";
import type { SqlLike } from "./index.ts";

/** What one append changed: entries upserted, then ids forgotten (expired). */
interface ProducerDelta {
  u?: ProducerEntry[];
  x?: number[];
}

/** The JSON stored on an append's last batch, or null when the append changed no producer. */
export function encodeDelta(upserted: readonly ProducerEntry[], expired: readonly number[]): string | null {
  if (upserted.length === 0 && expired.length === 0) return null;
  const delta: ProducerDelta = {};
  if (expired.length > 0) delta.x = [...expired];
  if (upserted.length > 0) delta.u = [...upserted];
  return JSON.stringify(delta);
}

/** Applies one stored delta to the state (entries kept as their JSON, keyed by producer id). */
function applyDelta(state: Map<number, string>, json: string): void {
  const delta = JSON.parse(json) as ProducerDelta;
  // the append deleted the expired ids before upserting its own entries
  for (const id of delta.x ?? []) state.delete(id);
  for (const entry of delta.u ?? []) state.set(entry.producerId, JSON.stringify(entry));
}

function checkpoint(sql: SqlLike, partition: string): Map<number, string> {
  const rows = sql.exec("SELECT producer_id, state FROM rill_producers WHERE partition = ?", partition).toArray();
  return new Map(rows.map((r) => [r.producer_id as number, r.state as string]));
}

/** rill_producers plus the changes stored on batches at or after `through`, in offset order. */
function replay(sql: SqlLike, partition: string, table: string | undefined, through: number): Map<number, string> {
  const state = checkpoint(sql, partition);
  if (!table) return state;
  const deltas = sql.exec(`SELECT producers FROM ${table} WHERE last_offset >= ? AND producers IS NOT NULL ORDER BY last_offset`, through);
  for (const row of deltas) applyDelta(state, row.producers as string);
  return state;
}

/** The partition's producer entries, in producer id order. */
export function loadProducers(sql: SqlLike, partition: string, table: string | undefined, through: number): ProducerEntry[] {
  const state = replay(sql, partition, table, through);
  return [...state.entries()].sort(([a], [b]) => a - b).map(([, json]) => JSON.parse(json) as ProducerEntry);
}

/**
 * Writes into rill_producers what changed since `through` (and `extra`, a delta no batch carries),
 * so the caller may move producers_through to the log end. Unchanged entries are not rewritten.
 */
export function foldProducers(sql: SqlLike, partition: string, table: string | undefined, through: number, extra?: string | null): void {
  const before = checkpoint(sql, partition);
  const after = replay(sql, partition, table, through);
  if (extra) applyDelta(after, extra);
  for (const id of before.keys()) {
    if (!after.has(id)) sql.exec("DELETE FROM rill_producers WHERE partition = ? AND producer_id = ?", partition, id);
  }
  for (const [id, json] of after) {
    if (before.get(id) === json) continue;
    sql.exec(
      "INSERT INTO rill_producers (partition, producer_id, state) VALUES (?, ?, ?) ON CONFLICT DO UPDATE SET state = excluded.state",
      partition,
      id,
      json,
    );
  }
}

/** Replaces the partition's producer entries with `entries` (a divergent replica's rebuilt state). */
export function replaceProducers(sql: SqlLike, partition: string, entries: readonly ProducerEntry[]): void {
  sql.exec("DELETE FROM rill_producers WHERE partition = ?", partition);
  for (const p of entries) {
    sql.exec("INSERT INTO rill_producers (partition, producer_id, state) VALUES (?, ?, ?)", partition, p.producerId, JSON.stringify(p));
  }
}
