// The topics table: one row per topic with its record count, size and write rate. Clicking a topic
// selects it for the partition view and the record browser.

import type { TopicDescription } from "@rill/client";
import { h, row } from "../shared/dom.ts";
import { formatBytes } from "../shared/format.ts";

export interface TopicRow {
  topic: TopicDescription;
  /** Sum of the partitions' write rates; null until two refreshes have been seen. */
  rate: number | null;
}

export function renderTopics(tbody: HTMLElement, rows: readonly TopicRow[], selected: string | null, onSelect: (topic: string) => void) {
  tbody.replaceChildren(
    ...rows.map(({ topic, rate }) => {
      const records = topic.partitions.reduce((sum, p) => sum + (p.highWatermark - p.logStartOffset), 0);
      const bytes = topic.partitions.reduce((sum, p) => sum + (p.sizeInBytes ?? 0), 0);
      const link = h("a", { href: `#topic=${encodeURIComponent(topic.name)}`, onclick: () => onSelect(topic.name) }, topic.name);
      return row(
        [link, topic.partitions.length, topic.replicationFactor, records, formatBytes(bytes), rate === null ? "…" : rate.toFixed(1)],
        {
          class: topic.name === selected ? "selected" : null,
          "data-topic": topic.name,
        },
      );
    }),
  );
}
