// A V8 heap snapshot (the JSON DevTools saves) as a graph with its dominator tree, so sizes can
// be attributed as DevTools does: an object retains what would be freed with it (weak edges do
// not retain). Nodes are numbered in depth-first post-order from the root (the root is last).

interface RawSnapshot {
  snapshot: {
    meta: { node_fields: string[]; node_types: [string[], ...unknown[]]; edge_fields: string[]; edge_types: [string[], ...unknown[]] };
  };
  nodes: number[];
  edges: number[];
  strings: string[];
}

export function className(type: string, name: string): string {
  switch (type) {
    case "object":
    case "native":
      return name;
    case "closure":
      return `${name || "(anonymous)"}()`;
    case "string":
    case "concatenated string":
    case "sliced string":
      return "(string)";
    case "code":
      return "(compiled code)";
    case "array":
      return `(array ${name})`;
    case "hidden":
    case "object shape":
      return "(system)";
    default:
      return `(${type})`;
  }
}

export interface HeapGraph {
  /** Reachable nodes; numbers 0..count-1 in post-order, the root is count - 1. */
  count: number;
  root: number;
  /** Immediate dominator of each node (the root is its own). */
  idom: Int32Array;
  /** Retained size of each node, bytes. */
  retained: Float64Array;
  selfSize: Float64Array;
  /** Constructor name (closures as `name()`, V8-internal kinds in parentheses). */
  classOf: string[];
  /** The snapshot's id of each node (what DevTools shows as @id). */
  nodeId: Float64Array;
}

/** Parses a snapshot and computes dominators (Cooper, Harvey and Kennedy's iterative algorithm). */
export function parseHeapGraph(json: string): HeapGraph {
  const raw = JSON.parse(json) as RawSnapshot;
  const meta = raw.snapshot.meta;
  const nodeFieldCount = meta.node_fields.length;
  const edgeFieldCount = meta.edge_fields.length;
  const typeField = meta.node_fields.indexOf("type");
  const nameField = meta.node_fields.indexOf("name");
  const sizeField = meta.node_fields.indexOf("self_size");
  const edgeCountField = meta.node_fields.indexOf("edge_count");
  const edgeTypeField = meta.edge_fields.indexOf("type");
  const toField = meta.edge_fields.indexOf("to_node");
  const nodeTypes = meta.node_types[0];
  const weak = meta.edge_types[0].indexOf("weak");
  const { nodes, edges, strings } = raw;
  const n = nodes.length / nodeFieldCount;

  // forward edges as (first edge index per node), ignoring weak ones
  const firstEdge = new Uint32Array(n + 1);
  for (let i = 0, e = 0; i < n; i++) {
    firstEdge[i] = e;
    e += (nodes[i * nodeFieldCount + edgeCountField] as number) * edgeFieldCount;
    firstEdge[i + 1] = e;
  }
  const target = (e: number) => (edges[e + toField] as number) / nodeFieldCount;
  const strong = (e: number) => edges[e + edgeTypeField] !== weak;

  // depth-first post-order from the root (node 0), iteratively
  const order = new Int32Array(n).fill(-1); // post-order number
  const byOrder = new Uint32Array(n);
  const stack = new Uint32Array(n);
  const cursor = new Uint32Array(n);
  const visited = new Uint8Array(n);
  let top = 0;
  let count = 0;
  stack[top++] = 0;
  visited[0] = 1;
  cursor[0] = firstEdge[0] as number;
  while (top > 0) {
    const v = stack[top - 1] as number;
    const end = firstEdge[v + 1] as number;
    let e = cursor[v] as number;
    while (e < end && (!strong(e) || visited[target(e)])) e += edgeFieldCount;
    if (e < end) {
      cursor[v] = e + edgeFieldCount;
      const w = target(e);
      visited[w] = 1;
      cursor[w] = firstEdge[w] as number;
      stack[top++] = w;
    } else {
      top--;
      order[v] = count;
      byOrder[count++] = v;
    }
  }

  // predecessors of reachable nodes (CSR layout)
  const predCount = new Uint32Array(n + 1);
  for (let v = 0; v < n; v++) {
    if (!visited[v]) continue;
    for (let e = firstEdge[v] as number; e < (firstEdge[v + 1] as number); e += edgeFieldCount) {
      if (strong(e)) predCount[target(e) + 1] = (predCount[target(e) + 1] as number) + 1;
    }
  }
  for (let i = 0; i < n; i++) predCount[i + 1] = (predCount[i + 1] as number) + (predCount[i] as number);
  const preds = new Uint32Array(predCount[n] as number);
  const fill = predCount.slice(0, n);
  for (let v = 0; v < n; v++) {
    if (!visited[v]) continue;
    for (let e = firstEdge[v] as number; e < (firstEdge[v + 1] as number); e += edgeFieldCount) {
      if (!strong(e)) continue;
      const w = target(e);
      preds[fill[w] as number] = v;
      fill[w] = (fill[w] as number) + 1;
    }
  }

  // Cooper, Harvey and Kennedy's iterative dominators, on post-order numbers
  const idom = new Int32Array(count).fill(-1);
  const root = count - 1;
  idom[root] = root;
  const intersect = (a: number, b: number) => {
    while (a !== b) {
      while (a < b) a = idom[a] as number;
      while (b < a) b = idom[b] as number;
    }
    return a;
  };
  for (let changed = true; changed; ) {
    changed = false;
    for (let o = root - 1; o >= 0; o--) {
      const v = byOrder[o] as number;
      let dom = -1;
      for (let p = predCount[v] as number; p < (predCount[v + 1] as number); p++) {
        const po = order[preds[p] as number] as number;
        if (po < 0 || idom[po] === -1) continue;
        dom = dom === -1 ? po : intersect(po, dom);
      }
      if (dom !== -1 && idom[o] !== dom) {
        idom[o] = dom;
        changed = true;
      }
    }
  }

  // retained sizes: children before parents in post-order
  const retained = new Float64Array(count);
  for (let o = 0; o < count; o++) retained[o] = nodes[(byOrder[o] as number) * nodeFieldCount + sizeField] as number;
  for (let o = 0; o < root; o++)
    if ((idom[o] as number) >= 0) retained[idom[o] as number] = (retained[idom[o] as number] as number) + (retained[o] as number);

  // per class; an instance dominated by another of its class is already inside that one's size
  const classOf = new Array<string>(count);
  for (let o = 0; o < count; o++) {
    const i = (byOrder[o] as number) * nodeFieldCount;
    classOf[o] = className(nodeTypes[nodes[i + typeField] as number] as string, strings[nodes[i + nameField] as number] as string);
  }
  const selfSize = new Float64Array(count);
  for (let o = 0; o < count; o++) selfSize[o] = nodes[(byOrder[o] as number) * nodeFieldCount + sizeField] as number;
  const idField = meta.node_fields.indexOf("id");
  const nodeId = new Float64Array(count);
  for (let o = 0; o < count; o++) nodeId[o] = nodes[(byOrder[o] as number) * nodeFieldCount + idField] as number;
  return { count, root, idom, retained, selfSize, classOf, nodeId };
}

/**
 * Who holds the instances of a class: for each, the classes of its dominators up to `depth`
 * levels, counted and summed by retained size (the most retaining chains first).
 */
export function dominatorChains(
  graph: HeapGraph,
  name: string,
  depth = 4,
  top = 8,
): Array<{ chain: string; count: number; retained: number }> {
  const chains = new Map<string, { chain: string; count: number; retained: number }>();
  for (let o = 0; o < graph.count; o++) {
    if (graph.classOf[o] !== name) continue;
    const names: string[] = [];
    for (let d = graph.idom[o] as number, i = 0; i < depth && d !== graph.root; d = graph.idom[d] as number, i++)
      names.push(graph.classOf[d] as string);
    const chain = names.join(" ← ") || "(root)";
    const entry = chains.get(chain) ?? { chain, count: 0, retained: 0 };
    chains.set(chain, entry);
    entry.count++;
    entry.retained += graph.retained[o] as number;
  }
  return [...chains.values()].sort((a, b) => b.retained - a.retained).slice(0, top);
}
