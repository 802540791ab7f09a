// Formatting of `npm run bench:core` results: the Markdown tables and the targets' verdicts.

export type Backend = "memory" | "sqlite";
/** append: through the partition log (batch checks included); store: the storage backend alone (SQLite). */
export type Operation = "append" | "store" | "read";

export interface BenchRow {
  backend: Backend;
  op: Operation;
  /** Bytes per record value. */
  valueSize: number;
  recordsPerBatch: number;
  /** Encoded size of one batch. */
  batchBytes: number;
  /**
   * Figures are undefined when there was nothing to divide by: workerd's clock stands still while
   * a Durable Object computes (it moves on I/O, in whole milliseconds), so a --quick loop can read
   * 0 ms. That is "no sample", printed as such, never a rate of 0 or infinity.
   */
  recordsPerSec: number | undefined;
  /** Record value bytes per second, in 10^6 bytes. */
  mbPerSec: number | undefined;
  ceiling: string;
  ceilingRecordsPerSec: number | undefined;
  ceilingMbPerSec: number | undefined;
  /** backend / ceiling: the median of the alternating rounds' own ratios (not of the summed rates). */
  ratio: number | undefined;
  /** SQLite append and store only: the same loops with the commit to disk left out of the time. */
  withoutCommit?: { recordsPerSec: number | undefined; ceilingRecordsPerSec: number | undefined; ratio: number | undefined };
}

/** What a figure without a sample prints as. */
export const NO_SAMPLE = "no sample";

/** "100 B", "1 KB". */
export const size = (bytes: number) => (bytes >= 1024 ? `${bytes / 1024} KB` : `${bytes} B`);

export const fmt = (n: number | undefined, digits = 0) =>
  n === undefined ? NO_SAMPLE : n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** "0.94x", or no sample. */
export const times = (n: number | undefined) => (n === undefined ? NO_SAMPLE : `${n.toFixed(2)}x`);

/** The rows as a Markdown table (records/s and MB/s of record values, 1 MB = 10^6 bytes). */
export function formatTable(rows: readonly BenchRow[]): string {
  const head = ["backend", "op", "value", "rec/batch", "batch B", "records/s", "MB/s", "ceiling", "ceiling rec/s", "ceiling MB/s", "ratio"];
  const body = rows.map((r) => [
    r.backend,
    r.op,
    size(r.valueSize),
    String(r.recordsPerBatch),
    String(r.batchBytes),
    fmt(r.recordsPerSec),
    fmt(r.mbPerSec, 1),
    r.ceiling,
    fmt(r.ceilingRecordsPerSec),
    fmt(r.ceilingMbPerSec, 1),
    times(r.ratio),
  ]);
  return markdown(head, body, new Set([3, 4, 5, 6, 8, 9, 10]));
}

/** A Markdown table padded to line up in a terminal too; `numeric` columns align right. */
function markdown(head: string[], body: string[][], numeric: Set<number>): string {
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((cells) => (cells[i] as string).length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (numeric.has(i) ? c.padStart(widths[i] as number) : c.padEnd(widths[i] as number))).join(" | ")} |`;
  const rule = `|${widths.map((w, i) => (numeric.has(i) ? `${"-".repeat(w + 1)}:` : "-".repeat(w + 2))).join("|")}|`;
  return [line(head), rule, ...body.map(line)].join("\n");
}

/** SQLite appends with the commit left out: the statements' own cost, where the backend differs from a raw INSERT. */
export function formatCommitTable(rows: readonly BenchRow[]): string {
  const head = ["op", "value", "rec/batch", "sqlite rec/s", "raw INSERT rec/s", "ratio", "with commit"];
  const body = rows.flatMap((r) =>
    r.withoutCommit
      ? [
          [
            r.op,
            size(r.valueSize),
            String(r.recordsPerBatch),
            fmt(r.withoutCommit.recordsPerSec),
            fmt(r.withoutCommit.ceilingRecordsPerSec),
            times(r.withoutCommit.ratio),
            times(r.ratio),
          ],
        ]
      : [],
  );
  return markdown(head, body, new Set([2, 3, 4, 5, 6]));
}

/** The issue's targets, checked against the rows (SQLite: with and without the commit in the time). */
export function checkTargets(rows: readonly BenchRow[]): string[] {
  const out: string[] = [];
  // no sample is neither a pass nor a miss
  const verdict = (n: number | undefined, target: number) => (n === undefined ? "NONE" : n >= target ? "PASS" : "MISS");
  const mem = rows.find((r) => r.backend === "memory" && r.op === "append" && r.valueSize === 100 && r.recordsPerBatch === 1000);
  if (mem) {
    out.push(
      `${verdict(mem.recordsPerSec, 1_000_000)} memory append 100 B x1000: ${fmt(mem.recordsPerSec)} records/s (target >= 1,000,000)`,
    );
  }
  for (const r of rows) {
    if (!r.withoutCommit) continue;
    const { ratio } = r.withoutCommit;
    out.push(
      `${verdict(r.ratio, 0.8)}/${verdict(ratio, 0.8)} sqlite ${r.op} ${size(r.valueSize)} x${r.recordsPerBatch}: ` +
        `${times(r.ratio)} raw INSERT with the commit / ${times(ratio)} without (target >= 0.80x)`,
    );
  }
  return out;
}

/** Everything `npm run bench:core` prints on stdout. */
export function formatReport(rows: readonly BenchRow[]): string {
  return [
    formatTable(rows),
    "",
    "SQLite writes without the commit (the loops alone; the commit to disk is the same work for both):",
    "",
    formatCommitTable(rows),
    "",
    ...checkTargets(rows),
  ].join("\n");
}
