import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { cleanUp, codeOf, errorCount, openFile, requestScreenshot, vortexApi, waitFor, waitForDiagnostics } from '../support/helpers';

describe('status bar', () => {
  after(cleanUp);

  it('shows the DAG and task counts of the active DAG file', async () => {
    const api = await vortexApi();
    const { document } = await openFile('examples/example_vortex_dag.py');
    const shown = await waitFor('the status bar to count 1 DAG and 4 tasks', () => {
      const s = api.statusBar();
      return s.visible && s.uri === document.uri.toString() && /1 DAG, 4 tasks/.test(s.text) ? s : undefined;
    }, { lastSeen: () => JSON.stringify(api.statusBar()) });
    assert.match(shown.text, /\$\(check\) 0/);
    assert.equal(shown.command, 'workbench.actions.view.problems', 'a click opens the Problems panel');
  });

  it('counts the errors VORTEX reports for the active file', async () => {
    const api = await vortexApi();
    const { document } = await openFile('dags/broken_pipeline.py');
    await waitForDiagnostics(document.uri, 'VX103', (ds) => ds.some((d) => codeOf(d) === 'VX103'));
    const errors = errorCount(document.uri);
    assert.ok(errors >= 2);
    await waitFor(`the status bar to show ${errors} errors`, () => {
      const s = api.statusBar();
      return s.visible && s.uri === document.uri.toString() && s.text.includes(`$(error) ${errors}`) ? s : undefined;
    }, { lastSeen: () => JSON.stringify(api.statusBar()) });
  });

  it('opens the Problems panel when clicked', async () => {
    const api = await vortexApi();
    const { document } = await openFile('dags/broken_pipeline.py');
    await waitFor('the status bar item on the DAG file', () => {
      const s = api.statusBar();
      return s.visible && s.uri === document.uri.toString() ? s : undefined;
    });
    await vscode.commands.executeCommand('workbench.action.closePanel');
    // The launcher clicks the item in the page, as a user would, and waits for the panel.
    const saved = await requestScreenshot('status-bar-opens-problems', ['.markers-panel .monaco-list-row'], {
      selector: '.statusbar-item:has-text("tasks")',
      hiddenBefore: ['.markers-panel'],
    });
    if (!saved) {
      // No browser to click in (test-electron): run what a click runs.
      const command = api.statusBar().command;
      assert.ok(command);
      await vscode.commands.executeCommand(command);
    }
  });

  it('is hidden on ordinary Python files', async () => {
    const api = await vortexApi();
    await openFile('plain_script.py');
    await waitFor('the status bar item to hide', () => (api.statusBar().visible ? undefined : true), {
      lastSeen: () => JSON.stringify(api.statusBar()),
    });
  });
});
