// The sync state: connectivity, last sync and contact, the outbox, where each partition's upload
// stands, and how far each downloaded topic lags the edge. Without a sync status (no edge settings,
// or the hosting worker has not reported yet) it says the orders stay on this device for now.

import { $, h, row } from "../shared/dom.ts";
import { formatAgo, formatBytes } from "../shared/format.ts";
import { type AppStatus, syncOf } from "./sync-status.ts";

function facts(list: HTMLElement, entries: Array<[string, string | number]>) {
  list.replaceChildren(...entries.flatMap(([term, value]) => [h("dt", {}, term), h("dd", { "data-fact": term }, value)]));
}

export function renderSync(status: AppStatus, localRecords: number) {
  const sync = syncOf(status);
  const pill = $("#connectivity");
  const connectivity = sync ? sync.connectivity : "local only";
  pill.textContent = connectivity;
  pill.className = `pill ${connectivity.replace(/\s/g, "-")}`;
  pill.dataset.state = connectivity;
  $("#upload-table").hidden = !sync;
  $("#download-table").hidden = !sync;

  if (!sync) {
    facts($("#sync"), [["sync", "not running yet: orders stay on this device"]]);
    facts($("#outbox"), [["records", localRecords]]);
    $("#outbox").dataset.records = String(localRecords);
    return;
  }
  const { upload, download } = sync;
  facts($("#sync"), [
    ["connectivity", connectivity],
    ["last sync", formatAgo(sync.lastSyncAt)],
    ["last contact", formatAgo(sync.lastContactAt)],
    ["upload", upload.state],
  ]);
  facts($("#outbox"), [
    ["records", upload.outboxRecords],
    ["bytes", formatBytes(upload.outboxBytes)],
    ["oldest unsynced", upload.oldestUnsyncedAt ? formatAgo(upload.oldestUnsyncedAt) : "–"],
    ["last upload ack", formatAgo(upload.lastAckAt)],
  ]);
  $("#outbox").dataset.records = String(upload.outboxRecords);
  $("#upload-table tbody").replaceChildren(
    ...upload.partitions.map((p) =>
      row([`${p.topic} → ${p.edgeTopic}`, p.partition, p.localEnd, p.acked, p.inFlight, p.state], { "data-partition": p.partition }),
    ),
  );
  $("#download-table tbody").replaceChildren(
    ...download.partitions.map((p) =>
      row([`${p.edgeTopic} → ${p.topic}`, p.partition, p.replicaEnd, p.edgeHighWatermark, p.lag, formatAgo(p.lastFetchAt)], {
        "data-partition": p.partition,
      }),
    ),
    ...download.gaps.map((g) =>
      h(
        "tr",
        { class: "gap" },
        h("td", { colspan: 6 }, `${g.topic}/${g.partition}: skipped ${g.from}–${g.to} (${g.reason}) ${formatAgo(g.at)}`),
      ),
    ),
  );
}
