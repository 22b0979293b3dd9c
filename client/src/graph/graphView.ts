/**
 * What the webview draws: positioned nodes with their labels and badges,
 * group boxes, and edges as SVG path data. Pure; the webview only turns it into
 * elements.
 */
import type { Layout, Point } from './layout';
import type { GraphModel } from './dagGraph';
import { displayModelOf, groupIdOfKey, groupKey } from './groups';

export type BadgeSeverity = 'error' | 'warning' | 'info';

export interface NodeView {
  id: string;
  /** What the node shows: the id without its group's prefix. */
  label: string;
  operator: string;
  kind: 'bash' | 'python' | 'dummy' | 'other';
  x: number;
  y: number;
  width: number;
  height: number;
  /** The worst diagnostic inside the task's call, and how many there are; null when clean. */
  badge: { severity: BadgeSeverity; count: number } | null;
  decorated: boolean;
  mapped: boolean;
  branch: boolean;
  triggerRule: string | null;
}

/** Where a TaskGroup is drawn, collapsed or not. */
interface GroupPlace {
  id: string;
  label: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A collapsed TaskGroup: one node standing for every task inside it. */
export interface CollapsedGroupView extends GroupPlace {
  /** The tasks it stands for (their run states make its own). */
  taskIds: string[];
}

/** An expanded TaskGroup: a box around its contents, with a header that collapses it. */
export interface GroupBoxView extends GroupPlace {
  /** Tasks inside, nested groups' too. */
  tasks: number;
}

export interface EdgeView {
  /** A task id, or the group id of a collapsed group (see `fromGroup`, `toGroup`). */
  from: string;
  to: string;
  fromGroup: boolean;
  toGroup: boolean;
  /** SVG path data, ending at the downstream node (the arrowhead is a marker). */
  d: string;
  label: string | null;
  /** The label's centre. */
  labelAt: Point | null;
}

export interface GraphView {
  dagIndex: number;
  dagId: string | null;
  width: number;
  height: number;
  nodes: NodeView[];
  groups: CollapsedGroupView[];
  /** Outer boxes before the boxes inside them. */
  boxes: GroupBoxView[];
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

/** Where a label sits when the layout did not say: the middle of the edge's middle segment. */
function middleOf(points: readonly Point[]): Point {
  const i = Math.max(0, Math.floor((points.length - 1) / 2));
  const a = points[i];
  const b = points[Math.min(points.length - 1, i + 1)];
  return { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 };
}

export function viewModelOf(
  model: GraphModel,
  layout: Layout,
  focus: { taskId: string; depth: number } | null = null,
  totalTasks = model.nodes.length,
  collapsed: ReadonlySet<string> = new Set(),
): GraphView {
  const display = displayModelOf(model, collapsed);
  const placed = new Map(layout.nodes.map((n) => [n.id, n]));
  const nodes: NodeView[] = [];
  for (const n of display.tasks) {
    const p = placed.get(n.id);
    if (!p) continue;
    const { errors, warnings, infos } = n.diagnostics;
    const badge: NodeView['badge'] =
      errors > 0 ? { severity: 'error', count: errors + warnings + infos }
      : warnings > 0 ? { severity: 'warning', count: warnings + infos }
      : infos > 0 ? { severity: 'info', count: infos }
      : null;
    nodes.push({
      id: n.id,
      label: n.label,
      operator: n.operator,
      kind: n.kind,
      x: round(p.x),
      y: round(p.y),
      width: p.width,
      height: p.height,
      badge,
      decorated: n.decorated,
      mapped: n.mapped,
      branch: n.branch,
      triggerRule: n.triggerRule,
    });
  }
  const groups: CollapsedGroupView[] = [];
  for (const g of display.collapsed) {
    const p = placed.get(groupKey(g.id));
    if (p) groups.push({ id: g.id, label: g.label, x: round(p.x), y: round(p.y), width: p.width, height: p.height, taskIds: g.taskIds });
  }
  const boxPlaces = new Map(layout.boxes.map((b) => [b.id, b]));
  const boxes: GroupBoxView[] = [];
  for (const b of display.boxes) {
    const p = boxPlaces.get(b.id);
    if (p) boxes.push({ id: b.id, label: b.label, x: round(p.x), y: round(p.y), width: round(p.width), height: round(p.height), tasks: b.tasks });
  }
  const labels = new Map(display.edges.map((e) => [JSON.stringify([e.from, e.to]), e.label]));
  const edges: EdgeView[] = layout.edges
    .filter((e) => e.points.length > 1)
    .map((e) => {
      const fromGroup = groupIdOfKey(e.from);
      const toGroup = groupIdOfKey(e.to);
      const label = labels.get(JSON.stringify([e.from, e.to])) ?? null;
      const at = label === null ? null : (e.labelAt ?? middleOf(e.points));
      return {
        from: fromGroup ?? e.from,
        to: toGroup ?? e.to,
        fromGroup: fromGroup !== undefined,
        toGroup: toGroup !== undefined,
        d: pathOf(e.points),
        label,
        labelAt: at ? { x: round(at.x), y: round(at.y) } : null,
      };
    });
  return { dagIndex: model.dagIndex, dagId: model.dagId, width: round(layout.width), height: round(layout.height), nodes, groups, boxes, edges, focus, totalTasks };
}
