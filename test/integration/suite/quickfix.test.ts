import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { cleanUp, codeOf, describeDiagnostics, openFile, waitFor, waitForDiagnostics } from '../support/helpers';

describe('quick fix', () => {
  after(cleanUp);

  it('replaces a mistyped preset with the closest valid one, and its diagnostic goes away', async () => {
    const editor = await openFile('dags/preset_typo.py');
    const uri = editor.document.uri;
    const [typo] = (await waitForDiagnostics(uri, 'VX103 on "@daly"', (ds) => ds.some((d) => codeOf(d) === 'VX103'))).filter(
      (d) => codeOf(d) === 'VX103',
    );

    const fix = await waitFor('a quick fix for VX103', async () => {
      const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, typo.range, vscode.CodeActionKind.QuickFix.value);
      return actions.find((a) => a.title.includes('@daily'));
    });
    assert.ok(fix.edit ?? fix.command, 'the fix carries an edit or a command');
    if (fix.edit) assert.ok(await vscode.workspace.applyEdit(fix.edit));
    if (fix.command) await vscode.commands.executeCommand(fix.command.command, ...(fix.command.arguments ?? []));

    assert.match(editor.document.getText(), /schedule="@daily"/);
    await waitFor('VX103 to disappear after the fix', () => (vscode.languages.getDiagnostics(uri).some((d) => codeOf(d) === 'VX103') ? undefined : true), {
      lastSeen: () => describeDiagnostics(uri),
    });
  });
});
