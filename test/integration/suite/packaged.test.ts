/**
 * Run only when the launcher tests an installed .vsix (`runHeadless.mjs --vsix`):
 * the extension must then come from the extensions folder, not the working
 * tree, and still work; a file missing from the package fails here.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { EXTENSION_ID, cleanUp, codeOf, openFile, waitForDiagnostics } from '../support/helpers';

const PACKAGED = process.env.VORTEX_TEST_PACKAGED === '1';

describe('the packaged extension (.vsix)', () => {
  before(function () {
    if (!PACKAGED) this.skip();
  });
  after(cleanUp);

  it('is the installed copy, holding only what runs', () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension);
    const root = extension.extensionPath;
    assert.ok(!fs.existsSync(path.join(root, 'client', 'src')), `${root} looks like the working tree`);
    assert.ok(!fs.existsSync(path.join(root, 'node_modules')), 'everything is bundled: no node_modules in the package');
    for (const file of ['dist/extension.js', 'dist/server.js', 'package.json']) {
      assert.ok(fs.existsSync(path.join(root, file)), `${file} is missing from the package`);
    }
  });

  it('activates and reports diagnostics', async () => {
    const editor = await openFile('dags/broken_pipeline.py');
    await waitForDiagnostics(editor.document.uri, 'VX103 and VX203', (ds) => ['VX103', 'VX203'].every((c) => ds.some((d) => codeOf(d) === c)));
    assert.ok(vscode.extensions.getExtension(EXTENSION_ID)?.isActive);
  });
});
