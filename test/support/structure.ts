/**
 * Adds TaskGroups, edge labels and task marks to a real analysis, the way the
 * analyser will once it reads them: the CLI's formatters and the graph are
 * tested on models that carry them before any DAG file can produce them.
 */
import type { FileAnalysis } from '../../core/analysis/model';
import type { TaskStructure } from '../../core/graphFields';

export interface StructureSpec {
  /** In source order; `label` defaults to the id's last segment. */
  groups?: Array<{ id: string; parentId: string | null; label?: string }>;
  tasks?: Record<string, Partial<TaskStructure>>;
  /** [upstream, downstream, label] */
  labels?: Array<[string, string, string]>;
}

export function withStructure(analysis: FileAnalysis, spec: StructureSpec, dagIndex = 0): FileAnalysis {
  const copy = structuredClone(analysis);
  const dag = copy.dags[dagIndex];
  dag.groups = (spec.groups ?? []).map((g) => ({
    id: g.id,
    parentId: g.parentId,
    label: g.label ?? g.id.slice(g.id.lastIndexOf('.') + 1),
    line: dag.line,
    range: dag.range,
  }));
  for (const i of dag.taskIndices) {
    const task = copy.tasks[i];
    Object.assign(task, spec.tasks?.[task.taskId] ?? {});
  }
  for (const [upstream, downstream, label] of spec.labels ?? []) {
    const edge = dag.edges.find((e) => e.upstream === upstream && e.downstream === downstream);
    if (!edge) throw new Error(`no edge ${upstream} >> ${downstream} to label`);
    edge.label = label;
  }
  return copy;
}
