/**
 * Runtime resolution in the real VS Code: the loop-built example
 * (`examples/dynamic_regions.py`) shows two tasks to static analysis and ten
 * once the language server has executed it. In a trusted workspace the graph
 * webview draws all ten, the status bar counts them, VX404 goes away, and a
 * task made in a loop runs from its own code lens. In Restricted Mode nothing
 * is ever executed: the static view stays.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { RunCommandResult } from '../../../client/src/runs/runController';
import { Commands } from '../../../core/commands';
import { cleanUp, codeOf, describeDiagnostics, openFile, recordMetric, requestScreenshot, vortexApi, waitFor, waitForDiagnostics } from '../support/helpers';

const UNTRUSTED = process.env.VORTEX_TEST_UNTRUSTED === '1';
const EXAMPLE = 'examples/dynamic_regions.py';
const ALL_TASKS = [
  'export_csv', 'export_json', 'extract_amer', 'extract_apac', 'extract_emea', 'merge', 'start', 'summarise_amer', 'summarise_apac', 'summarise_emea',
];

/** The run lens of one task, polled until the server serves it (it comes with the runtime's view). */
function taskLens(uri: vscode.Uri, taskId: string): Promise<vscode.CodeLens> {
  return waitFor(`the run lens of ${taskId}`, async () => {
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri);
    return lenses.find((l) => l.command?.command === Commands.runTask && l.command.arguments?.[2] === taskId);
  });
}

async function runFromLens(lens: vscode.CodeLens): Promise<Extract<RunCommandResult, { outcome: 'finished' }>> {
  const command = lens.command as vscode.Command;
  const result = await vscode.commands.executeCommand<RunCommandResult>(command.command, ...(command.arguments ?? []));
  assert.ok(result, 'the command returned nothing');
  assert.equal(result.outcome, 'finished', result.outcome === 'refused' ? `refused: ${result.reason}` : '');
  return result as Extract<RunCommandResult, { outcome: 'finished' }>;
}

describe('runtime resolution: tasks built in loops and helpers', () => {
  before(function () {
    if (UNTRUSTED) this.skip();
  });
  after(cleanUp);

  it('shows every task of the loop-built example in the graph webview, counts them in the status bar, and drops VX404', async () => {
    const api = await vortexApi();
    await api.ensureServerStarted();
    const opened = Date.now();
    const editor = await openFile(EXAMPLE);
    const uri = editor.document.uri;
    await vscode.commands.executeCommand('vortex.showGraph');

    const resolved = await waitFor(
      'the runtime view of dynamic_regions.py',
      () => api.runtimeResolutions().find((r) => vscode.Uri.parse(r.uri).toString() === uri.toString() && r.status === 'resolved'),
      { lastSeen: () => JSON.stringify(api.runtimeResolutions()) },
    );
    recordMetric('runtime resolution of dynamic_regions.py, open to outcome (ms)', Date.now() - opened);
    assert.deepEqual([resolved.dags, resolved.tasks], [1, 10]);

    const drawn = await waitFor(
      'all ten tasks drawn in the graph webview',
      () => {
        const s = api.graph.snapshot();
        return s.uri === uri.toString() && s.draws > 0 && s.nodes.length === 10 ? s : undefined;
      },
      { lastSeen: () => JSON.stringify(api.graph.snapshot()) },
    );
    assert.equal(drawn.dagId, 'dynamic_regions');
    assert.deepEqual([...drawn.nodes].sort(), ALL_TASKS);
    assert.equal(drawn.edges, 11);

    await waitForDiagnostics(uri, 'no VX404 once resolved', (ds) => !ds.some((d) => codeOf(d) === 'VX404'));
    assert.deepEqual(vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'vortex').map(codeOf), [], describeDiagnostics(uri));
    await waitFor('the status bar to count 10 tasks', () => {
      const s = api.statusBar();
      return s.visible && s.uri === uri.toString() && /1 DAG, 10 tasks/.test(s.text) ? s : undefined;
    }, { lastSeen: () => JSON.stringify(api.statusBar()) });

    // The outline lists them too, although the text did not change since VS Code first asked.
    const children = await waitFor('the outline with all ten tasks', async () => {
      const symbols = await vscode.commands.executeCommand<vscode.DocumentSymbol[]>('vscode.executeDocumentSymbolProvider', uri);
      const names = symbols?.[0]?.children.map((c) => c.name).sort() ?? [];
      return names.length === 10 ? names : undefined;
    });
    assert.deepEqual(children, ALL_TASKS);

    await requestScreenshot('graph-dynamic-tasks', ['iframe.webview.ready']);
  });

  it('runs a task made in a loop from its code lens, and one made by a helper, with their output', async () => {
    const { document } = await openFile(EXAMPLE);
    const summary = await taskLens(document.uri, 'summarise_apac');
    assert.equal(document.lineAt(summary.range.start.line).text.trim().startsWith('summary = PythonOperator('), true, 'the lens sits on the line that made the task');
    const python = await runFromLens(summary);
    assert.equal(python.result.state, 'success', python.transcript);
    assert.deepEqual(python.result.tasks.map((t) => [t.taskId, t.state]), [['summarise_apac', 'success']]);
    assert.match(python.transcript, /^\[summarise_apac\] summary of apac: 3 tables checked$/m);

    const exportLens = await taskLens(document.uri, 'export_json');
    assert.match(document.lineAt(exportLens.range.start.line).text, /return BashOperator\(/);
    assert.equal(exportLens.command?.title, '▶ Run export_json');
    const bash = await runFromLens(exportLens);
    assert.equal(bash.result.state, 'success', bash.transcript);
    assert.match(bash.transcript, /^\[export_json\] exporting the report as json \(application\/json\)$/m);
  });

  it('runs the whole loop-built DAG from the graph: all ten tasks succeed', async () => {
    const api = await vortexApi();
    const { document } = await openFile(EXAMPLE);
    const events: string[] = [];
    const listener = api.runs.onRunEvent((e) => {
      if (e.type === 'run-finished') events.push(e.result.state);
    });
    try {
      await vscode.commands.executeCommand('vortex.showGraph', document.uri);
      await waitFor('the graph of the example', () => {
        const s = api.graph.snapshot();
        return s.uri === document.uri.toString() && s.nodes.length === 10 ? s : undefined;
      }, { lastSeen: () => JSON.stringify(api.graph.snapshot()) });
      await api.graph.receive({ type: 'runDag', dagId: 'dynamic_regions' });
      const state = await waitFor('the run started from the graph to finish', () => events[0], { deadlineMs: 60_000 });
      assert.equal(state, 'success');
    } finally {
      listener.dispose();
    }
  });
});

describe('runtime resolution in Restricted Mode (an untrusted workspace)', () => {
  before(function () {
    if (!UNTRUSTED) this.skip();
  });
  after(cleanUp);

  it('never executes the file: VX404 stays and the graph shows only the tasks the source names', async () => {
    const api = await vortexApi();
    const editor = await openFile(EXAMPLE);
    const uri = editor.document.uri;
    await waitForDiagnostics(uri, 'VX404', (ds) => ds.filter((d) => codeOf(d) === 'VX404').length === 3);
    await vscode.commands.executeCommand('vortex.showGraph');
    const drawn = await waitFor('the graph of the static view', () => {
      const s = api.graph.snapshot();
      return s.uri === uri.toString() && s.nodes.length > 0 ? s : undefined;
    }, { lastSeen: () => JSON.stringify(api.graph.snapshot()) });
    assert.deepEqual([...drawn.nodes].sort(), ['merge', 'start']);
    // A resolution takes well under this on this machine: none may come at all.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    assert.deepEqual(api.runtimeResolutions(), []);
    assert.equal(vortexDiagnosticsCount(uri, 'VX404'), 3);
    assert.match(api.statusBar().text, /1 DAG, 2 tasks/);
  });
});

function vortexDiagnosticsCount(uri: vscode.Uri, code: string): number {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'vortex' && codeOf(d) === code).length;
}
