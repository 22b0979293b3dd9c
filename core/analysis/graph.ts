/**
 * Cycles among tasks, shared by the analyser (VX301) and the scheduler (which
 * refuses to run a cyclic DAG). Iterative throughout: a chain of thousands of
 * tasks must not exhaust the stack.
 */

/** A dependency between two task indices, in the order the dependencies were written. */
export interface IndexedEdge {
  up: number;
  down: number;
}

export interface Cycle<E extends IndexedEdge> {
  /** Task indices around the cycle, first repeated at the end: a → b → c → a. */
  path: number[];
  /** The dependency written last among the cycle's: the one that closed it. */
  closing: E;
}

/** Strongly connected components (Tarjan's algorithm, iterative). */
function components(nodes: number[], adjacency: Map<number, number[]>): number[][] {
  const index = new Map<number, number>();
  const low = new Map<number, number>();
  const onStack = new Set<number>();
  const stack: number[] = [];
  const result: number[][] = [];
  let counter = 0;
  for (const root of nodes) {
    if (index.has(root)) continue;
    const work: Array<{ node: number; next: number }> = [{ node: root, next: 0 }];
    index.set(root, counter);
    low.set(root, counter++);
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const frame = work[work.length - 1];
      const successors = adjacency.get(frame.node) ?? [];
      if (frame.next < successors.length) {
        const w = successors[frame.next++];
        if (!index.has(w)) {
          index.set(w, counter);
          low.set(w, counter++);
          stack.push(w);
          onStack.add(w);
          work.push({ node: w, next: 0 });
        } else if (onStack.has(w)) {
          low.set(frame.node, Math.min(low.get(frame.node)!, index.get(w)!));
        }
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1].node;
        low.set(parent, Math.min(low.get(parent)!, low.get(frame.node)!));
      }
      if (low.get(frame.node) === index.get(frame.node)) {
        const component: number[] = [];
        let w: number;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          component.push(w);
        } while (w !== frame.node);
        result.push(component);
      }
    }
  }
  return result;
}

/**
 * One cycle per strongly connected component, closed by the last-written edge
 * inside it. Every other edge of the component was written before that one, so
 * the path back from its target to its source existed when it was written.
 */
export function findCycles<E extends IndexedEdge>(edges: readonly E[]): Cycle<E>[] {
  // Nearly every DAG is acyclic: a topological sort proves it cheaply, and
  // only when it fails are the components searched.
  if (isAcyclic(edges)) return [];
  const adjacency = new Map<number, number[]>();
  const nodes = new Set<number>();
  for (const e of edges) {
    nodes.add(e.up);
    nodes.add(e.down);
    let list = adjacency.get(e.up);
    if (!list) adjacency.set(e.up, (list = []));
    list.push(e.down);
  }
  const cycles: Cycle<E>[] = [];
  for (const component of components([...nodes], adjacency)) {
    if (component.length < 2) continue;
    const members = new Set(component);
    let closing: E | undefined;
    for (const e of edges) if (members.has(e.up) && members.has(e.down)) closing = e;
    if (!closing) continue;
    cycles.push({ closing, path: [closing.up, ...shortestPath(closing.down, closing.up, adjacency, members)] });
  }
  return cycles;
}

/** Breadth-first path from `from` to `to` within `members`, both ends included. */
function shortestPath(from: number, to: number, adjacency: Map<number, number[]>, members: Set<number>): number[] {
  const previous = new Map<number, number>([[from, -1]]);
  const queue = [from];
  for (let head = 0; head < queue.length; head++) {
    const node = queue[head];
    if (node === to) break;
    for (const next of adjacency.get(node) ?? []) {
      if (!members.has(next) || previous.has(next)) continue;
      previous.set(next, node);
      queue.push(next);
    }
  }
  const path: number[] = [];
  for (let node = to; node !== -1; node = previous.get(node) ?? -1) path.unshift(node);
  return path;
}

/** Kahn's algorithm over compact arrays: true when every task can be ordered. */
function isAcyclic(edges: readonly IndexedEdge[]): boolean {
  // Indexed loops: a short process (the CLI) runs this once, unoptimised, where for…of makes an object per step.
  let size = 0;
  for (let i = 0; i < edges.length; i++) size = Math.max(size, edges[i].up + 1, edges[i].down + 1);
  const indegree = new Int32Array(size);
  const outCount = new Int32Array(size + 1);
  for (let i = 0; i < edges.length; i++) {
    indegree[edges[i].down]++;
    outCount[edges[i].up + 1]++;
  }
  for (let i = 1; i <= size; i++) outCount[i] += outCount[i - 1];
  const targets = new Int32Array(edges.length);
  const fill = outCount.slice(0, size);
  for (let i = 0; i < edges.length; i++) targets[fill[edges[i].up]++] = edges[i].down;
  const queue = new Int32Array(size);
  let tail = 0;
  for (let i = 0; i < size; i++) if (indegree[i] === 0) queue[tail++] = i;
  for (let head = 0; head < tail; head++) {
    const node = queue[head];
    for (let k = outCount[node]; k < outCount[node + 1]; k++) {
      if (--indegree[targets[k]] === 0) queue[tail++] = targets[k];
    }
  }
  return tail === size;
}
