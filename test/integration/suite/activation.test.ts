import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { Commands } from '../../../core/commands';
import { EXTENSION_ID, cleanUp, openFile, vortexApi, waitFor } from '../support/helpers';

describe('activation', () => {
  after(cleanUp);

  it('runs inside a real VS Code with the extension loaded', () => {
    assert.match(vscode.version, /^\d+\.\d+\.\d+/);
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension, `${EXTENSION_ID} is not loaded`);
    assert.equal(extension.packageJSON.name, 'vortex-dags');
  });

  it('is active once a workspace with DAG files is open', async () => {
    // workspaceContains (the workspace has dags/ and *dag*.py files) activates it at startup.
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    await waitFor('the extension to activate', () => (extension?.isActive ? true : undefined));
    await openFile('examples/example_vortex_dag.py');
    const api = await vortexApi();
    assert.equal(typeof api.statusBar, 'function');
  });

  it('registers every command of the shared command map', async () => {
    const registered = new Set(await vscode.commands.getCommands(true));
    for (const id of Object.values(Commands)) assert.ok(registered.has(id), `${id} is not registered`);
  });

  it('declares the commands under the VORTEX category', () => {
    const contributed = vscode.extensions.getExtension(EXTENSION_ID)?.packageJSON.contributes.commands as
      | { command: string; category: string }[]
      | undefined;
    assert.ok(contributed);
    assert.deepEqual(contributed.map((c) => c.command).sort(), Object.values(Commands).sort());
    for (const c of contributed) assert.equal(c.category, 'VORTEX');
  });

  it('shows the VORTEX output channel on command', async () => {
    await vscode.commands.executeCommand(Commands.showOutput);
  });
});
