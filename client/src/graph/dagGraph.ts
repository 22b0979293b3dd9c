/**
 * The graph's own model, derived from the language server's `vortex/dagModel`
 * answer: one DAG's tasks and edges, nothing positioned yet. Pure (no `vscode`
 * import) so the unit tests, the layout worker and the benchmark share it.
 */
import type { DagJson, DagModelResult, TaskJson } from '../../../core/protocol';
import type { Position, Range } from '../../../core/analysis/model';

/** A task as the graph draws it: the wire's fields, under the graph's own name for the id. */
export interface GraphNode extends Pick<TaskJson, 'operator' | 'kind' | 'diagnostics' | 'groupId' | 'decorated' | 'mapped' | 'branch' | 'triggerRule'> {
  id: string;
}

export interface GraphEdge {
  from: string;
  to: string;
  label: string | null;
}

export interface GraphGroup {
  /** Full dotted id. */
  id: string;
  /** The enclosing group (one of the model's `groups`), or null. */
  parentId: string | null;
  label: string;
}

export interface GraphModel {
  /** Which DAG of the file (index into `DagModelResult.dags`). */
  dagIndex: number;
  dagId: string | null;
  nodes: GraphNode[];
  edges: GraphEdge[];
  /** TaskGroups, each parent before its children. */
  groups: GraphGroup[];
}

/** An entry of the DAG picker. */
export interface DagChoice {
  index: number;
  label: string;
}

/** The label of a DAG in the picker; a DAG without a literal id is named by its line. */
export function dagLabel(dag: DagJson, index: number): string {
  return dag.dagId ?? `DAG on line ${dag.line + 1} (#${index + 1})`;
}

export function dagChoices(result: DagModelResult): DagChoice[] {
  return result.dags.map((dag, index) => ({ index, label: dagLabel(dag, index) }));
}

/**
 * One DAG as a graph. Duplicate edges (`a >> b` written twice) collapse to one,
 * and edges naming an unknown task are dropped: the analyser reports those as
 * diagnostics, and a layout library would invent a node for them.
 */
export function graphModelOf(dag: DagJson, dagIndex: number): GraphModel {
  const groups = groupsOf(dag);
  const knownGroups = new Set(groups.map((g) => g.id));
  const nodes: GraphNode[] = [];
  const known = new Set<string>();
  for (const t of dag.tasks) {
    // A duplicate task_id (VX201) is one node: ids are what edges name.
    if (known.has(t.taskId)) continue;
    known.add(t.taskId);
    nodes.push({
      id: t.taskId,
      operator: t.operator,
      kind: t.kind,
      diagnostics: t.diagnostics,
      groupId: t.groupId !== null && knownGroups.has(t.groupId) ? t.groupId : null,
      decorated: t.decorated,
      mapped: t.mapped,
      branch: t.branch,
      triggerRule: t.triggerRule,
    });
  }
  const seen = new Set<string>();
  const edges: GraphEdge[] = [];
  for (const e of dag.edges) {
    if (!known.has(e.upstream) || !known.has(e.downstream)) continue;
    const key = JSON.stringify([e.upstream, e.downstream]);
    if (seen.has(key)) continue;
    seen.add(key);
    edges.push({ from: e.upstream, to: e.downstream, label: e.label });
  }
  return { dagIndex, dagId: dag.dagId, nodes, edges, groups };
}

/**
 * The DAG's groups as a tree the graph can nest: one group per id, and each
 * after its parent. A parent the DAG does not declare (or one that would make
 * a cycle) makes the group a top-level one.
 */
function groupsOf(dag: DagJson): GraphGroup[] {
  const byId = new Map<string, GraphGroup>();
  for (const g of dag.groups) if (!byId.has(g.id)) byId.set(g.id, { id: g.id, parentId: g.parentId, label: g.label });
  const ordered: GraphGroup[] = [];
  const placed = new Set<string>();
  const place = (g: GraphGroup, path: Set<string>): void => {
    if (placed.has(g.id)) return;
    const parent = g.parentId === null ? undefined : byId.get(g.parentId);
    if (parent && !path.has(parent.id)) {
      place(parent, new Set([...path, g.id]));
      ordered.push({ ...g });
    } else {
      ordered.push({ ...g, parentId: null });
    }
    placed.add(g.id);
  };
  for (const g of byId.values()) place(g, new Set([g.id]));
  return ordered;
}

/**
 * The part of `model` within `depth` steps of `taskId`, upstream and downstream
 * (not sideways: a sibling reached through a shared parent is not a dependency).
 * The whole model when the task is unknown.
 */
export function neighbourhood(model: GraphModel, taskId: string, depth: number): GraphModel {
  if (!model.nodes.some((n) => n.id === taskId)) return model;
  const up = new Map<string, string[]>();
  const down = new Map<string, string[]>();
  for (const e of model.edges) {
    down.set(e.from, [...(down.get(e.from) ?? []), e.to]);
    up.set(e.to, [...(up.get(e.to) ?? []), e.from]);
  }
  const keep = new Set<string>([taskId]);
  for (const adjacency of [up, down]) {
    let frontier = [taskId];
    for (let d = 0; d < depth && frontier.length > 0; d++) {
      const next: string[] = [];
      for (const id of frontier) {
        for (const other of adjacency.get(id) ?? []) {
          if (keep.has(other)) continue;
          keep.add(other);
          next.push(other);
        }
      }
      frontier = next;
    }
  }
  return {
    ...model,
    nodes: model.nodes.filter((n) => keep.has(n.id)),
    edges: model.edges.filter((e) => keep.has(e.from) && keep.has(e.to)),
  };
}

function contains(range: Range, p: Position): boolean {
  const afterStart = p.line > range.start.line || (p.line === range.start.line && p.character >= range.start.character);
  const beforeEnd = p.line < range.end.line || (p.line === range.end.line && p.character <= range.end.character);
  return afterStart && beforeEnd;
}

/** The task whose call holds `position` (the innermost, should calls nest), if any. */
export function taskAt(dag: DagJson, position: Position): string | undefined {
  let best: { id: string; lines: number } | undefined;
  for (const t of dag.tasks) {
    if (!contains(t.range, position)) continue;
    const lines = t.range.end.line - t.range.start.line;
    if (!best || lines < best.lines) best = { id: t.taskId, lines };
  }
  return best?.id;
}

/** The DAG whose call or tasks hold `position`: the picker follows the cursor between DAGs of one file. */
export function dagAt(result: DagModelResult, position: Position): number | undefined {
  const index = result.dags.findIndex((d) => contains(d.range, position) || d.tasks.some((t) => contains(t.range, position)));
  return index < 0 ? undefined : index;
}
