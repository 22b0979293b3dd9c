import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { cleanUp, labelOf, openFile, positionOf, waitFor, waitForSymbols } from '../support/helpers';

/** Polls completion at `position` until an item satisfies `accept` (the server may lag an edit). */
function waitForCompletion(uri: vscode.Uri, position: vscode.Position, describe: string, accept: (labels: string[]) => boolean): Promise<string[]> {
  let last: string[] = [];
  return waitFor(
    describe,
    async () => {
      const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', uri, position);
      last = list.items.map(labelOf);
      return accept(last) ? last : undefined;
    },
    { lastSeen: () => JSON.stringify(last.slice(0, 40)) },
  );
}

describe('completion', () => {
  after(cleanUp);

  let editor: vscode.TextEditor;
  before(async () => {
    editor = await openFile('dags/preset_typo.py');
    await waitForSymbols(editor.document.uri);
  });

  it('offers schedule presets inside a schedule string', async () => {
    const document = editor.document;
    const typo = positionOf(document, '@daly');
    await editor.edit((e) => e.replace(new vscode.Range(typo, typo.translate(0, '@daly'.length)), '@'));
    const labels = await waitForCompletion(document.uri, typo.translate(0, 1), 'presets in the schedule string', (ls) => ls.some((l) => l.includes('@daily')));
    assert.ok(labels.some((l) => l.includes('@hourly')));
  });

  it('offers an operator’s keyword arguments', async () => {
    const document = editor.document;
    const end = positionOf(document, '    start >> finish');
    await editor.edit((e) => e.insert(end, '    extra = BashOperator(task_id="extra", )\n'));
    const inside = positionOf(document, 'task_id="extra", ', 'task_id="extra", '.length);
    await waitForCompletion(document.uri, inside, 'bash_command among the keyword arguments', (ls) => ls.some((l) => l.startsWith('bash_command')));
  });

  it('offers task variables after >>', async () => {
    const document = editor.document;
    const last = document.lineAt(document.lineCount - 1);
    await editor.edit((e) => e.insert(last.range.end, '\n    start >> '));
    const end = document.lineAt(document.lineCount - 1).range.end;
    await waitForCompletion(document.uri, end, 'the task variable finish after >>', (ls) => ls.includes('finish'));
  });
});
