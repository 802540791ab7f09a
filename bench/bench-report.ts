// Markdown tables and the SVG chart of npm run bench.
import type { CatchUpFigure } from "./bench-catchup.ts";
import type { CostFigure } from "./bench-cost.ts";
import type { GroupFigure } from "./bench-groups.ts";
import type { LatencyFigure } from "./bench-latency.ts";
import { cellLabel, type ProduceCell, type ProduceFigure } from "./bench-produce.ts";
import { medianRatio } from "./bench-stats.ts";
import type { MissingSystem, RunningSystem } from "./peers/types.ts";

const int = (n: number | undefined) => (n === undefined || !Number.isFinite(n) ? "–" : Math.round(n).toLocaleString("en-US"));
const ms = (n: number | undefined) => (n === undefined ? "–" : n < 10 ? n.toFixed(2) : n.toFixed(1));
const ratio = (n: number | undefined) => (n === undefined ? "–" : `${n.toFixed(2)}x`);

export function systemsTable(running: readonly RunningSystem[], missing: readonly MissingSystem[]): string {
  const lines = ["| system | version and settings | acknowledged means |", "|---|---|---|"];
  for (const s of running) lines.push(`| ${s.system} | ${s.version} | ${[...new Set(s.targets.map((t) => t.durability))].join("; ")} |`);
  for (const m of missing) lines.push(`| ${m.system} | **could not start**: ${m.reason} | |`);
  return lines.join("\n");
}

const sameCell = (a: ProduceCell, b: ProduceCell) =>
  a.valueSize === b.valueSize && a.perRequest === b.perRequest && a.partitions === b.partitions;

/** One row per cell: every target's records/s. */
export function produceTable(figures: readonly ProduceFigure[]): string {
  const targets = [...new Set(figures.map((f) => f.target))];
  const cells = figures.map((f) => f.cell).filter((c, i, all) => all.findIndex((d) => sameCell(c, d)) === i);
  const lines = [`| workload | ${targets.join(" | ")} | load |`, `|---|${targets.map(() => "---:").join("|")}|---:|`];
  for (const cell of cells) {
    const row = targets.map((t) => {
      const f = figures.find((x) => x.target === t && sameCell(x.cell, cell));
      return f?.error ? "error" : int(f?.recordsPerSec);
    });
    const load = figures.find((x) => sameCell(x.cell, cell))?.load;
    lines.push(`| ${cellLabel(cell)} | ${row.join(" | ")} | ${load?.toFixed(1) ?? ""} |`);
  }
  return lines.join("\n");
}

/** Rill's targets against each peer target: the median over rounds of the two rates in the same round. */
export function ratioTable(figures: readonly ProduceFigure[], rill: readonly string[], peers: readonly string[]): string {
  const cells = figures.map((f) => f.cell).filter((c, i, all) => all.findIndex((d) => sameCell(c, d)) === i);
  const lines = [
    `| workload | Rill | records/s | ${peers.map((p) => `vs ${p}`).join(" | ")} |`,
    `|---|---|---:|${peers.map(() => "---:").join("|")}|`,
  ];
  for (const cell of cells) {
    for (const r of rill) {
      const a = figures.find((x) => x.target === r && sameCell(x.cell, cell));
      if (!a || a.error) continue;
      const row = peers.map((p) => {
        const b = figures.find((x) => x.target === p && sameCell(x.cell, cell));
        return b && !b.error ? ratio(medianRatio(a.rounds, b.rounds)) : "–";
      });
      lines.push(`| ${cellLabel(cell)} | ${r} | ${int(a.recordsPerSec)} | ${row.join(" | ")} |`);
    }
  }
  return lines.join("\n");
}

export function latencyTable(figures: readonly LatencyFigure[]): string {
  const lines = [
    "| system | share of peak | rate/s | received | p50 ms | p99 ms | p99.9 ms | load |",
    "|---|---:|---:|---:|---:|---:|---:|---:|",
  ];
  for (const f of figures) {
    lines.push(
      `| ${f.target} | ${Math.round(f.share * 100)} % | ${int(f.rate)} | ${f.received}/${f.sent}${f.error ? ` (${f.error})` : ""} | ${ms(f.p50ms)} | ${ms(f.p99ms)} | ${ms(f.p999ms)} | ${f.load.toFixed(1)} |`,
    );
  }
  return lines.join("\n");
}

export function catchUpTable(figures: readonly CatchUpFigure[]): string {
  const lines = ["| system | records | seconds | records/s | MB/s | load |", "|---|---:|---:|---:|---:|---:|"];
  for (const f of figures) {
    lines.push(
      f.error
        ? `| ${f.target} | error: ${f.error} | | | | |`
        : `| ${f.target} | ${int(f.records)} | ${f.seconds.toFixed(2)} | ${int(f.recordsPerSec)} | ${f.mbPerSec.toFixed(1)} | ${f.load.toFixed(1)} |`,
    );
  }
  return lines.join("\n");
}

export function groupsTable(figures: readonly GroupFigure[]): string {
  const lines = ["| system | joins | join → first record p50 ms | p99 ms | rebalance pause ms | how |", "|---|---:|---:|---:|---:|---|"];
  for (const f of figures) {
    lines.push(
      f.error
        ? `| ${f.system} | error: ${f.error} | | | | |`
        : `| ${f.system} | ${f.trials} | ${ms(f.joinP50ms)} | ${ms(f.joinP99ms)} | ${f.pauseMs === undefined ? "n/a" : ms(f.pauseMs)} | ${f.note} |`,
    );
  }
  return lines.join("\n");
}

export function costTable(figures: readonly CostFigure[]): string {
  const lines = [
    "| records/request | produce: HTTP requests | DO requests | rows written | rows read | consume: HTTP requests | DO requests | rows read | DO $ per M records | Queues $ per M messages |",
    "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
  ];
  for (const f of figures) {
    lines.push(
      `| ${f.perRequest} | ${int(f.produce.httpRequests)} | ${int(f.produce.doRequests)} | ${int(f.produce.rowsWritten)} | ${int(f.produce.rowsRead)} | ${int(f.consume.httpRequests)} | ${int(f.consume.doRequests)} | ${int(f.consume.rowsRead)} | $${f.doUsd.toFixed(4)} | $${f.queuesUsd.toFixed(2)} |`,
    );
  }
  return lines.join("\n");
}

const PALETTE = [
  "#1f77b4",
  "#ff7f0e",
  "#2ca02c",
  "#d62728",
  "#9467bd",
  "#8c564b",
  "#e377c2",
  "#7f7f7f",
  "#bcbd22",
  "#17becf",
  "#393b79",
  "#637939",
];

/** Records/s by records per request (log-log), one line per target, for one value size and partition count. */
export function throughputSvg(figures: readonly ProduceFigure[], valueSize: number, partitions: number, title: string): string {
  const chosen = figures.filter(
    (f) => f.cell.valueSize === valueSize && f.cell.partitions === partitions && !f.error && f.recordsPerSec > 0,
  );
  const targets = [...new Set(chosen.map((f) => f.target))];
  const xs = [...new Set(chosen.map((f) => f.cell.perRequest))].sort((a, b) => a - b);
  const W = 760;
  const H = 420;
  const left = 70;
  const right = 230;
  const top = 40;
  const bottom = 50;
  const ys = chosen.map((f) => f.recordsPerSec);
  const lo = 10 ** Math.floor(Math.log10(Math.max(1, Math.min(...ys, 1e9))));
  const hi = 10 ** Math.ceil(Math.log10(Math.max(...ys, 10)));
  const px = (x: number) => left + (xs.length > 1 ? (xs.indexOf(x) / (xs.length - 1)) * (W - left - right) : 0);
  const py = (y: number) => top + (1 - (Math.log10(y) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * (H - top - bottom);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12" role="img" aria-labelledby="title">`,
    `<title id="title">${title}</title>`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${left}" y="22" font-size="14" font-weight="bold">${title}</text>`,
  ];
  for (let d = lo; d <= hi; d *= 10) {
    out.push(`<line x1="${left}" x2="${W - right}" y1="${py(d)}" y2="${py(d)}" stroke="#ddd"/>`);
    out.push(`<text x="${left - 6}" y="${py(d) + 4}" text-anchor="end">${d >= 1e6 ? `${d / 1e6}M` : d >= 1e3 ? `${d / 1e3}k` : d}</text>`);
  }
  for (const x of xs) {
    out.push(`<line x1="${px(x)}" x2="${px(x)}" y1="${top}" y2="${H - bottom}" stroke="#eee"/>`);
    out.push(`<text x="${px(x)}" y="${H - bottom + 18}" text-anchor="middle">${x}</text>`);
  }
  out.push(`<text x="${(left + W - right) / 2}" y="${H - 12}" text-anchor="middle">records per request</text>`);
  out.push(
    `<text x="16" y="${(top + H - bottom) / 2}" transform="rotate(-90 16 ${(top + H - bottom) / 2})" text-anchor="middle">records/s (log)</text>`,
  );
  targets.forEach((t, i) => {
    const color = PALETTE[i % PALETTE.length];
    const points = xs
      .map((x) => chosen.find((f) => f.target === t && f.cell.perRequest === x))
      .filter((f): f is ProduceFigure => f !== undefined)
      .map((f) => `${px(f.cell.perRequest).toFixed(1)},${py(f.recordsPerSec).toFixed(1)}`);
    const dash = t.startsWith("rill") ? "" : ' stroke-dasharray="5,3"';
    out.push(
      `<polyline fill="none" stroke="${color}" stroke-width="${t.startsWith("rill") ? 2.5 : 1.5}"${dash} points="${points.join(" ")}"/>`,
    );
    for (const p of points) out.push(`<circle cx="${p.split(",")[0]}" cy="${p.split(",")[1]}" r="3" fill="${color}"/>`);
    const ly = top + 10 + i * 18;
    out.push(`<line x1="${W - right + 12}" x2="${W - right + 36}" y1="${ly}" y2="${ly}" stroke="${color}" stroke-width="2.5"${dash}/>`);
    out.push(`<text x="${W - right + 42}" y="${ly + 4}">${t}</text>`);
  });
  out.push("</svg>");
  return out.join("\n");
}
