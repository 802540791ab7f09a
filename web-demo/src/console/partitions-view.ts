// The partition view of the selected topic: leader, leader epoch, replicas, in-sync replicas, log
// start, high watermark, size and write rate per partition, and the topic's config overrides.

import type { TopicDescription } from "@rill/client";
import { h, row } from "../shared/dom.ts";
import { formatBytes } from "../shared/format.ts";

/** Replicas, with the ones out of the ISR marked, so an under-replicated partition stands out. */
function replicasCell(replicas: number[], isr: number[]): HTMLElement {
  const cell = h("span");
  replicas.forEach((replica, i) => {
    if (i > 0) cell.append(",");
    cell.append(isr.includes(replica) ? String(replica) : h("span", { class: "out-of-sync", title: "not in sync" }, replica));
  });
  return cell;
}

export function renderPartitions(
  tbody: HTMLElement,
  configLine: HTMLElement,
  topic: TopicDescription | null,
  rateOf: (partition: number) => number | null,
) {
  if (!topic) {
    tbody.replaceChildren();
    configLine.textContent = "";
    return;
  }
  tbody.replaceChildren(
    ...topic.partitions.map((p) => {
      const rate = rateOf(p.partition);
      return row(
        [
          p.partition,
          p.leader ?? p.replicas[0],
          p.leaderEpoch,
          replicasCell(p.replicas, p.isr),
          p.isr.join(","),
          p.logStartOffset,
          p.highWatermark,
          p.highWatermark - p.logStartOffset,
          formatBytes(p.sizeInBytes),
          rate === null ? "…" : rate.toFixed(1),
        ],
        { class: p.isr.length < p.replicas.length ? "under-replicated" : null },
      );
    }),
  );
  const overrides = Object.entries(topic.overrides ?? {});
  configLine.textContent =
    overrides.length === 0 ? "config: defaults" : `config: ${overrides.map(([key, value]) => `${key}=${value}`).join(", ")}`;
}
