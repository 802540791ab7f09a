// Committed offsets and versioned documents of the SQLite backend: small rows, one transaction per
// call like the rest of the backend (the caller passes its `tx`, which owns the transactionSync).

import type { CommittedOffset, Storage } from "@rill/core";
import type { SqlLike } from "./index.ts";

type Tx = <T>(fn: () => T) => Promise<T>;

export function offsetAndDocumentMethods(
  sql: SqlLike,
  tx: Tx,
): Pick<Storage, "commitOffsets" | "fetchOffsets" | "deleteOffsets" | "getDocument" | "putDocument" | "deleteDocument" | "listDocuments"> {
  return {
    commitOffsets: (group, offsets) =>
      tx(() => {
        for (const o of offsets) {
          sql.exec(
            `INSERT INTO rill_offsets (group_id, topic, partition, next_offset, metadata, leader_epoch, commit_timestamp)
             VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET next_offset = excluded.next_offset,
             metadata = excluded.metadata, leader_epoch = excluded.leader_epoch, commit_timestamp = excluded.commit_timestamp`,
            group,
            o.topic,
            o.partition,
            o.offset,
            o.metadata,
            o.leaderEpoch,
            o.commitTimestamp,
          );
        }
      }),

    fetchOffsets: (group) =>
      tx(() =>
        sql
          .exec("SELECT * FROM rill_offsets WHERE group_id = ? ORDER BY topic, partition", group)
          .toArray()
          .map(
            (r): CommittedOffset => ({
              topic: r.topic as string,
              partition: r.partition as number,
              offset: r.next_offset as number,
              metadata: r.metadata as string | null,
              leaderEpoch: r.leader_epoch as number,
              commitTimestamp: r.commit_timestamp as number,
            }),
          ),
      ),

    deleteOffsets: (group, topic) =>
      tx(() => {
        if (topic === undefined) sql.exec("DELETE FROM rill_offsets WHERE group_id = ?", group);
        else sql.exec("DELETE FROM rill_offsets WHERE group_id = ? AND topic = ?", group, topic);
      }),

    getDocument: (namespace, id) =>
      tx(() => {
        const row = sql.exec("SELECT version, value FROM rill_documents WHERE namespace = ? AND id = ?", namespace, id).toArray()[0];
        return row ? { version: row.version as number, value: JSON.parse(row.value as string) } : null;
      }),

    putDocument: (namespace, id, expectedVersion, value) =>
      tx(() => {
        const row = sql.exec("SELECT version FROM rill_documents WHERE namespace = ? AND id = ?", namespace, id).toArray()[0];
        if (((row?.version as number | undefined) ?? 0) !== expectedVersion) return false;
        sql.exec(
          "INSERT INTO rill_documents (namespace, id, version, value) VALUES (?, ?, ?, ?) ON CONFLICT DO UPDATE SET version = excluded.version, value = excluded.value",
          namespace,
          id,
          expectedVersion + 1,
          JSON.stringify(value),
        );
        return true;
      }),

    deleteDocument: (namespace, id) =>
      tx(() => {
        sql.exec("DELETE FROM rill_documents WHERE namespace = ? AND id = ?", namespace, id);
      }),

    listDocuments: (namespace) =>
      tx(() =>
        sql
          .exec("SELECT id, version, value FROM rill_documents WHERE namespace = ? ORDER BY id", namespace)
          .toArray()
          .map((r) => ({ id: r.id as string, version: r.version as number, value: JSON.parse(r.value as string) })),
      ),
  };
}
