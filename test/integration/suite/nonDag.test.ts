import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { cleanUp, codeOf, describeDiagnostics, openFile, positionOf, vortexDiagnostics, waitForDiagnostics } from '../support/helpers';

describe('ordinary Python', () => {
  after(cleanUp);

  it('gets nothing from VORTEX: no diagnostics, hovers or symbols', async () => {
    const plain = await openFile('plain_script.py');
    const uri = plain.document.uri;
    // The server handles documents in order, so once a DAG file opened after
    // this one has its diagnostics, anything for this file would have arrived.
    const later = await openFile('dags/preset_typo.py');
    await waitForDiagnostics(later.document.uri, 'VX103', (ds) => ds.some((d) => codeOf(d) === 'VX103'));
    assert.deepEqual(vortexDiagnostics(uri), [], describeDiagnostics(uri));

    // No other Python extension runs in this VS Code, so any hover or symbol would be ours.
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, positionOf(plain.document, '"0 25 * * *"', 3));
    assert.deepEqual(hovers, []);
    const symbols = await vscode.commands.executeCommand<vscode.DocumentSymbol[] | undefined>('vscode.executeDocumentSymbolProvider', uri);
    assert.equal(symbols?.length ?? 0, 0);
  });
});
