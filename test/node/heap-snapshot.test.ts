// The heap snapshot reader the soak benchmark reports with: dominators and retained sizes on small
// graphs whose answers are known, weak edges not retaining, and a chain as long as a leak makes.
import { describe, expect, it } from "vitest";
import { dominatorChains, parseHeapGraph } from "../harness/heap-graph.ts";
import { formatHeapGrowth, summarizeHeapSnapshot } from "../harness/heap-snapshot.ts";

interface Node {
  type: "synthetic" | "object" | "closure" | "string";
  name: string;
  size: number;
  edges: Array<{ to: number; weak?: boolean }>;
}

/** A snapshot in V8's JSON layout (the fields DevTools' files have). */
function snapshot(nodes: Node[]): string {
  const nodeTypes = ["hidden", "array", "string", "object", "code", "closure", "regexp", "number", "native", "synthetic"];
  const edgeTypes = ["context", "element", "property", "internal", "hidden", "shortcut", "weak"];
  const strings: string[] = [""];
  const str = (s: string) => {
    const at = strings.indexOf(s);
    return at >= 0 ? at : strings.push(s) - 1;
  };
  const flatNodes: number[] = [];
  const flatEdges: number[] = [];
  nodes.forEach((n, id) => {
    flatNodes.push(nodeTypes.indexOf(n.type), str(n.name), id + 1, n.size, n.edges.length, 0, 0);
    for (const e of n.edges) flatEdges.push(edgeTypes.indexOf(e.weak ? "weak" : "property"), str("p"), e.to * 7);
  });
  return JSON.stringify({
    snapshot: {
      meta: {
        node_fields: ["type", "name", "id", "self_size", "edge_count", "trace_node_id", "detachedness"],
        node_types: [nodeTypes, "string", "number", "number", "number", "number", "number"],
        edge_fields: ["type", "name_or_index", "to_node"],
        edge_types: [edgeTypes, "string_or_number", "node"],
      },
      node_count: nodes.length,
      edge_count: flatEdges.length / 3,
    },
    nodes: flatNodes,
    edges: flatEdges,
    strings,
  });
}

describe("heap snapshot reader", () => {
  it("attributes memory by dominators: shared objects to their common dominator, weak edges retain nothing", () => {
    // root → a, b; a → c, b → c (shared); c → d; a ⇢ e (weak) and root → e
    const graph = parseHeapGraph(
      snapshot([
        { type: "synthetic", name: "root", size: 0, edges: [{ to: 1 }, { to: 2 }, { to: 5 }] },
        { type: "object", name: "A", size: 10, edges: [{ to: 3 }, { to: 5, weak: true }] },
        { type: "object", name: "B", size: 20, edges: [{ to: 3 }] },
        { type: "object", name: "C", size: 30, edges: [{ to: 4 }] },
        { type: "string", name: "d", size: 40, edges: [] },
        { type: "closure", name: "E", size: 50, edges: [] },
      ]),
    );
    const byClass = (name: string) => graph.classOf.indexOf(name);
    const idomOf = (name: string) => graph.classOf[graph.idom[byClass(name)] as number];
    expect([idomOf("A"), idomOf("B"), idomOf("C"), idomOf("(string)"), idomOf("E()")]).toEqual([
      "(synthetic)",
      "(synthetic)",
      "(synthetic)",
      "C",
      "(synthetic)",
    ]);
    expect(graph.retained[byClass("A")]).toBe(10);
    expect(graph.retained[byClass("C")]).toBe(70);
    expect(graph.retained[graph.root]).toBe(150);
  });

  it("counts nested instances of a class once and reports growth between two snapshots", () => {
    // a linked list of 3 Items, the first held by the root: all 3 are inside the first's size
    const list = (length: number): Node[] => [
      { type: "synthetic", name: "root", size: 0, edges: [{ to: 1 }] },
      ...Array.from({ length }, (_, i) => ({
        type: "object" as const,
        name: "Item",
        size: 8,
        edges: i + 1 < length ? [{ to: i + 2 }] : [],
      })),
    ];
    const before = summarizeHeapSnapshot(snapshot(list(3)));
    const after = summarizeHeapSnapshot(snapshot(list(1_000)));
    expect(before.classes.find((c) => c.name === "Item")).toEqual({ name: "Item", count: 3, selfSize: 24, retainedSize: 24 });
    expect(after.classes.find((c) => c.name === "Item")).toMatchObject({ count: 1_000, retainedSize: 8_000 });
    expect(formatHeapGrowth(before, after)).toMatch(/0\.008\s+997\s+1000\s+Item/);
  });

  it("walks a chain hundreds of thousands deep (what a leak looks like) and names its holder", () => {
    const length = 300_000;
    const nodes: Node[] = [
      { type: "synthetic", name: "root", size: 0, edges: [{ to: 1 }] },
      { type: "object", name: "Holder", size: 16, edges: [{ to: 2 }] },
    ];
    // each link also points back at its predecessor, as promise chains do
    for (let i = 0; i < length; i++) {
      const at = nodes.length;
      nodes.push({ type: "object", name: "Promise", size: 32, edges: [...(i + 1 < length ? [{ to: at + 1 }] : []), { to: at - 1 }] });
    }
    const graph = parseHeapGraph(snapshot(nodes));
    expect(graph.retained[graph.classOf.indexOf("Holder")]).toBe(16 + 32 * length);
    const [chain] = dominatorChains(graph, "Promise", 2, 3);
    expect(chain).toMatchObject({ chain: "Promise ← Promise", count: length - 2 });
  });
});
