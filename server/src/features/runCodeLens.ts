/**
 * Running from the editor: "▶ Run DAG" above each DAG and "▶ Run task" above
 * each task, and the `vortex/runModel` request the client plans a run from.
 *
 * A click on a run lens executes the user's code, so the lenses are served
 * only once the client has said the workspace is trusted (in its
 * initializationOptions, or later by `vortex/workspaceTrust`). A client that
 * says nothing about trust (another editor) gets no run lenses: it has no way
 * to run them anyway, since the run commands live in the VS Code client.
 */
import { CodeLensRefreshRequest } from 'vscode-languageserver/node';
import type { ClientCapabilities, CodeLens, Connection } from 'vscode-languageserver/node';
import type { FileAnalysis } from '../analysis/model';
import type { Analyses } from '../analyses';
import { Commands } from '../commands';
import { RunModelRequest, WorkspaceTrustNotification } from '../protocol';
import type { LensProvider } from './codeLens';
import { guarded } from './util';
import type { Logger } from './util';

/** The arguments of a run lens's command, in this order: the client reads them positionally. */
export type RunLensArguments = [uri: string, dagId: string] | [uri: string, dagId: string, taskId: string];

/** Reads the client's initial trust from `initializationOptions: { workspaceTrusted: boolean }`. */
export function initialTrust(initializationOptions: unknown): boolean {
  if (typeof initializationOptions !== 'object' || initializationOptions === null) return false;
  return (initializationOptions as { workspaceTrusted?: unknown }).workspaceTrusted === true;
}

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
      for (const i of dag.taskIndices) {
        const task = analysis.tasks[i];
        const taskArgs: RunLensArguments = [uri, dag.dagId, task.taskId];
        lenses.push({ range: task.operatorRange, command: { title: '▶ Run task', command: Commands.runTask, arguments: taskArgs } });
      }
    }
    return lenses;
  }
}

/** Holds the workspace's trust as the client reports it, and answers `vortex/runModel`. */
export class RunFeature {
  private trusted: boolean;
  readonly lenses: RunLenses;

  constructor(
    private readonly analyses: Analyses,
    private readonly clientCapabilities: ClientCapabilities,
    initializationOptions: unknown,
    private readonly logger: Logger,
  ) {
    this.trusted = initialTrust(initializationOptions);
    this.lenses = new RunLenses(() => this.trusted);
  }

  register(connection: Connection): void {
    connection.onNotification(WorkspaceTrustNotification.type, ({ trusted }) => {
      if (trusted === this.trusted) return;
      this.trusted = trusted;
      // Lenses already shown were computed under the old trust.
      if (this.clientCapabilities.workspace?.codeLens?.refreshSupport) {
        connection.sendRequest(CodeLensRefreshRequest.type).catch((e: unknown) => this.logger.error(`VORTEX codeLens refresh failed: ${String(e)}`));
      }
    });
    connection.onRequest(RunModelRequest.type, (params) => guarded(this.logger, 'runModel', null, () => this.runModel(params.uri)));
  }

  isTrusted(): boolean {
    return this.trusted;
  }

  async runModel(uri: string): Promise<{ uri: string; version: number; analysis: FileAnalysis } | null> {
    const document = this.analyses.documents.get(uri);
    const analysis = await this.analyses.analysis(uri);
    if (!document || !analysis) return null;
    return { uri, version: document.version, analysis };
  }
}
