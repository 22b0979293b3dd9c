/** Text forms of a DAG's graph: Graphviz DOT, Mermaid and JSON. */
import type { DagModel, FileAnalysis } from '../../core/analysis/model';

export type GraphFormat = 'dot' | 'mermaid' | 'json';

function dotString(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

function mermaidLabel(s: string): string {
  // Mermaid labels are quoted; quotes and markup characters become entities.
  return `"${s.replace(/[&"<>#]/g, (c) => `#${c.charCodeAt(0)};`)}"`;
}

export function renderGraph(analysis: FileAnalysis, dags: DagModel[], format: GraphFormat): string {
  if (format === 'json') {
    return JSON.stringify(
      {
        dags: dags.map((dag) => ({
          dag_id: dag.dagId,
          nodes: dag.taskIndices.map((i) => ({ id: analysis.tasks[i].taskId, operator: analysis.tasks[i].operator })),
          edges: dag.edges.map((e) => ({ upstream: e.upstream, downstream: e.downstream })),
        })),
      },
      null,
      2,
    );
  }
  const lines: string[] = [];
  if (format === 'dot') {
    for (const dag of dags) {
      lines.push(`digraph ${dotString(dag.dagId ?? 'dag')} {`, '  rankdir=LR;', '  node [shape=box, style=rounded];');
      for (const i of dag.taskIndices) {
        const t = analysis.tasks[i];
        lines.push(`  ${dotString(t.taskId)} [label=${dotString(`${t.taskId}\n${t.operator}`)}];`);
      }
      for (const e of dag.edges) lines.push(`  ${dotString(e.upstream)} -> ${dotString(e.downstream)};`);
      lines.push('}');
    }
    return lines.join('\n');
  }
  lines.push('flowchart LR');
  dags.forEach((dag, d) => {
    const ids = new Map<string, string>();
    const indent = dags.length > 1 ? '    ' : '  ';
    if (dags.length > 1) lines.push(`  subgraph dag${d}[${mermaidLabel(dag.dagId ?? 'dag')}]`);
    dag.taskIndices.forEach((i, k) => {
      const t = analysis.tasks[i];
      if (ids.has(t.taskId)) return;
      ids.set(t.taskId, `d${d}t${k}`);
      lines.push(`${indent}d${d}t${k}[${mermaidLabel(`${t.taskId} (${t.operator})`)}]`);
    });
    for (const e of dag.edges) {
      const a = ids.get(e.upstream);
      const b = ids.get(e.downstream);
      if (a && b) lines.push(`${indent}${a} --> ${b}`);
    }
    if (dags.length > 1) lines.push('  end');
  });
  return lines.join('\n');
}
