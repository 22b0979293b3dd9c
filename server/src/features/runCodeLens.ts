/**
 * Running from the editor: "▶ Run DAG" above each DAG and "▶ Run task" above
 * each task, beside it "Debug task" (a task that calls Python) or "Run in
 * terminal" (a Bash task), and the `vortex/runModel` request the client plans
 * a run from.
 *
 * A click on a run lens executes the user's code, so the lenses are served
 * only once the client has said the workspace is trusted (in its
 * initializationOptions, or later by `vortex/workspaceTrust`). A client that
 * says nothing about trust (another editor) gets no run lenses: it has no way
 * to run them anyway, since the run commands live in the VS Code client.
 */
import type { CodeLens, Connection } from 'vscode-languageserver/node';
import type { FileAnalysis, TaskModel } from '../../../core/analysis/model';
import type { Analyses } from '../analyses';
import { Commands } from '../../../core/commands';
import { RunModelRequest } from '../../../core/protocol';
import type { WorkspaceTrust } from '../workspaceTrust';
import type { LensProvider } from './codeLens';
import { guarded } from './util';
import type { Logger } from './util';

/** The arguments of a run lens's command, in this order: the client reads them positionally. */
export type RunLensArguments = [uri: string, dagId: string] | [uri: string, dagId: string, taskId: string];

export class RunLenses implements LensProvider {
  constructor(private readonly isTrusted: () => boolean) {}

  lenses(uri: string, analysis: FileAnalysis): CodeLens[] {
    if (!this.isTrusted()) return [];
    const lenses: CodeLens[] = [];
    for (const dag of analysis.dags) {
      // A DAG without a literal dag_id cannot be named to the scheduler (VX101 says why).
      if (dag.dagId === null) continue;
      const dagArgs: RunLensArguments = [uri, dag.dagId];
      lenses.push({ range: dag.nameRange, command: { title: '▶ Run DAG', command: Commands.runDag, arguments: dagArgs } });
      // Tasks made in a loop or by a helper share the line that made them: their lenses then say which is which.
      const perLine = new Map<number, number>();
      for (const i of dag.taskIndices) {
        const line = analysis.tasks[i].operatorRange.start.line;
        perLine.set(line, (perLine.get(line) ?? 0) + 1);
      }
      for (const i of dag.taskIndices) {
        const task = analysis.tasks[i];
        const taskArgs: RunLensArguments = [uri, dag.dagId, task.taskId];
        const title = (perLine.get(task.operatorRange.start.line) ?? 0) > 1 ? `▶ Run ${withoutIcons(task.taskId)}` : '▶ Run task';
        lenses.push({ range: task.operatorRange, command: { title, command: Commands.runTask, arguments: taskArgs } });
        const extra = sideLens(task.kind, (perLine.get(task.operatorRange.start.line) ?? 0) > 1 ? withoutIcons(task.taskId) : null);
        if (extra) lenses.push({ range: task.operatorRange, command: { ...extra, arguments: taskArgs } });
      }
    }
    return lenses;
  }
}

/**
 * Serves the run lenses in a trusted workspace, and answers `vortex/runModel`
 * from the resolved view once it is up to date with the document's analysis
 * mode (dynamic tasks run too).
 */
export class RunFeature {
  readonly lenses: RunLenses;

  constructor(
    private readonly analyses: Analyses,
    trust: WorkspaceTrust,
    refreshCodeLenses: () => void,
    private readonly logger: Logger,
    /** Brings the document's runtime view up to date before a run plans from it. */
    private readonly settleRuntime: (uri: string) => Promise<void> = async () => undefined,
  ) {
    this.lenses = new RunLenses(() => trust.isTrusted());
    // Lenses already shown were computed under the old trust.
    trust.onDidChange(refreshCodeLenses);
  }

  register(connection: Connection): void {
    connection.onRequest(RunModelRequest.type, (params) => guarded(this.logger, 'runModel', null, () => this.runModel(params.uri)));
  }

  async runModel(uri: string): Promise<{ uri: string; version: number; analysis: FileAnalysis } | null> {
    await this.settleRuntime(uri);
    const document = this.analyses.documents.get(uri);
    const analysis = await this.analyses.resolved(uri);
    if (!document || !analysis) return null;
    return { uri, version: document.version, analysis };
  }
}

/**
 * The lens beside "▶ Run task": a task that calls Python (PythonOperator, a
 * branch or short-circuit operator, a @task function) is debugged; a Bash
 * task's command runs in a terminal. `taskId` names the task when several share a line.
 */
function sideLens(kind: TaskModel['kind'], taskId: string | null): { title: string; command: string } | null {
  if (kind === 'python') return { title: taskId ? `Debug ${taskId}` : 'Debug task', command: Commands.debugTask };
  if (kind === 'bash') return { title: taskId ? `Run ${taskId} in terminal` : 'Run in terminal', command: Commands.runTaskInTerminal };
  return null;
}

/** A lens title shows `$(name)` as an icon: an id's own `$(` is escaped so that it reads as written. */
function withoutIcons(text: string): string {
  return text.replace(/\$\(/g, '\\$(');
}
