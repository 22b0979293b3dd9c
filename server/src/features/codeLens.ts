/**
 * Code lenses. Each kind of lens is one `LensProvider`; the feature asks every
 * provider for its lenses, so a new kind of lens (running, the graph) is one
 * more provider, not a change to the feature.
 */
import type { CodeLens, CodeLensParams, Connection } from 'vscode-languageserver/node';
import type { FileAnalysis } from '../../../core/analysis/model';
import type { Analyses } from '../analyses';
import { guarded } from './util';
import type { Logger } from './util';

export interface LensProvider {
  lenses(uri: string, analysis: FileAnalysis): CodeLens[];
}

/** "N tasks" above each DAG: informational, so its command id is empty (VS Code shows it unclickable). */
export class TaskCountLens implements LensProvider {
  lenses(_uri: string, analysis: FileAnalysis): CodeLens[] {
    return analysis.dags.map((dag) => {
      const n = dag.taskIndices.length;
      return { range: dag.nameRange, command: { title: `${n} task${n === 1 ? '' : 's'}`, command: '' } };
    });
  }
}

export class CodeLensFeature {
  constructor(private readonly analyses: Analyses, private readonly providers: readonly LensProvider[], private readonly logger: Logger) {}

  register(connection: Connection): void {
    connection.onCodeLens((params) => guarded(this.logger, 'codeLens', [], () => this.provideCodeLenses(params)));
  }

  async provideCodeLenses({ textDocument }: CodeLensParams): Promise<CodeLens[]> {
    // The resolved view: a task made in a loop gets its run lens on the line that made it.
    const analysis = await this.analyses.resolved(textDocument.uri);
    if (!analysis) return [];
    return this.providers.flatMap((p) => p.lenses(textDocument.uri, analysis));
  }
}
