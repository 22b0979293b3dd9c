import * as vscode from 'vscode';
import { cleanUp, codeOf, openFile, waitForDiagnostics, waitForSymbols, workspaceFile } from '../support/helpers';

describe('the workspace', () => {
  after(cleanUp);

  it('reports a dag_id defined again in a file on disk (VX102), and clears it when that file goes', async () => {
    const { document } = await openFile('examples/example_vortex_dag.py');
    await waitForSymbols(document.uri);
    // Written through VS Code's file system, never opened: only the server's file watcher can tell it.
    const clash = workspaceFile('dags/same_dag_id.py');
    await vscode.workspace.fs.writeFile(clash, new TextEncoder().encode(document.getText()));
    try {
      await waitForDiagnostics(document.uri, 'VX102 (the same dag_id in dags/same_dag_id.py)', (ds) => ds.some((d) => codeOf(d) === 'VX102'));
    } finally {
      await vscode.workspace.fs.delete(clash, { useTrash: false });
    }
    await waitForDiagnostics(document.uri, 'VX102 to go with the file', (ds) => !ds.some((d) => codeOf(d) === 'VX102'));
  });
});
