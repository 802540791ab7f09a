// Verdicts over what the tabs saw: every record once, and per key the order each producer sent.
import type { Seen } from "./pages/tab.ts";

/** Records (by value) that appear more than once. */
export function duplicates(records: Array<{ value: string }>): string[] {
  const counts = new Map<string, number>();
  for (const r of records) counts.set(r.value, (counts.get(r.value) ?? 0) + 1);
  return [...counts].filter(([, n]) => n > 1).map(([value]) => value);
}

/**
 * Values `tab-seq` of one key must come in increasing seq per tab, in offset order within the
 * partition: the order each producer sent them in.
 */
export function orderViolations(records: Seen[]): string[] {
  const sorted = [...records].sort((a, b) => a.partition - b.partition || a.offset - b.offset);
  const last = new Map<string, number>();
  const out: string[] = [];
  for (const r of sorted) {
    const [tab, seq] = r.value.split("-") as [string, string];
    const slot = `${r.key}/${tab}`;
    const previous = last.get(slot) ?? -1;
    if (Number(seq) <= previous) out.push(`${r.value} after ${tab}-${previous} for key ${r.key}`);
    last.set(slot, Number(seq));
  }
  return out;
}
