/**
 * A workspace of ordinary Python costs nothing: no language server process.
 * Run by `runHeadless.mjs --workspace test/integration/workspace-plain`.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { EXTENSION_ID, cleanUp, openFile, vortexApi } from '../support/helpers';

const PLAIN = process.env.VORTEX_TEST_WORKSPACE === 'workspace-plain';

describe('an ordinary Python workspace', () => {
  before(function () {
    if (!PLAIN) this.skip();
  });
  after(cleanUp);

  it('does not activate the extension until a Python file opens', () => {
    // No activation event matches: no DAG-like file names, no Python document open.
    assert.equal(vscode.extensions.getExtension(EXTENSION_ID)?.isActive, false);
  });

  it('never starts the language server for ordinary Python files', async () => {
    await openFile('report.py');
    // Activation (onLanguage:python) resolves only after the decision to start is taken.
    const api = await vortexApi();
    assert.equal(api.serverState(), 'not started');
    assert.equal(api.serverPid(), undefined);
    assert.equal(api.statusBar().visible, false);
  });
});
