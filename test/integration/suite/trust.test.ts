/**
 * Workspace trust: the manifest declares `untrustedWorkspaces: limited`, since
 * analysis never executes the user's code. Run when the launcher leaves trust
 * on (`runHeadless.mjs --untrusted`), so the workspace opens in Restricted Mode.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { EXTENSION_ID, cleanUp, codeOf, openFile, waitForDiagnostics } from '../support/helpers';

const UNTRUSTED = process.env.VORTEX_TEST_UNTRUSTED === '1';

describe('Restricted Mode (an untrusted workspace)', () => {
  before(function () {
    if (!UNTRUSTED) this.skip();
  });
  after(cleanUp);

  it('opens the workspace untrusted', () => {
    assert.equal(vscode.workspace.isTrusted, false);
  });

  it('still analyses: the extension is active and reports diagnostics', async () => {
    const editor = await openFile('dags/broken_pipeline.py');
    await waitForDiagnostics(editor.document.uri, 'VX103', (ds) => ds.some((d) => codeOf(d) === 'VX103'));
    assert.ok(vscode.extensions.getExtension(EXTENSION_ID)?.isActive);
  });
});
