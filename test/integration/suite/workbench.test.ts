/**
 * What a user sees, as pictures: the launcher saves them under test-artifacts/.
 * The hover is asked for through the editor's own command and the launcher
 * waits until the hover widget is visible in the page before it takes the picture.
 */
import * as vscode from 'vscode';
import { cleanUp, codeOf, openFile, positionOf, requestScreenshot, waitForDiagnostics, waitForHover } from '../support/helpers';

/** The editor's hover widget while shown, and the Problems panel's tree. */
const HOVER_AND_PROBLEMS = ['.monaco-editor .monaco-hover:not(.hidden)', '.markers-panel .monaco-list-row'];

async function showHoverAt(editor: vscode.TextEditor, position: vscode.Position): Promise<void> {
  await vscode.commands.executeCommand('workbench.actions.view.problems');
  // The Problems panel takes the focus; the hover needs it back in the editor.
  await vscode.window.showTextDocument(editor.document, { preview: false, preserveFocus: false });
  editor.selection = new vscode.Selection(position, position);
  editor.revealRange(new vscode.Range(position, position), vscode.TextEditorRevealType.InCenter);
  await vscode.commands.executeCommand('editor.action.showHover');
}

describe('workbench screenshots', () => {
  after(cleanUp);

  it('a DAG file with a hover open and the Problems panel', async function () {
    const editor = await openFile('dags/broken_pipeline.py');
    await waitForDiagnostics(editor.document.uri, 'VX103 and VX203', (ds) => ['VX103', 'VX203'].every((c) => ds.some((d) => codeOf(d) === c)));
    const position = positionOf(editor.document, '"0 25 * * *"', 3);
    await waitForHover(editor.document.uri, position);
    await showHoverAt(editor, position);
    const saved = await requestScreenshot('workbench-problems-hover', HOVER_AND_PROBLEMS);
    if (!saved) this.skip();
  });

  it('the seed example with its schedule explained and its outline', async function () {
    const editor = await openFile('examples/example_vortex_dag.py');
    const position = positionOf(editor.document, '"0 12 * * *"', 3);
    await waitForHover(editor.document.uri, position);
    await vscode.commands.executeCommand('outline.focus');
    await showHoverAt(editor, position);
    const saved = await requestScreenshot('example-dag-schedule-hover', HOVER_AND_PROBLEMS);
    if (!saved) this.skip();
  });
});
