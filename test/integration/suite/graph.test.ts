/**
 * The DAG graph in the real VS Code: the command opens the webview beside the
 * seed example with its four tasks and four edges, the page loads under its CSP
 * and says "ready" (only then does the panel count a draw), an edit redraws it,
 * a node's reveal moves the editor's cursor, the cursor highlights its task,
 * and the "Show graph" lens is there. One screenshot of the graph beside the file.
 *
 * A test cannot click inside a webview's iframe from the extension host, so the
 * reveal goes through the panel's own message handler (`VortexApi.graph.receive`),
 * with the very message the browser tests see a click post.
 */
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { cleanUp, openFile, positionOf, recordMetric, requestScreenshot, vortexApi, waitFor } from '../support/helpers';

const SHOW_GRAPH = 'vortex.showGraph';

function graphTab(): vscode.Tab | undefined {
  return vscode.window.tabGroups.all
    .flatMap((g) => g.tabs)
    .find((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('vortex.graph'));
}

describe('graph: the DAG graph webview', () => {
  after(cleanUp);

  it('opens beside the seed example with its four tasks and four edges, redraws after an edit, reveals and highlights tasks', async function () {
    const api = await vortexApi();
    await api.ensureServerStarted();
    const editor = await openFile('examples/example_vortex_dag.py');
    const uri = editor.document.uri.toString();

    await vscode.commands.executeCommand(SHOW_GRAPH);
    const tab = await waitFor('the graph tab', () => graphTab());
    assert.notEqual(tab.group.viewColumn, editor.viewColumn, 'the graph opens beside the editor');
    const drawn = await waitFor(
      'the graph of the seed example drawn in the webview',
      () => {
        const s = api.graph.snapshot();
        return s.uri === uri && s.draws > 0 && s.nodes.length === 4 ? s : undefined;
      },
      { lastSeen: () => JSON.stringify(api.graph.snapshot()) },
    );
    assert.equal(drawn.dagId, 'example_vortex_dag');
    assert.deepEqual([...drawn.nodes].sort(), ['end', 'process_data', 'run_script', 'start']);
    assert.equal(drawn.edges, 4);
    // The picture for the README: the whole graph, fitted, beside its file.
    const saved = await requestScreenshot('graph-beside-dag', ['iframe.webview.ready']);

    // An edit: a fifth task after `end`.
    const draws = api.graph.snapshot().draws;
    const target = await vscode.window.showTextDocument(editor.document, { viewColumn: editor.viewColumn, preserveFocus: false });
    const end = editor.document.lineAt(editor.document.lineCount - 1).range.end;
    const edited = Date.now();
    await target.edit((e) => e.insert(end, '\n    notify = DummyOperator(task_id="notify")\n    end >> notify\n'));
    const redrawn = await waitFor('the graph redrawn with the new task', () => {
      const s = api.graph.snapshot();
      return s.draws > draws && s.nodes.includes('notify') ? s : undefined;
    }, { lastSeen: () => JSON.stringify(api.graph.snapshot()) });
    recordMetric('graph redraw after an edit (ms)', redrawn.drawnAt - edited);
    assert.ok(redrawn.drawnAt - edited < 1000, 'redrawn promptly (200 ms on an idle machine; generous for a loaded CI)');
    assert.equal(redrawn.nodes.length, 5);
    assert.equal(redrawn.edges, 5);

    // A node click's message moves the cursor to the task's definition.
    await api.graph.receive({ type: 'reveal', taskId: 'process_data' });
    const definition = positionOf(editor.document, 'process_data = PythonOperator(').line;
    await waitFor('the cursor on process_data', () =>
      vscode.window.activeTextEditor?.document.uri.toString() === uri && vscode.window.activeTextEditor.selection.active.line === definition ? true : undefined,
    );

    // The cursor in a task's code highlights its node.
    const active = vscode.window.activeTextEditor;
    assert.ok(active);
    const inside = positionOf(active.document, 'bash_command=', 2);
    active.selection = new vscode.Selection(inside, inside);
    await waitFor('run_script highlighted', () => (api.graph.snapshot().highlighted === 'run_script' ? true : undefined));

    // Focus on a task's neighbourhood: laid out again with only those tasks; then the whole DAG again.
    await api.graph.receive({ type: 'focus', taskId: 'start', depth: 1 });
    await waitFor('the neighbourhood of start', () => (api.graph.snapshot().nodes.length === 3 ? true : undefined), { lastSeen: () => JSON.stringify(api.graph.snapshot()) });
    assert.deepEqual([...api.graph.snapshot().nodes].sort(), ['process_data', 'run_script', 'start']);
    await api.graph.receive({ type: 'focus', taskId: null, depth: 1 });
    await waitFor('the whole DAG again', () => (api.graph.snapshot().nodes.length === 5 ? true : undefined));

    // Run states as the run engine will send them, in a picture.
    api.graph.showRunStates('example_vortex_dag', [
      { taskId: 'start', state: 'success', durationMs: 40 },
      { taskId: 'run_script', state: 'success', durationMs: 1200 },
      { taskId: 'process_data', state: 'failed', durationMs: 800, stdout: '', stderr: 'Traceback (most recent call last): ...' },
      { taskId: 'end', state: 'upstream_failed' },
      { taskId: 'notify', state: 'upstream_failed' },
    ], true);
    if (saved) await requestScreenshot('graph-run-states', ['iframe.webview.ready']);

    // A message the webview could never send is refused, not acted on.
    await api.graph.receive({ type: 'reveal', taskId: 42 });
    await api.graph.receive({ type: 'exportSvg', svg: 'not svg' });

    // The graph follows the active DAG file.
    const other = await openFile('examples/etl_pipeline.py');
    await waitFor('the graph of etl_pipeline.py', () => {
      const s = api.graph.snapshot();
      return s.uri === other.document.uri.toString() && s.nodes.length > 0 ? s : undefined;
    }, { lastSeen: () => JSON.stringify(api.graph.snapshot()) });

    if (!saved) this.skip();
  });

  it('puts a "Show graph" lens above each DAG, naming the command', async () => {
    const editor = await openFile('examples/example_vortex_dag.py');
    const lenses = await waitFor('the Show graph lens', async () => {
      const all = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', editor.document.uri);
      const found = all?.filter((l) => l.command?.title === 'Show graph');
      return found && found.length > 0 ? found : undefined;
    });
    assert.equal(lenses.length, 1);
    assert.equal(lenses[0].command?.command, SHOW_GRAPH);
    assert.deepEqual(lenses[0].command?.arguments?.[1], 0);
  });
});
