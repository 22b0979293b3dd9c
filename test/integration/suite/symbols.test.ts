import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { cleanUp, openFile, waitFor, waitForSymbols } from '../support/helpers';

describe('symbols', () => {
  after(cleanUp);

  it('outlines each DAG with its tasks as children', async () => {
    const { document } = await openFile('example_dag.py');
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
    await openFile('example_dag.py');
    const found = await waitFor('a workspace symbol for process_data', async () => {
      const symbols = await vscode.commands.executeCommand<vscode.SymbolInformation[]>('vscode.executeWorkspaceSymbolProvider', 'process_data');
      return symbols.find((s) => s.name.includes('process_data'));
    });
    assert.match(found.location.uri.path, /example_dag\.py$/);
  });
});
