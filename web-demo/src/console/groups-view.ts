// The consumer groups table: per group and partition, the committed offset, the high watermark and
// the lag, drawn as a bar scaled to the group's largest lag.

import type { GroupDescription } from "@rill/client";
import { h, row } from "../shared/dom.ts";

function lagCell(lag: number | null, max: number): HTMLElement {
  const width = max > 0 ? Math.round((80 * (lag ?? 0)) / max) : 0;
  return h("span", { class: `lag${(lag ?? 0) > 1000 ? " high" : ""}` }, h("span", { class: "bar", style: `width:${width}px` }), lag ?? "–");
}

export function renderGroups(tbody: HTMLElement, groups: readonly GroupDescription[]) {
  const rows: HTMLTableRowElement[] = [];
  for (const group of groups) {
    const max = Math.max(0, ...group.partitions.map((p) => p.lag ?? 0));
    if (group.partitions.length === 0) rows.push(row([group.groupId, group.state, group.members.length, "", "", "", "", "", ""]));
    for (const p of group.partitions) {
      rows.push(
        row(
          [
            group.groupId,
            group.state,
            group.members.length,
            p.topic,
            p.partition,
            p.committedOffset,
            p.highWatermark,
            lagCell(p.lag, max),
            p.memberId ?? "",
          ],
          {
            "data-group": group.groupId,
          },
        ),
      );
    }
  }
  tbody.replaceChildren(...rows);
}
