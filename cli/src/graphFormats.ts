/** Text forms of a DAG's graph: Graphviz DOT, Mermaid and JSON. */
import type { DagModel, FileAnalysis, GroupModel, TaskModel } from '../../core/analysis/model';
import { dagGroups, edgeLabel, taskStructure } from '../../core/graphFields';

export type GraphFormat = 'dot' | 'mermaid' | 'json';

function dotString(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

function mermaidLabel(s: string): string {
  // Mermaid labels are quoted; quotes and markup characters become entities.
  return `"${s.replace(/[&"<>#|]/g, (c) => `#${c.charCodeAt(0)};`)}"`;
}

/**
 * A DAG's TaskGroups as a tree: the groups directly inside `parent` (null: the
 * DAG itself), and the tasks directly inside each. A task naming a group the
 * DAG does not declare sits at the top, as does a group with an unknown parent.
 */
interface GroupTree {
  childGroups(parent: string | null): GroupModel[];
  tasksIn(parent: string | null): TaskModel[];
}

function groupTree(analysis: FileAnalysis, dag: DagModel): GroupTree {
  // A group id declared twice (an analyser error) is one box.
  const groups = dagGroups(dag).filter((g, i, all) => all.findIndex((o) => o.id === g.id) === i);
  const known = new Set(groups.map((g) => g.id));
  const parentOf = (g: GroupModel): string | null => (g.parentId !== null && known.has(g.parentId) && g.parentId !== g.id ? g.parentId : null);
  const tasks = dag.taskIndices.map((i) => analysis.tasks[i]);
  const groupOf = (t: TaskModel): string | null => {
    const id = taskStructure(t).groupId;
    return id !== null && known.has(id) ? id : null;
  };
  return {
    childGroups: (parent) => groups.filter((g) => parentOf(g) === parent),
    tasksIn: (parent) => tasks.filter((t) => groupOf(t) === parent),
  };
}

function renderJson(analysis: FileAnalysis, dags: DagModel[]): string {
  return JSON.stringify(
    {
      dags: dags.map((dag) => ({
        dag_id: dag.dagId,
        nodes: dag.taskIndices.map((i) => {
          const t = analysis.tasks[i];
          const s = taskStructure(t);
          return { id: t.taskId, operator: t.operator, group_id: s.groupId, decorated: s.decorated, mapped: s.mapped, branch: s.branch, trigger_rule: s.triggerRule };
        }),
        edges: dag.edges.map((e) => ({ upstream: e.upstream, downstream: e.downstream, label: edgeLabel(e) })),
        groups: dagGroups(dag).map((g) => ({ id: g.id, parent_id: g.parentId, label: g.label })),
      })),
    },
    null,
    2,
  );
}

function renderDot(analysis: FileAnalysis, dags: DagModel[]): string {
  const lines: string[] = [];
  for (const dag of dags) {
    lines.push(`digraph ${dotString(dag.dagId ?? 'dag')} {`, '  rankdir=LR;', '  node [shape=box, style=rounded];');
    const tree = groupTree(analysis, dag);
    const emit = (parent: string | null, indent: string): void => {
      for (const t of tree.tasksIn(parent)) lines.push(`${indent}${dotString(t.taskId)} [label=${dotString(`${t.taskId}\n${t.operator}`)}];`);
      for (const g of tree.childGroups(parent)) {
        // Graphviz draws a subgraph as a box only when its name starts with "cluster".
        lines.push(`${indent}subgraph ${dotString(`cluster_${g.id}`)} {`, `${indent}  label=${dotString(g.label)};`);
        emit(g.id, `${indent}  `);
        lines.push(`${indent}}`);
      }
    };
    emit(null, '  ');
    for (const e of dag.edges) {
      const label = edgeLabel(e);
      lines.push(`  ${dotString(e.upstream)} -> ${dotString(e.downstream)}${label === null ? '' : ` [label=${dotString(label)}]`};`);
    }
    lines.push('}');
  }
  return lines.join('\n');
}

function renderMermaid(analysis: FileAnalysis, dags: DagModel[]): string {
  const lines: string[] = ['flowchart LR'];
  dags.forEach((dag, d) => {
    const ids = new Map<string, string>();
    const indent = dags.length > 1 ? '    ' : '  ';
    if (dags.length > 1) lines.push(`  subgraph dag${d}[${mermaidLabel(dag.dagId ?? 'dag')}]`);
    const tree = groupTree(analysis, dag);
    // Node ids are made up (d0t3, d0g1): task and group ids may hold anything, and Mermaid ids may not.
    const taskKey = new Map(dag.taskIndices.map((i, k) => [analysis.tasks[i], `d${d}t${k}`]));
    const groupKey = new Map<string, string>();
    dagGroups(dag).forEach((g, k) => groupKey.has(g.id) || groupKey.set(g.id, `d${d}g${k}`));
    const emit = (parent: string | null, at: string): void => {
      for (const t of tree.tasksIn(parent)) {
        if (ids.has(t.taskId)) continue;
        const key = taskKey.get(t) ?? '';
        ids.set(t.taskId, key);
        lines.push(`${at}${key}[${mermaidLabel(`${t.taskId} (${t.operator})`)}]`);
      }
      for (const g of tree.childGroups(parent)) {
        lines.push(`${at}subgraph ${groupKey.get(g.id)}[${mermaidLabel(g.label)}]`);
        emit(g.id, `${at}  `);
        lines.push(`${at}end`);
      }
    };
    emit(null, indent);
    for (const e of dag.edges) {
      const a = ids.get(e.upstream);
      const b = ids.get(e.downstream);
      const label = edgeLabel(e);
      if (a && b) lines.push(`${indent}${a} -->${label === null ? '' : `|${mermaidLabel(label)}|`} ${b}`);
    }
    if (dags.length > 1) lines.push('  end');
  });
  return lines.join('\n');
}

export function renderGraph(analysis: FileAnalysis, dags: DagModel[], format: GraphFormat): string {
  if (format === 'json') return renderJson(analysis, dags);
  return format === 'dot' ? renderDot(analysis, dags) : renderMermaid(analysis, dags);
}
