// A V8 heap snapshot (the JSON DevTools saves) as a graph with its dominator tree, so sizes can
// be attributed as DevTools does: an object retains what would be freed with it (weak edges do
// not retain). Nodes are numbered in depth-first preorder from the root (the root is 0).

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
  /** Reachable nodes, numbered 0..count-1 in depth-first preorder: the root is 0, a dominator comes before what it dominates. */
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

/**
 * Parses a snapshot and computes dominators with Lengauer and Tarjan's algorithm (path
 * compression), which stays near-linear on the long chains a leak makes (promise chains hundreds
 * of thousands deep), where simpler iterative algorithms go quadratic.
 */
export function parseHeapGraph(json: string): HeapGraph {
  const raw = JSON.parse(json) as RawSnapshot;
  const meta = raw.snapshot.meta;
  const nodeFieldCount = meta.node_fields.length;
  const edgeFieldCount = meta.edge_fields.length;
  const typeField = meta.node_fields.indexOf("type");
  const nameField = meta.node_fields.indexOf("name");
  const idField = meta.node_fields.indexOf("id");
  const sizeField = meta.node_fields.indexOf("self_size");
  const edgeCountField = meta.node_fields.indexOf("edge_count");
  const edgeTypeField = meta.edge_fields.indexOf("type");
  const toField = meta.edge_fields.indexOf("to_node");
  const nodeTypes = meta.node_types[0];
  const weak = meta.edge_types[0].indexOf("weak");
  const { nodes, edges, strings } = raw;
  const n = nodes.length / nodeFieldCount;

  const firstEdge = new Uint32Array(n + 1);
  for (let i = 0, e = 0; i < n; i++) {
    firstEdge[i] = e;
    e += (nodes[i * nodeFieldCount + edgeCountField] as number) * edgeFieldCount;
    firstEdge[i + 1] = e;
  }
  const target = (e: number) => (edges[e + toField] as number) / nodeFieldCount;
  const strong = (e: number) => edges[e + edgeTypeField] !== weak;

  // depth-first preorder from the root (snapshot node 0), iteratively; weak edges do not retain
  const pre = new Int32Array(n).fill(-1); // snapshot node -> preorder number
  const vertex = new Uint32Array(n); // preorder number -> snapshot node
  const parent = new Int32Array(n); // in preorder numbers
  const stack = new Uint32Array(n);
  const cursor = new Uint32Array(n);
  let count = 0;
  let top = 0;
  pre[0] = count;
  vertex[count++] = 0;
  stack[top++] = 0;
  cursor[0] = firstEdge[0] as number;
  while (top > 0) {
    const v = stack[top - 1] as number;
    const end = firstEdge[v + 1] as number;
    let e = cursor[v] as number;
    while (e < end && (!strong(e) || (pre[target(e)] as number) >= 0)) e += edgeFieldCount;
    if (e >= end) {
      top--;
      continue;
    }
    cursor[v] = e + edgeFieldCount;
    const w = target(e);
    parent[count] = pre[v] as number;
    pre[w] = count;
    vertex[count++] = w;
    cursor[w] = firstEdge[w] as number;
    stack[top++] = w;
  }

  // predecessors, in preorder numbers (CSR layout)
  const predStart = new Uint32Array(count + 1);
  for (let i = 0; i < count; i++) {
    const v = vertex[i] as number;
    for (let e = firstEdge[v] as number; e < (firstEdge[v + 1] as number); e += edgeFieldCount) {
      if (!strong(e)) continue;
      const slot = (pre[target(e)] as number) + 1;
      predStart[slot] = (predStart[slot] as number) + 1;
    }
  }
  for (let i = 0; i < count; i++) predStart[i + 1] = (predStart[i + 1] as number) + (predStart[i] as number);
  const preds = new Uint32Array(predStart[count] as number);
  const fill = predStart.slice(0, count);
  for (let i = 0; i < count; i++) {
    const v = vertex[i] as number;
    for (let e = firstEdge[v] as number; e < (firstEdge[v + 1] as number); e += edgeFieldCount) {
      if (!strong(e)) continue;
      const w = pre[target(e)] as number;
      preds[fill[w] as number] = i;
      fill[w] = (fill[w] as number) + 1;
    }
  }

  // Lengauer-Tarjan, everything in preorder numbers
  const semi = new Int32Array(count);
  const idom = new Int32Array(count);
  const ancestor = new Int32Array(count).fill(-1);
  const label = new Int32Array(count);
  const bucketHead = new Int32Array(count).fill(-1);
  const bucketNext = new Int32Array(count).fill(-1);
  for (let i = 0; i < count; i++) {
    semi[i] = i;
    label[i] = i;
  }
  const path: number[] = [];
  const evaluate = (v: number): number => {
    if (ancestor[v] === -1) return v;
    // compress the ancestor path, iteratively
    for (let x = v; ancestor[ancestor[x] as number] !== -1; x = ancestor[x] as number) path.push(x);
    while (path.length > 0) {
      const x = path.pop() as number;
      const a = ancestor[x] as number;
      if ((semi[label[a] as number] as number) < (semi[label[x] as number] as number)) label[x] = label[a] as number;
      ancestor[x] = ancestor[a] as number;
    }
    return label[v] as number;
  };
  for (let w = count - 1; w > 0; w--) {
    for (let p = predStart[w] as number; p < (predStart[w + 1] as number); p++) {
      const u = evaluate(preds[p] as number);
      if ((semi[u] as number) < (semi[w] as number)) semi[w] = semi[u] as number;
    }
    const s = semi[w] as number;
    bucketNext[w] = bucketHead[s] as number;
    bucketHead[s] = w;
    const pw = parent[w] as number;
    ancestor[w] = pw;
    for (let v = bucketHead[pw] as number; v !== -1; v = bucketNext[v] as number) {
      const u = evaluate(v);
      idom[v] = (semi[u] as number) < (semi[v] as number) ? u : pw;
    }
    bucketHead[pw] = -1;
  }
  for (let w = 1; w < count; w++) if (idom[w] !== semi[w]) idom[w] = idom[idom[w] as number] as number;
  idom[0] = 0;

  // retained sizes: a dominator comes before what it dominates in preorder
  const selfSize = new Float64Array(count);
  const classOf = new Array<string>(count);
  const nodeId = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const at = (vertex[i] as number) * nodeFieldCount;
    selfSize[i] = nodes[at + sizeField] as number;
    classOf[i] = className(nodeTypes[nodes[at + typeField] as number] as string, strings[nodes[at + nameField] as number] as string);
    nodeId[i] = nodes[at + idField] as number;
  }
  const retained = Float64Array.from(selfSize);
  for (let i = count - 1; i > 0; i--) retained[idom[i] as number] = (retained[idom[i] as number] as number) + (retained[i] as number);
  return { count, root: 0, idom, retained, selfSize, classOf, nodeId };
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
