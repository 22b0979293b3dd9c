import * as vscode from 'vscode';
import { cleanUp, codeOf, openFile, waitForDiagnostics, waitForSymbols, workspaceFile } from '../support/helpers';

describe('settings', () => {
  after(async () => {
    await cleanUp();
    // The workspace settings file this test wrote, so later pictures show the workspace as it was.
    await vscode.workspace.fs.delete(workspaceFile('.vscode'), { recursive: true, useTrash: false });
  });

  it('re-analyses open files when vortex.analysis.maxFileSize changes', async () => {
    // etl_pipeline.py is about 2,400 characters: over a 1,024 limit, under the default.
    const { document } = await openFile('examples/etl_pipeline.py');
    await waitForSymbols(document.uri);
    const config = vscode.workspace.getConfiguration('vortex');
    await config.update('analysis.maxFileSize', 1024, vscode.ConfigurationTarget.Workspace);
    try {
      await waitForDiagnostics(document.uri, 'VX002 (over the size limit)', (ds) => ds.some((d) => codeOf(d) === 'VX002'));
    } finally {
      await config.update('analysis.maxFileSize', undefined, vscode.ConfigurationTarget.Workspace);
    }
    await waitForDiagnostics(document.uri, 'VX002 to go with the limit', (ds) => !ds.some((d) => codeOf(d) === 'VX002'));
  });
});
