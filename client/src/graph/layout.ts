/**
 * Positions a graph model left to right with a layered layout library. Pure and
 * without `vscode`, so it runs in the layout worker, the unit tests and the
 * benchmark alike. Both libraries stay callable so the benchmark can compare
 * them; `layoutChoiceFor` is what the panel uses.
 */
import dagre from '@dagrejs/dagre';
import type { EdgeLabel, GraphLabel, NodeLabel } from '@dagrejs/dagre';
import ELK from 'elkjs/lib/elk.bundled.js';
import type { ElkNode } from 'elkjs/lib/elk-api';
import type { GraphModel } from './dagGraph';
import { collapsedGroups, displayModelOf, groupKey } from './groups';
import type { DisplayModel } from './groups';
import { LINE_HEIGHT, WRAP_CHARS, wrapLabel } from './labels';

export type LayoutEngine = 'dagre' | 'elk';

/** A library and its options beyond its defaults here (`layoutWithElk`, `layoutWithDagre`). */
export interface LayoutChoice {
  engine: LayoutEngine;
  tuning: Record<string, string | number>;
}

/**
 * Up to this many tasks elkjs places nodes by network simplex. Measured by
 * scripts/bench/graphLayout.ts: on Airflow-shaped DAGs of 11 to 37 tasks it
 * gives the shortest edges and the most names in view at "Fit" (on
 * catalog_complex, 34 of 37 against dagre's 11), but it grows much faster
 * than linearly (about twice Brandes-Köpf's time at 100 tasks, five times at
 * 300, ten at 1,000) and its recursion overflows the stack at 5,000 tasks.
 */
export const NETWORK_SIMPLEX_MAX_TASKS = 100;

/** For DAGs people read: network-simplex placement, edges 6 px apart (shorter edges, narrower layers). */
export const READABLE_TUNING: Readonly<Record<string, string>> = {
  'elk.layered.nodePlacement.strategy': 'NETWORK_SIMPLEX',
  'elk.spacing.edgeNode': '8',
  'elk.layered.spacing.edgeNodeBetweenLayers': '8',
  'elk.spacing.edgeEdge': '6',
  'elk.layered.spacing.edgeEdgeBetweenLayers': '6',
};

/**
 * elkjs at every size: on the Airflow shapes it crosses fewer edges than
 * dagre and never draws an edge across a task (dagre drew 41 of them), and
 * past a few hundred tasks it is several times faster (1,000 tasks ≈ 0.25 s
 * against dagre's ≈ 0.4 to 3 s). Larger DAGs keep Brandes-Köpf placement,
 * which stays near-linear.
 */
export function layoutChoiceFor(nodeCount: number): LayoutChoice {
  return { engine: 'elk', tuning: nodeCount <= NETWORK_SIMPLEX_MAX_TASKS ? { ...READABLE_TUNING } : {} };
}

export function engineFor(nodeCount: number): LayoutEngine {
  return layoutChoiceFor(nodeCount).engine;
}

export interface Point {
  x: number;
  y: number;
}

export interface LaidOutNode {
  /** A task id, or `groupKey(id)` of a collapsed group. */
  id: string;
  /** Top-left corner. */
  x: number;
  y: number;
  width: number;
  height: number;
}

/** An expanded group's box, around its tasks and nested groups. */
export interface LaidOutBox {
  /** The group id. */
  id: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface LaidOutEdge {
  from: string;
  to: string;
  /** From the upstream node's border to the downstream node's border. */
  points: Point[];
  /** The centre of the edge's label, when it has one. */
  labelAt: Point | null;
}

export interface Layout {
  width: number;
  height: number;
  nodes: LaidOutNode[];
  edges: LaidOutEdge[];
  boxes: LaidOutBox[];
}

/** Three lines: the task id, the operator, and the run state (blank until a run). */
export const NODE_HEIGHT = 56;
/** A group box's header line (its name and the collapse control) above its contents. */
export const BOX_HEADER = 22;
const BOX_PADDING = 10;
const CHAR_WIDTH = 7.2;
const MIN_WIDTH = 96;
const MAX_WIDTH = 320;
const MARGIN = 16;
const LABEL_CHAR_WIDTH = 6.6;
const LABEL_HEIGHT = 16;
const MAX_LABEL_WIDTH = 200;

/** A task node's size: its name's lines (the second one at most a little wider than the first), its operator line, its run state line. */
export function taskNodeSize(label: string, operator: string): { width: number; height: number } {
  const lines = wrapLabel(label);
  const widest = lines.length === 1 ? label : `${lines[0]}${' '.repeat(Math.max(0, Math.min(lines[1].length, WRAP_CHARS + 4) - lines[0].length))}`;
  return { width: nodeWidth(widest, operator), height: NODE_HEIGHT + LINE_HEIGHT * (lines.length - 1) };
}

/**
 * A node's width from its two text lines. Estimated, not measured: the layout
 * runs where no fonts exist, and the webview clips what does not fit.
 */
export function nodeWidth(id: string, operator: string): number {
  const chars = Math.max(id.length, operator.length + 2);
  return Math.round(Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, chars * CHAR_WIDTH + 36)));
}

/** An edge label's box, estimated like a node's: the view trims what does not fit. */
export function labelSize(label: string): { width: number; height: number } {
  return { width: Math.round(Math.min(MAX_LABEL_WIDTH, label.length * LABEL_CHAR_WIDTH + 8)), height: LABEL_HEIGHT };
}

/** What a collapsed group's node says on its first line. */
export function collapsedTitle(label: string, tasks: number): string {
  return `${label} (${tasks} task${tasks === 1 ? '' : 's'})`;
}

/** The second line of a task node: the operator, marked for a decorated or mapped task. */
export function operatorLine(n: { operator: string; decorated: boolean; mapped: boolean }): string {
  return `${n.decorated ? '@task ' : ''}${n.operator}${n.mapped ? ' [ ]' : ''}`;
}

interface Sized {
  key: string;
  width: number;
  height: number;
  parent: string | null;
}

function sizedNodes(display: DisplayModel): Sized[] {
  return [
    ...display.tasks.map((t) => ({ key: t.id, ...taskNodeSize(t.label, operatorLine(t)), parent: t.parent })),
    ...display.collapsed.map((g) => ({ key: groupKey(g.id), width: nodeWidth(`▸ ${collapsedTitle(g.label, g.taskIds.length)}`, ''), height: NODE_HEIGHT, parent: g.parent })),
  ];
}

export interface LayoutOptions {
  /** Groups drawn as one node; default: `collapsedGroups(model, none toggled)`. */
  collapsed?: ReadonlySet<string>;
  /** Overrides of the engine's options (the layout benchmark tries several). */
  tuning?: Record<string, string | number>;
}

/**
 * Lays `model` out with `engine` and `options.tuning`; with neither, as the
 * panel does (`layoutChoiceFor`). A forced engine without tuning uses that
 * library's options here.
 */
export async function layoutGraph(model: GraphModel, engine?: LayoutEngine, options: LayoutOptions = {}): Promise<Layout> {
  if (model.nodes.length === 0) return { width: 0, height: 0, nodes: [], edges: [], boxes: [] };
  const choice: LayoutChoice = engine === undefined ? layoutChoiceFor(model.nodes.length) : { engine, tuning: {} };
  const tuning = options.tuning ?? choice.tuning;
  const display = displayModelOf(model, options.collapsed ?? collapsedGroups(model, new Set()));
  return choice.engine === 'dagre' ? layoutWithDagre(display, tuning) : layoutWithElk(display, tuning);
}

function layoutWithDagre(display: DisplayModel, tuning: Record<string, string | number>): Layout {
  const compound = display.boxes.length > 0;
  const g = new dagre.graphlib.Graph<GraphLabel, NodeLabel, EdgeLabel>({ compound });
  // Spacing measured with scripts/bench/graphLayout.ts: tighter ranks shorten edges by a fifth.
  g.setGraph({ rankdir: 'LR', nodesep: 12, ranksep: 40, marginx: MARGIN, marginy: MARGIN, ...tuning });
  g.setDefaultEdgeLabel(() => ({}));
  for (const b of display.boxes) g.setNode(groupKey(b.id), { width: 0, height: 0 });
  for (const b of display.boxes) if (b.parent !== null) g.setParent(groupKey(b.id), groupKey(b.parent));
  const nodes = sizedNodes(display);
  for (const n of nodes) {
    // Room above each node for a box header: dagre's clusters hug their contents.
    g.setNode(n.key, { width: n.width, height: compound ? n.height + BOX_HEADER : n.height });
    if (n.parent !== null) g.setParent(n.key, groupKey(n.parent));
  }
  for (const e of display.edges) {
    g.setEdge(e.from, e.to, e.label === null ? {} : { ...labelSize(e.label), labelpos: 'c' });
  }
  dagre.layout(g);
  const laidOut = nodes.map((n) => {
    const label = g.node(n.key);
    // dagre gives centres; the view draws from corners. The header's room sits above the node.
    const top = (label.y ?? 0) - label.height / 2 + (compound ? BOX_HEADER : 0);
    return { id: n.key, x: (label.x ?? 0) - n.width / 2, y: top, width: n.width, height: n.height };
  });
  const boxes = display.boxes.map((b) => {
    const label = g.node(groupKey(b.id));
    return { id: b.id, x: (label.x ?? 0) - label.width / 2, y: (label.y ?? 0) - label.height / 2, width: label.width, height: label.height };
  });
  const byKey = new Map(laidOut.map((n) => [n.id, n]));
  const edges = display.edges.map((e) => {
    const label = g.edge(e.from, e.to);
    let points = (label.points ?? []).map((p: Point) => ({ x: p.x, y: p.y }));
    if (compound) points = clipEnds(points, byKey.get(e.from), byKey.get(e.to));
    return { from: e.from, to: e.to, points, labelAt: e.label === null || label.x === undefined ? null : { x: label.x, y: label.y ?? 0 } };
  });
  const graph = g.graph();
  return { width: graph.width ?? 0, height: graph.height ?? 0, nodes: laidOut, edges, boxes };
}

/**
 * dagre ends an edge on the border of the node it laid out, which in a graph
 * with boxes is taller than the drawn node (the header's room): the ends move
 * to the drawn node's left and right sides, where a left-to-right edge meets it.
 */
function clipEnds(points: Point[], from: LaidOutNode | undefined, to: LaidOutNode | undefined): Point[] {
  if (points.length < 2 || !from || !to) return points;
  const clamp = (y: number, n: LaidOutNode): number => Math.min(n.y + n.height - 4, Math.max(n.y + 4, y));
  const first = { x: from.x + from.width, y: clamp(points[0].y, from) };
  const last = { x: to.x, y: clamp(points[points.length - 1].y, to) };
  return [first, ...points.slice(1, -1), last];
}

/** One ELK instance per thread: its start-up is most of a small layout's cost. */
let elk: InstanceType<typeof ELK> | undefined;

async function layoutWithElk(display: DisplayModel, tuning: Record<string, string | number>): Promise<Layout> {
  elk ??= new ELK();
  const nested = display.boxes.length > 0;
  // ELK ids must be unique across nodes and edges; task ids may look like anything.
  const edgeIds = display.edges.map((_, i) => `\u0000edge${i}`);
  const children = new Map<string | null, ElkNode[]>();
  const add = (parent: string | null, node: ElkNode): void => {
    children.set(parent, [...(children.get(parent) ?? []), node]);
  };
  for (const n of sizedNodes(display)) add(n.parent, { id: n.key, width: n.width, height: n.height });
  const boxNodes = new Map<string, ElkNode>();
  for (const b of display.boxes) {
    const node: ElkNode = { id: groupKey(b.id), layoutOptions: { 'elk.padding': `[top=${BOX_HEADER + BOX_PADDING},left=${BOX_PADDING},bottom=${BOX_PADDING},right=${BOX_PADDING}]` } };
    boxNodes.set(b.id, node);
    add(b.parent, node);
  }
  for (const [id, node] of boxNodes) node.children = children.get(id) ?? [];
  const stringTuning = Object.fromEntries(Object.entries(tuning).map(([k, v]) => [k, String(v)]));
  const graph: ElkNode = {
    id: '\u0000root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'RIGHT',
      'elk.spacing.nodeNode': '12',
      'elk.layered.spacing.nodeNodeBetweenLayers': '40',
      'elk.padding': `[top=${MARGIN},left=${MARGIN},bottom=${MARGIN},right=${MARGIN}]`,
      // Fewer crossing-minimisation passes: the default thoroughness costs seconds at thousands of tasks.
      'elk.layered.thoroughness': '3',
      // Tasks and edges keep the file's order where crossings allow: fewer crossings and shorter edges
      // (scripts/bench/graphLayout.ts), and a DAG reads in the order it was written.
      'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
      // Edges between boxes are routed across them, and every coordinate comes back in the root's frame.
      ...(nested ? { 'elk.hierarchyHandling': 'INCLUDE_CHILDREN', 'elk.json.edgeCoords': 'ROOT', 'elk.json.shapeCoords': 'ROOT' } : {}),
      ...stringTuning,
    },
    children: children.get(null) ?? [],
    edges: display.edges.map((e, i) => ({
      id: edgeIds[i],
      sources: [e.from],
      targets: [e.to],
      ...(e.label === null ? {} : { labels: [{ id: `${edgeIds[i]}label`, text: e.label, ...labelSize(e.label) }] }),
    })),
  };
  const result: ElkNode = await elk.layout(graph);
  const nodes: LaidOutNode[] = [];
  const boxes: LaidOutBox[] = [];
  const boxIds = new Set(display.boxes.map((b) => groupKey(b.id)));
  const visit = (list: ElkNode[] | undefined): void => {
    for (const c of list ?? []) {
      const placed = { x: c.x ?? 0, y: c.y ?? 0, width: c.width ?? 0, height: c.height ?? 0 };
      if (boxIds.has(c.id)) boxes.push({ id: c.id.slice(groupKey('').length), ...placed });
      else nodes.push({ id: c.id, ...placed });
      visit(c.children);
    }
  };
  visit(result.children);
  const byId = new Map((result.edges ?? []).map((e) => [e.id, e]));
  const edges = display.edges.map((e, i) => {
    const laid = byId.get(edgeIds[i]);
    const section = laid?.sections?.[0];
    const points = section ? [section.startPoint, ...(section.bendPoints ?? []), section.endPoint] : [];
    const label = laid?.labels?.[0];
    const labelAt = label && label.x !== undefined ? { x: label.x + (label.width ?? 0) / 2, y: (label.y ?? 0) + (label.height ?? 0) / 2 } : null;
    return { from: e.from, to: e.to, points: points.map((p) => ({ x: p.x, y: p.y })), labelAt };
  });
  // Boxes before their contents: the view draws them in this order, outer under inner.
  return { width: result.width ?? 0, height: result.height ?? 0, nodes, edges, boxes };
}
