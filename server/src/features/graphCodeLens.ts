/** "Show graph" above each DAG: opens the graph panel on that DAG (client command `vortex.showGraph`). */
import type { CodeLens } from 'vscode-languageserver/node';
import type { FileAnalysis } from '../../../core/analysis/model';
import { Commands } from '../../../core/commands';
import type { LensProvider } from './codeLens';

export class ShowGraphLens implements LensProvider {
  lenses(uri: string, analysis: FileAnalysis): CodeLens[] {
    // The DAG's index, not its id: ids may be missing or duplicated (VX101, VX102) and the picker counts by index.
    return analysis.dags.map((dag, index) => ({
      range: dag.nameRange,
      command: { title: 'Show graph', command: Commands.showGraph, arguments: [uri, index] },
    }));
  }
}
