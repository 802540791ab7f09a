// This device's side of the status: storage (usage, quota, persisted), which worker hosts the log,
// and recent errors (the local broker's and the sync's) deduplicated with counts.

import { $, h } from "../shared/dom.ts";
import { formatAgo, formatBytes } from "../shared/format.ts";
import type { AppStatus } from "./sync-status.ts";

export function renderDevice(status: AppStatus) {
  const { storage, host } = status;
  const used = storage.usage !== null && storage.quota ? ` (${((100 * storage.usage) / storage.quota).toFixed(2)} %)` : "";
  $("#storage").replaceChildren(
    ...[
      ["used", `${formatBytes(storage.usage)} of ${formatBytes(storage.quota)}${used}`],
      ["persisted", storage.persisted === null ? "unknown" : storage.persisted ? "yes" : "no (the browser may evict it)"],
      ["state", storage.state],
    ].flatMap(([term, value]) => [h("dt", {}, term), h("dd", { "data-fact": term }, value)]),
  );
  const hosting =
    host.mode === "shared"
      ? "one shared worker hosts the log for every tab"
      : host.isHost
        ? "this tab's worker hosts the log"
        : "another tab's worker hosts the log";
  $("#host").textContent = `${host.state} · ${hosting}`;
  $("#host").dataset.state = host.state;
  // the broker's errors and the sync's, each deduplicated with a count where it was recorded
  const errors = [...status.errors, ...(status.sync?.errors ?? [])].sort((x, y) => x.lastAt - y.lastAt);
  $("#errors").replaceChildren(
    ...(errors.length === 0
      ? [h("li", { class: "muted" }, "none")]
      : [...errors]
          .reverse()
          .map((e) =>
            h("li", { class: e.retriable ? "retriable" : "fatal" }, `${e.code}: ${e.message} ×${e.count} (last ${formatAgo(e.lastAt)})`),
          )),
  );
}
