// Reads a V8 heap snapshot and says what holds the memory: per constructor (closures by function
// name) the object count, their own size and the size they retain (see heap-graph.ts).
import { type HeapGraph, parseHeapGraph } from "./heap-graph.ts";

export interface ClassSummary {
  /** Constructor name; closures are `name()`, V8-internal kinds are in parentheses. */
  name: string;
  count: number;
  selfSize: number;
  /** Bytes freed if every object of this class went (nested instances counted once). */
  retainedSize: number;
}

export interface HeapSummary {
  nodeCount: number;
  totalSize: number;
  classes: ClassSummary[];
}

/** Summarises a snapshot's JSON text (or a parsed graph); `top` keeps the classes retaining the most. */
export function summarizeHeapSnapshot(input: string | HeapGraph, options: { top?: number } = {}): HeapSummary {
  const { count, root, idom, retained, selfSize, classOf } = typeof input === "string" ? parseHeapGraph(input) : input;
  const children = new Uint32Array(count + 1);
  for (let o = 0; o < count; o++) if (o !== root) children[(idom[o] as number) + 1] = (children[(idom[o] as number) + 1] as number) + 1;
  for (let i = 0; i < count; i++) children[i + 1] = (children[i + 1] as number) + (children[i] as number);
  const kids = new Uint32Array(children[count] as number);
  const at = children.slice(0, count);
  for (let o = 0; o < count; o++) {
    if (o === root) continue;
    const d = idom[o] as number;
    kids[at[d] as number] = o;
    at[d] = (at[d] as number) + 1;
  }
  const classes = new Map<string, ClassSummary>();
  const active = new Map<string, number>();
  const walk: Array<[number, boolean]> = [[root, false]];
  while (walk.length > 0) {
    const [o, leaving] = walk.pop() as [number, boolean];
    const name = classOf[o] as string;
    if (leaving) {
      active.set(name, (active.get(name) ?? 1) - 1);
      continue;
    }
    const summary = classes.get(name) ?? { name, count: 0, selfSize: 0, retainedSize: 0 };
    classes.set(name, summary);
    summary.count++;
    summary.selfSize += selfSize[o] as number;
    if (!active.get(name)) summary.retainedSize += retained[o] as number;
    active.set(name, (active.get(name) ?? 0) + 1);
    walk.push([o, true]);
    for (let k = children[o] as number; k < (children[o + 1] as number); k++) walk.push([kids[k] as number, false]);
  }
  // the synthetic roots retain everything: they say nothing about what holds the memory
  const sorted = [...classes.values()].filter((c) => c.name !== "(synthetic)").sort((a, b) => b.retainedSize - a.retainedSize);
  return { nodeCount: count, totalSize: retained[root] as number, classes: options.top ? sorted.slice(0, options.top) : sorted };
}

/** A few lines of the biggest classes, for a report. */
export function formatHeapSummary(summary: HeapSummary, top = 15): string {
  const mb = (b: number) => (b / 1e6).toFixed(2).padStart(8);
  const lines = [`${summary.nodeCount} objects, ${(summary.totalSize / 1e6).toFixed(1)} MB reachable`];
  lines.push(`${"retained MB".padStart(11)} ${"self MB".padStart(8)} ${"count".padStart(9)}  constructor`);
  for (const c of summary.classes.slice(0, top))
    lines.push(`${mb(c.retainedSize)}    ${mb(c.selfSize)} ${String(c.count).padStart(9)}  ${c.name}`);
  return lines.join("\n");
}

/** Classes that grew most between two summaries (by retained size, then count), for a report. */
export function formatHeapGrowth(before: HeapSummary, after: HeapSummary, top = 12): string {
  const old = new Map(before.classes.map((c) => [c.name, c]));
  const rows = after.classes
    .map((c) => {
      const b = old.get(c.name);
      return { name: c.name, retained: c.retainedSize - (b?.retainedSize ?? 0), count: c.count - (b?.count ?? 0), now: c };
    })
    .filter((r) => r.retained > 0 || r.count > 0)
    .sort((a, b) => b.retained - a.retained || b.count - a.count)
    .slice(0, top);
  const lines = [
    `reachable ${(before.totalSize / 1e6).toFixed(1)} → ${(after.totalSize / 1e6).toFixed(1)} MB, objects ${before.nodeCount} → ${after.nodeCount}`,
  ];
  lines.push(`${"Δ retained MB".padStart(13)} ${"Δ count".padStart(9)} ${"count".padStart(9)}  constructor`);
  for (const r of rows) {
    lines.push(
      `${(r.retained / 1e6).toFixed(3).padStart(13)} ${String(r.count).padStart(9)} ${String(r.now.count).padStart(9)}  ${r.name}`,
    );
  }
  return lines.join("\n");
}
