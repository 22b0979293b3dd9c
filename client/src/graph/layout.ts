/**
 * Positions a graph model left to right with a layered layout library. Pure and
 * without `vscode`, so it runs in the layout worker, the unit tests and the
 * benchmark alike. Both libraries stay callable so the benchmark can compare
 * them; `DEFAULT_ENGINE` is the one the panel uses (scripts/bench/graph.ts says why).
 */
import dagre from '@dagrejs/dagre';
import type { EdgeLabel, GraphLabel, NodeLabel } from '@dagrejs/dagre';
import ELK from 'elkjs/lib/elk.bundled.js';
import type { ElkNode } from 'elkjs/lib/elk-api';
import type { GraphModel } from './dagGraph';

export type LayoutEngine = 'dagre' | 'elk';

/**
 * Measured by scripts/bench/graph.ts (warm, headless, 2 cores): dagre lays out
 * 100 tasks in ≈ 40 ms against elkjs's ≈ 110 ms, but grows faster than linearly
 * (1,000 tasks ≈ 0.8 s against ≈ 0.5 s; 5,000 tasks many seconds against a few).
 * So dagre for the common DAG, elkjs past the crossover.
 */
export const DEFAULT_ENGINE: LayoutEngine = 'dagre';
/** Past this many tasks elkjs's layered algorithm overtakes dagre (crossover measured between 300 and 600). */
export const ELK_THRESHOLD = 500;

export function engineFor(nodeCount: number): LayoutEngine {
  return nodeCount > ELK_THRESHOLD ? 'elk' : DEFAULT_ENGINE;
}

export interface Point {
  x: number;
  y: number;
}

export interface LaidOutNode {
  id: string;
  /** Top-left corner. */
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
}

export interface Layout {
  width: number;
  height: number;
  nodes: LaidOutNode[];
  edges: LaidOutEdge[];
}

/** Three lines: the task id, the operator, and the run state (blank until a run). */
export const NODE_HEIGHT = 56;
const CHAR_WIDTH = 7.2;
const MIN_WIDTH = 96;
const MAX_WIDTH = 320;
const MARGIN = 16;

/**
 * A node's width from its two text lines. Estimated, not measured: the layout
 * runs where no fonts exist, and the webview clips what does not fit.
 */
export function nodeWidth(id: string, operator: string): number {
  const chars = Math.max(id.length, operator.length + 2);
  return Math.round(Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, chars * CHAR_WIDTH + 36)));
}

export async function layoutGraph(model: GraphModel, engine: LayoutEngine = engineFor(model.nodes.length)): Promise<Layout> {
  if (model.nodes.length === 0) return { width: 0, height: 0, nodes: [], edges: [] };
  return engine === 'dagre' ? layoutWithDagre(model) : layoutWithElk(model);
}

function layoutWithDagre(model: GraphModel): Layout {
  const g = new dagre.graphlib.Graph<GraphLabel, NodeLabel, EdgeLabel>();
  g.setGraph({ rankdir: 'LR', nodesep: 16, ranksep: 56, marginx: MARGIN, marginy: MARGIN });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of model.nodes) g.setNode(n.id, { width: nodeWidth(n.id, n.operator), height: NODE_HEIGHT });
  for (const e of model.edges) g.setEdge(e.from, e.to);
  dagre.layout(g);
  const nodes = model.nodes.map((n) => {
    const label = g.node(n.id);
    // dagre gives centres; the view draws from corners.
    return { id: n.id, x: (label.x ?? 0) - label.width / 2, y: (label.y ?? 0) - label.height / 2, width: label.width, height: label.height };
  });
  const edges = model.edges.map((e) => ({ from: e.from, to: e.to, points: (g.edge(e.from, e.to).points ?? []).map((p: Point) => ({ x: p.x, y: p.y })) }));
  const graph = g.graph();
  return { width: graph.width ?? 0, height: graph.height ?? 0, nodes, edges };
}

/** One ELK instance per thread: its start-up is most of a small layout's cost. */
let elk: InstanceType<typeof ELK> | undefined;

async function layoutWithElk(model: GraphModel): Promise<Layout> {
  elk ??= new ELK();
  // ELK ids must be unique across nodes and edges; task ids may look like anything.
  const edgeIds = model.edges.map((_, i) => `\u0000edge${i}`);
  const graph: ElkNode = {
    id: '\u0000root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'RIGHT',
      'elk.spacing.nodeNode': '16',
      'elk.layered.spacing.nodeNodeBetweenLayers': '56',
      'elk.padding': `[top=${MARGIN},left=${MARGIN},bottom=${MARGIN},right=${MARGIN}]`,
      // Fewer crossing-minimisation passes: the default thoroughness costs seconds at thousands of tasks.
      'elk.layered.thoroughness': '3',
    },
    children: model.nodes.map((n) => ({ id: n.id, width: nodeWidth(n.id, n.operator), height: NODE_HEIGHT })),
    edges: model.edges.map((e, i) => ({ id: edgeIds[i], sources: [e.from], targets: [e.to] })),
  };
  const result: ElkNode = await elk.layout(graph);
  const nodes = (result.children ?? []).map((c) => ({ id: c.id, x: c.x ?? 0, y: c.y ?? 0, width: c.width ?? 0, height: c.height ?? 0 }));
  const byId = new Map((result.edges ?? []).map((e) => [e.id, e]));
  const edges = model.edges.map((e, i) => {
    const section = byId.get(edgeIds[i])?.sections?.[0];
    const points = section ? [section.startPoint, ...(section.bendPoints ?? []), section.endPoint] : [];
    return { from: e.from, to: e.to, points: points.map((p) => ({ x: p.x, y: p.y })) };
  });
  return { width: result.width ?? 0, height: result.height ?? 0, nodes, edges };
}
