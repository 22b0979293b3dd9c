/** Answers VORTEX's own requests about a document's DAGs (status bar, graph), from the resolved view: dynamic tasks count and show. */
import type { Connection } from 'vscode-languageserver/node';
import type { Diagnostic, FileAnalysis, Range } from '../../../core/analysis/model';
import type { Analyses } from '../analyses';
import { DagModelRequest, DagSummaryRequest } from '../../../core/protocol';
import type { DagJson, DagModelResult, DiagnosticCounts } from '../../../core/protocol';
import { dagGroups, edgeLabel, taskStructure } from '../../../core/graphFields';
import { guarded, within } from './util';
import type { Logger } from './util';

function countIn(diagnostics: readonly Diagnostic[], ranges: readonly Range[]): DiagnosticCounts {
  const counts: DiagnosticCounts = { errors: 0, warnings: 0, infos: 0 };
  for (const d of diagnostics) {
    if (!ranges.some((r) => within(d.range, r))) continue;
    if (d.severity === 'error') counts.errors++;
    else if (d.severity === 'warning') counts.warnings++;
    else counts.infos++;
  }
  return counts;
}

export function dagsJson(analysis: FileAnalysis): DagJson[] {
  return analysis.dags.map((dag) => {
    const tasks = dag.taskIndices.map((i) => analysis.tasks[i]);
    return {
      dagId: dag.dagId,
      schedule: dag.schedule,
      owner: dag.owner,
      tags: dag.tags,
      line: dag.line,
      range: dag.range,
      tasks: tasks.map((t) => ({
        taskId: t.taskId,
        operator: t.operator,
        kind: t.kind,
        variable: t.variable,
        line: t.line,
        range: t.range,
        upstream: t.upstream,
        downstream: t.downstream,
        diagnostics: countIn(analysis.diagnostics, [t.range]),
        ...taskStructure(t),
      })),
      edges: dag.edges.map((e) => ({ upstream: e.upstream, downstream: e.downstream, range: e.range, label: edgeLabel(e) })),
      groups: dagGroups(dag).map((g) => ({ id: g.id, parentId: g.parentId, label: g.label, line: g.line, range: g.range })),
      diagnostics: countIn(analysis.diagnostics, [dag.range, ...tasks.map((t) => t.range)]),
    };
  });
}

export class DagModelFeature {
  constructor(private readonly analyses: Analyses, private readonly logger: Logger) {}

  register(connection: Connection): void {
    connection.onRequest(DagSummaryRequest.type, (params) => guarded(this.logger, 'dagSummary', null, () => this.summary(params.uri)));
    connection.onRequest(DagModelRequest.type, (params) => guarded(this.logger, 'dagModel', null, () => this.model(params.uri)));
  }

  async summary(uri: string): Promise<{ dags: number; tasks: number } | null> {
    const analysis = await this.analyses.resolved(uri);
    return analysis ? { dags: analysis.dags.length, tasks: analysis.tasks.length } : null;
  }

  async model(uri: string): Promise<DagModelResult | null> {
    const document = this.analyses.documents.get(uri);
    const analysis = await this.analyses.resolved(uri);
    if (!document || !analysis) return null;
    return { uri, version: document.version, dags: dagsJson(analysis) };
  }
}
