// Output of line-oriented JSON commands (`rill consume`, `--json` listings).

/**
 * The JSON lines of `text`. `complete` keeps only lines ended by a newline: the output of a process
 * that is still running may stop mid-line.
 */
export function jsonLines<T = unknown>(text: string, options: { complete?: boolean } = {}): T[] {
  const lines = text.split("\n");
  if (options.complete) lines.pop();
  return lines.filter((line) => line.trim() !== "").map((line) => JSON.parse(line) as T);
}
