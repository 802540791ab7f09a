// Columns aligned with spaces under a header, as kafka-consumer-groups prints them.

/** The rows as lines, each column as wide as its widest cell plus two spaces (the last one unpadded). */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd((widths[i] ?? 0) + 2)))
      .join("")
      .trimEnd();
  return `${[header, ...rows].map(line).join("\n")}\n`;
}
