/**
 * TaskGroups as the graph shows them: an expanded group is a box around its
 * tasks, a collapsed one a single node standing for all of them. Pure, so the
 * layout worker, the unit tests and the benchmark share it.
 */
import type { GraphGroup, GraphModel, GraphNode } from './dagGraph';

/** Past this many tasks a DAG's groups start collapsed: a field of hundreds of boxes reads as nothing at "Fit". */
export const COLLAPSE_ABOVE_TASKS = 60;

/** Layout keys of groups; task ids are their own keys, and no task id starts with a NUL. */
const GROUP_KEY_PREFIX = '\u0000group\u0000';

export function groupKey(groupId: string): string {
  return `${GROUP_KEY_PREFIX}${groupId}`;
}

export function groupIdOfKey(key: string): string | undefined {
  return key.startsWith(GROUP_KEY_PREFIX) ? key.slice(GROUP_KEY_PREFIX.length) : undefined;
}

/**
 * Which groups are collapsed: by default all of them in a DAG of more than
 * `COLLAPSE_ABOVE_TASKS` tasks and none in a smaller one; `toggled` names the
 * groups the user flipped from that default (a click on a group's header).
 */
export function collapsedGroups(model: GraphModel, toggled: ReadonlySet<string>): Set<string> {
  const byDefault = model.nodes.length > COLLAPSE_ABOVE_TASKS;
  return new Set(model.groups.filter((g) => byDefault !== toggled.has(g.id)).map((g) => g.id));
}

export interface DisplayTask extends GraphNode {
  /** The text the node shows: the id without its group's prefix, as Airflow's own graph shows it. */
  label: string;
  /** The innermost expanded group drawn around it, or null. */
  parent: string | null;
}

export interface DisplayCollapsedGroup {
  id: string;
  label: string;
  parent: string | null;
  /** Every task inside it, nested groups' too, in model order. */
  taskIds: string[];
}

export interface DisplayBox {
  id: string;
  label: string;
  parent: string | null;
  /** Tasks inside it, nested groups' too. */
  tasks: number;
}

export interface DisplayEdge {
  /** Layout keys: a task id, or `groupKey(id)` of a collapsed group. */
  from: string;
  to: string;
  label: string | null;
}

export interface DisplayModel {
  tasks: DisplayTask[];
  collapsed: DisplayCollapsedGroup[];
  /** Expanded groups with something to draw in them, parents first. */
  boxes: DisplayBox[];
  edges: DisplayEdge[];
}

/** The task's label within its group: `section_1.task_2` in group `section_1` shows as `task_2`. */
export function taskLabel(taskId: string, groupId: string | null): string {
  return groupId !== null && taskId.startsWith(`${groupId}.`) && taskId.length > groupId.length + 1 ? taskId.slice(groupId.length + 1) : taskId;
}

/**
 * What to draw for `model` with `collapsed` groups: a task inside a collapsed
 * group (at any depth) is drawn as its outermost collapsed group; edges follow
 * their tasks to whatever stands for them, those inside one collapsed group
 * vanish, and parallel ones merge (keeping a label only all of them share).
 * Groups without tasks are not drawn.
 */
export function displayModelOf(model: GraphModel, collapsed: ReadonlySet<string>): DisplayModel {
  const groups = new Map<string, GraphGroup>(model.groups.map((g) => [g.id, g]));
  const chainCache = new Map<string | null, string[]>();
  /** The group and its ancestors, innermost first. */
  const chain = (id: string | null): string[] => {
    const cached = chainCache.get(id);
    if (cached) return cached;
    const result: string[] = [];
    for (let g = id === null ? undefined : groups.get(id); g && !result.includes(g.id); g = g.parentId === null ? undefined : groups.get(g.parentId)) result.push(g.id);
    chainCache.set(id, result);
    return result;
  };
  /** The outermost collapsed group holding `id`'s contents, or undefined. */
  const hiddenBy = (groupId: string | null): string | undefined => {
    const ids = chain(groupId);
    for (let i = ids.length - 1; i >= 0; i--) if (collapsed.has(ids[i])) return ids[i];
    return undefined;
  };
  /** The innermost expanded group whose box surrounds the contents of `groupId` (itself included). */
  const boxOf = (groupId: string | null): string | null => chain(groupId)[0] ?? null;

  const tasks: DisplayTask[] = [];
  const members = new Map<string, string[]>();
  const counts = new Map<string, number>();
  const keyOf = new Map<string, string>();
  for (const n of model.nodes) {
    for (const g of chain(n.groupId)) counts.set(g, (counts.get(g) ?? 0) + 1);
    const hider = hiddenBy(n.groupId);
    if (hider === undefined) {
      tasks.push({ ...n, label: taskLabel(n.id, n.groupId), parent: boxOf(n.groupId) });
      keyOf.set(n.id, n.id);
    } else {
      members.set(hider, [...(members.get(hider) ?? []), n.id]);
      keyOf.set(n.id, groupKey(hider));
    }
  }
  const collapsedNodes: DisplayCollapsedGroup[] = [];
  const boxes: DisplayBox[] = [];
  for (const g of model.groups) {
    if (!counts.has(g.id)) continue;
    const parent = g.parentId === null ? null : boxOf(g.parentId);
    if (hiddenBy(g.parentId) !== undefined) continue;
    if (collapsed.has(g.id)) collapsedNodes.push({ id: g.id, label: g.label, parent, taskIds: members.get(g.id) ?? [] });
    else boxes.push({ id: g.id, label: g.label, parent, tasks: counts.get(g.id) ?? 0 });
  }
  const merged = new Map<string, DisplayEdge>();
  for (const e of model.edges) {
    const from = keyOf.get(e.from);
    const to = keyOf.get(e.to);
    if (from === undefined || to === undefined || from === to) continue;
    const key = JSON.stringify([from, to]);
    const existing = merged.get(key);
    if (!existing) merged.set(key, { from, to, label: e.label });
    else if (existing.label !== e.label) existing.label = null;
  }
  return { tasks, collapsed: collapsedNodes, boxes, edges: [...merged.values()] };
}
