import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { cleanUp, openFile, waitFor, waitForSymbols } from '../support/helpers';

describe('symbols', () => {
  after(cleanUp);

  it('outlines each DAG with its tasks as children', async () => {
    const { document } = await openFile('examples/example_vortex_dag.py');
    const symbols = await waitForSymbols(document.uri);
    const dag = symbols.find((s) => s.name.includes('example_vortex_dag'));
    assert.ok(dag, `no DAG symbol in ${JSON.stringify(symbols.map((s) => s.name))}`);
    const children = dag.children.map((c) => c.name);
    for (const task of ['start', 'run_script', 'process_data', 'end']) {
      assert.ok(children.some((c) => c.includes(task)), `${task} missing from ${JSON.stringify(children)}`);
    }
    const runScript = dag.children.find((c) => c.name.includes('run_script'));
    assert.match(runScript?.detail ?? '', /Bash/, 'the operator kind is the detail');
  });

  it('finds a task by id across the workspace', async () => {
    await openFile('examples/example_vortex_dag.py');
    const found = await waitFor('a workspace symbol for process_data in the seed example', async () => {
      const symbols = await vscode.commands.executeCommand<vscode.SymbolInformation[]>('vscode.executeWorkspaceSymbolProvider', 'process_data');
      return symbols.find((s) => s.name.includes('process_data') && s.location.uri.path.endsWith('/example_vortex_dag.py'));
    });
    // Lines 25 to 28 (1-based) hold the PythonOperator call that defines the task.
    assert.ok(found.location.range.start.line >= 24 && found.location.range.start.line <= 27, `at line ${found.location.range.start.line}`);
  });
});
