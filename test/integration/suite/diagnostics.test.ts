import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { cleanUp, codeOf, describeDiagnostics, errorCount, openFile, recordMetric, waitForDiagnostics, waitForSymbols } from '../support/helpers';

describe('diagnostics', () => {
  after(cleanUp);

  it('reports a bad cron string (VX103) and a missing bash_command (VX203) with precise ranges', async () => {
    const opened = Date.now();
    const editor = await openFile('dags/broken_pipeline.py');
    const document = editor.document;
    const diagnostics = await waitForDiagnostics(document.uri, 'VX103 and VX203', (ds) =>
      ['VX103', 'VX203'].every((code) => ds.some((d) => codeOf(d) === code)),
    );
    recordMetric('document opened → first diagnostics (broken_pipeline.py)', Date.now() - opened);

    const vx103 = diagnostics.find((d) => codeOf(d) === 'VX103');
    assert.ok(vx103);
    assert.equal(vx103.severity, vscode.DiagnosticSeverity.Error);
    // The smallest piece of source that shows the problem: the string, never the whole file.
    assert.match(document.getText(vx103.range), /0 25 \* \* \*/);
    assert.equal(vx103.range.start.line, vx103.range.end.line);
    assert.match(vx103.message, /hour/i, 'the message names the bad field');

    const vx203 = diagnostics.find((d) => codeOf(d) === 'VX203');
    assert.ok(vx203);
    assert.match(document.lineAt(vx203.range.start.line).text, /load = BashOperator/);
  });

  it('links each code to its section of the diagnostics documentation', async () => {
    const editor = await openFile('dags/broken_pipeline.py');
    const diagnostics = await waitForDiagnostics(editor.document.uri, 'VX103', (ds) => ds.some((d) => codeOf(d) === 'VX103'));
    for (const d of diagnostics) {
      assert.equal(typeof d.code, 'object', `${codeOf(d)} has no codeDescription`);
      const target = typeof d.code === 'object' ? d.code.target.toString() : '';
      assert.match(target, /diagnostics\.md/, `${codeOf(d)} links to ${target}`);
    }
  });

  it('reports no error in the seed example DAG', async () => {
    const editor = await openFile('examples/example_vortex_dag.py');
    // The outline lists the DAG only once the server has analysed the file.
    await waitForSymbols(editor.document.uri);
    assert.equal(errorCount(editor.document.uri), 0);
  });

  it('reports no error in any of the example DAGs', async () => {
    const examples = await vscode.workspace.findFiles('examples/*.py');
    assert.ok(examples.length >= 3, `only ${examples.length} examples in the workspace`);
    for (const uri of examples) {
      await openFile(uri);
      await waitForSymbols(uri);
      assert.equal(errorCount(uri), 0, `${uri.path}: ${describeDiagnostics(uri)}`);
    }
  });
});
