// Consumer-group lag over time: the history sampled at each refresh, drawn as one line per group,
// with a legend that names each group's colour and current lag.

import type { GroupDescription } from "@rill/client";
import { $, h } from "../shared/dom.ts";
import { drawLineChart, PALETTE } from "../shared/line-chart.ts";
import { createLagHistory } from "./lag-history.ts";

const WINDOW_MS = 5 * 60_000;

export function createLagChart() {
  const canvas = $<HTMLCanvasElement>("#lag-chart");
  const legend = $("#lag-legend");
  const history = createLagHistory(WINDOW_MS);
  const colours = new Map<string, string>();
  const colourOf = (group: string) => {
    let colour = colours.get(group);
    if (!colour) colours.set(group, (colour = PALETTE[colours.size % PALETTE.length] ?? "#3b82f6"));
    return colour;
  };

  function draw(now: number) {
    const series = history.series().map((s) => ({ name: s.group, color: colourOf(s.group), points: s.points }));
    drawLineChart(canvas, series, { windowMs: WINDOW_MS, now, unit: "records" });
    legend.replaceChildren(
      ...series.map((s) => {
        const last = s.points[s.points.length - 1]?.value ?? 0;
        return h(
          "li",
          { "data-group": s.name, "data-lag": last },
          h("span", { class: "swatch", style: `background:${s.color}` }),
          `${s.name}: ${last}`,
        );
      }),
    );
    canvas.dataset.samples = String(history.samples);
  }

  return {
    /** Takes one sample of every group's total lag. */
    sample(groups: readonly GroupDescription[], at = Date.now()) {
      history.add(at, new Map(groups.map((g) => [g.groupId, g.totalLag])));
      draw(at);
    },
  };
}
