// The sync state: connectivity, last sync and contact, the outbox, where each partition's upload
// stands, and how far each downloaded topic lags the edge. Without sync fields in the status (a
// @rill/browser without edge sync) it says the log is local only.

import { $, h, row } from "../shared/dom.ts";
import { formatAgo, formatBytes } from "../shared/format.ts";
import { type AppStatus, syncReported } from "./sync-status.ts";

function facts(list: HTMLElement, entries: Array<[string, string | number]>) {
  list.replaceChildren(...entries.flatMap(([term, value]) => [h("dt", {}, term), h("dd", { "data-fact": term }, value)]));
}

export function renderSync(status: AppStatus, localRecords: number) {
  const pill = $("#connectivity");
  const syncing = syncReported(status);
  const connectivity = syncing ? (status.connectivity ?? "unknown") : "local only";
  pill.textContent = connectivity;
  pill.className = `pill ${connectivity.replace(/\s/g, "-")}`;
  pill.dataset.state = connectivity;

  $("#upload-table").hidden = !syncing;
  $("#download-table").hidden = !syncing;
  if (!syncing) {
    facts($("#sync"), [["sync", "not reported by this @rill/browser: orders stay on this device"]]);
    facts($("#outbox"), [["records", localRecords]]);
    $("#upload-table tbody").replaceChildren();
    $("#download-table tbody").replaceChildren();
    return;
  }
  const upload = status.upload;
  facts($("#sync"), [
    ["connectivity", connectivity],
    ["last sync", formatAgo(status.lastSyncAt)],
    ["last contact", formatAgo(status.lastContactAt)],
    ["upload", upload?.state ?? "–"],
  ]);
  facts($("#outbox"), [
    ["records", upload?.outboxRecords ?? "–"],
    ["bytes", formatBytes(upload?.outboxBytes)],
    ["oldest unsynced", upload?.oldestUnsyncedAt ? formatAgo(upload.oldestUnsyncedAt) : "–"],
    ["last upload ack", formatAgo(upload?.lastAckAt)],
  ]);
  $("#outbox").dataset.records = String(upload?.outboxRecords ?? "");
  $("#upload-table tbody").replaceChildren(
    ...(upload?.partitions ?? []).map((p) =>
      row([p.topic, p.partition, p.localEnd, p.acked, p.inFlight], { "data-partition": p.partition }),
    ),
  );
  $("#download-table tbody").replaceChildren(
    ...(status.download?.partitions ?? []).map((p) =>
      row([p.topic, p.partition, p.replicaEnd, p.edgeHighWatermark, p.lag, formatAgo(p.lastFetchAt)], { "data-partition": p.partition }),
    ),
  );
}
