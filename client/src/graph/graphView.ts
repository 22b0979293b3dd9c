/**
 * What the webview draws: positioned nodes with their labels and badges, and
 * edges as SVG path data. Pure; the webview only turns it into elements.
 */
import type { Layout, Point } from './layout';
import type { GraphModel } from './dagGraph';

export type BadgeSeverity = 'error' | 'warning' | 'info';

export interface NodeView {
  id: string;
  operator: string;
  kind: 'bash' | 'python' | 'dummy' | 'other';
  x: number;
  y: number;
  width: number;
  height: number;
  /** The worst diagnostic inside the task's call, and how many there are; null when clean. */
  badge: { severity: BadgeSeverity; count: number } | null;
}

export interface EdgeView {
  from: string;
  to: string;
  /** SVG path data, ending at the downstream node (the arrowhead is a marker). */
  d: string;
}

export interface GraphView {
  dagIndex: number;
  dagId: string | null;
  width: number;
  height: number;
  nodes: NodeView[];
  edges: EdgeView[];
  /** Set when the view shows only a task's neighbourhood. */
  focus: { taskId: string; depth: number } | null;
  /** Tasks in the whole DAG, focused or not. */
  totalTasks: number;
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

/** A polyline through the layout's points; straight segments keep thousands of edges cheap to draw. */
export function pathOf(points: readonly Point[]): string {
  if (points.length === 0) return '';
  return points.map((p, i) => `${i === 0 ? 'M' : 'L'}${round(p.x)},${round(p.y)}`).join(' ');
}

export function viewModelOf(
  model: GraphModel,
  layout: Layout,
  focus: { taskId: string; depth: number } | null = null,
  totalTasks = model.nodes.length,
): GraphView {
  const placed = new Map(layout.nodes.map((n) => [n.id, n]));
  const nodes: NodeView[] = [];
  for (const n of model.nodes) {
    const p = placed.get(n.id);
    if (!p) continue;
    const { errors, warnings, infos } = n.diagnostics;
    const badge: NodeView['badge'] =
      errors > 0 ? { severity: 'error', count: errors + warnings + infos }
      : warnings > 0 ? { severity: 'warning', count: warnings + infos }
      : infos > 0 ? { severity: 'info', count: infos }
      : null;
    nodes.push({ id: n.id, operator: n.operator, kind: n.kind, x: round(p.x), y: round(p.y), width: p.width, height: p.height, badge });
  }
  const edges = layout.edges.filter((e) => e.points.length > 1).map((e) => ({ from: e.from, to: e.to, d: pathOf(e.points) }));
  return { dagIndex: model.dagIndex, dagId: model.dagId, width: round(layout.width), height: round(layout.height), nodes, edges, focus, totalTasks };
}
