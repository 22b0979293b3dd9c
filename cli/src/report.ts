/** The CLI's views of an analysis: the `inspect --json` shape of cli.md, and lines for people. */
import type { Diagnostic, FileAnalysis } from '../../core/analysis/model';
import type { RuntimeDag } from '../../core/runtime/report';
import { dagGroups, edgeLabel, taskStructure } from '../../core/graphFields';

export interface InspectTask {
  task_id: string;
  operator: string;
  line: number;
  upstream: string[];
  downstream: string[];
  group_id: string | null;
  decorated: boolean;
  mapped: boolean;
  branch: boolean;
  trigger_rule: string | null;
}

export interface InspectGroup {
  id: string;
  parent_id: string | null;
  label: string;
  line: number;
}

export interface InspectEdge {
  upstream: string;
  downstream: string;
  label: string | null;
}

export interface InspectDag {
  dag_id: string | null;
  schedule: string | null;
  owner: string | null;
  description: string | null;
  tags: string[];
  line: number;
  tasks: InspectTask[];
  edges: InspectEdge[];
  groups: InspectGroup[];
}

export interface InspectDiagnostic {
  code: string;
  severity: string;
  message: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

export interface InspectFile {
  path: string;
  dags: InspectDag[];
  diagnostics: InspectDiagnostic[];
}

export function inspectDags(analysis: FileAnalysis): InspectDag[] {
  return analysis.dags.map((dag) => ({
    dag_id: dag.dagId,
    schedule: dag.schedule,
    owner: dag.owner,
    description: dag.description,
    tags: dag.tags,
    line: dag.line + 1,
    tasks: dag.taskIndices.map((i) => {
      const t = analysis.tasks[i];
      const s = taskStructure(t);
      return {
        task_id: t.taskId,
        operator: t.operator,
        line: t.line + 1,
        upstream: t.upstream,
        downstream: t.downstream,
        group_id: s.groupId,
        decorated: s.decorated,
        mapped: s.mapped,
        branch: s.branch,
        trigger_rule: s.triggerRule,
      };
    }),
    edges: dag.edges.map((e) => ({ upstream: e.upstream, downstream: e.downstream, label: edgeLabel(e) })),
    groups: dagGroups(dag).map((g) => ({ id: g.id, parent_id: g.parentId, label: g.label, line: g.line + 1 })),
  }));
}

export function inspectDiagnostic(d: Diagnostic): InspectDiagnostic {
  return {
    code: d.code,
    severity: d.severity,
    message: d.message,
    line: d.range.start.line + 1,
    column: d.range.start.character + 1,
    endLine: d.range.end.line + 1,
    endColumn: d.range.end.character + 1,
  };
}

/** `path:line:col: severity VXnnn message`, the format editors and CI annotators parse. */
export function diagnosticLine(path: string, d: Diagnostic): string {
  return `${path}:${d.range.start.line + 1}:${d.range.start.character + 1}: ${d.severity} ${d.code} ${d.message}`;
}

/** A runtime report's DAGs in the same shape: what executing the file built. */
export function inspectRuntimeDags(dags: RuntimeDag[]): InspectDag[] {
  return dags.map((dag) => ({
    dag_id: dag.dag_id,
    schedule: dag.schedule,
    owner: dag.owner,
    description: dag.description,
    tags: dag.tags,
    line: dag.line,
    tasks: dag.tasks.map((t) => ({
      task_id: t.task_id,
      operator: t.operator,
      line: t.line,
      upstream: t.upstream,
      downstream: t.downstream,
      group_id: t.group_id,
      decorated: t.decorated,
      mapped: t.mapped,
      branch: t.branch,
      trigger_rule: t.trigger_rule,
    })),
    edges: dag.edges.map((e) => ({ upstream: e.upstream, downstream: e.downstream, label: e.label })),
    groups: dag.groups.map((g) => ({ id: g.id, parent_id: g.parent_id, label: g.label, line: g.line })),
  }));
}
