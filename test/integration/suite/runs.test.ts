/**
 * Running DAGs and tasks in the real VS Code: through the run lenses and the
 * commands, with secrets from SecretStorage, failures that stay inside their
 * run, Stop Run, and the history. Real processes throughout (sh, python3).
 *
 * The run commands resolve to the run's result and the text they wrote to the
 * "VORTEX Runs" output channel (an extension cannot read another's channel).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunCommandResult } from '../../../client/src/runs/runController';
import { Commands } from '../../../core/commands';
import { cleanUp, openFile, requestScreenshot, vortexApi, waitFor, waitForSymbols, workspaceFile } from '../support/helpers';

const UNTRUSTED = process.env.VORTEX_TEST_UNTRUSTED === '1';
const RUN_TITLES = ['▶ Run DAG', '▶ Run task'];

type Finished = Extract<RunCommandResult, { outcome: 'finished' }>;

function finished(result: RunCommandResult | undefined): Finished {
  assert.ok(result, 'the command returned nothing');
  assert.equal(result.outcome, 'finished', result.outcome === 'refused' ? `refused: ${result.reason}` : '');
  return result as Finished;
}

/** A task log without the time each line starts with. */
function withoutTimes(log: string): string {
  return log.replace(/^\[\d\d:\d\d:\d\d\.\d{3}\] /gm, '');
}

function states(result: Finished): Record<string, string> {
  return Object.fromEntries(result.result.tasks.map((t) => [t.taskId, t.state]));
}

async function runLenses(uri: vscode.Uri): Promise<vscode.CodeLens[]> {
  const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri);
  return lenses.filter((l) => l.command && RUN_TITLES.includes(l.command.title));
}

/** Opens a DAG file and waits until the server has analysed it. */
async function openDag(relative: string): Promise<vscode.TextDocument> {
  const { document } = await openFile(relative);
  await waitForSymbols(document.uri);
  return document;
}

describe('running DAGs and tasks', () => {
  before(function () {
    if (UNTRUSTED) this.skip();
  });
  after(async () => {
    await vscode.commands.executeCommand(Commands.deleteSecret, 'VORTEX_IT_TOKEN');
    await cleanUp();
  });

  it('shows "▶ Run DAG" above the DAG and "▶ Run task" above each task', async () => {
    const document = await openDag('examples/example_vortex_dag.py');
    const lenses = await waitFor('the run lenses', async () => {
      const found = await runLenses(document.uri);
      return found.length === 5 ? found : undefined;
    });
    const byLine = lenses.map((l) => [document.lineAt(l.range.start.line).text.trim(), l.command?.title]);
    assert.deepEqual(byLine, [
      ['with DAG(', '▶ Run DAG'],
      ['start = DummyOperator(task_id="start")', '▶ Run task'],
      ['run_script = BashOperator(', '▶ Run task'],
      ['process_data = PythonOperator(', '▶ Run task'],
      ['end = DummyOperator(task_id="end")', '▶ Run task'],
    ]);
    for (const lens of lenses) assert.ok([Commands.runDag, Commands.runTask].includes(lens.command?.command as typeof Commands.runDag));
  });

  it('runs the example DAG through its lens: every task succeeds and the output channel shows their output', async () => {
    const document = await openDag('examples/example_vortex_dag.py');
    const [dagLens] = await waitFor('the Run DAG lens', async () => {
      const found = (await runLenses(document.uri)).filter((l) => l.command?.command === Commands.runDag);
      return found.length === 1 ? found : undefined;
    });
    const command = dagLens.command as vscode.Command;
    const run = finished(await vscode.commands.executeCommand<RunCommandResult>(command.command, ...(command.arguments ?? [])));
    assert.equal(run.result.state, 'success');
    assert.deepEqual(states(run), { start: 'success', run_script: 'success', process_data: 'success', end: 'success' });
    assert.match(run.transcript, /^\[run_script\] Hello from VORTEX!$/m);
    assert.match(run.transcript, /^\[process_data\] Executing custom logic!$/m);
    assert.match(run.transcript, /^✔ end: success \(\d/m);
    assert.match(run.transcript, /^DAG "example_vortex_dag" success in .*: 4 tasks, 4 success$/m);
    // The history keeps the run: its folder, a summary and one log per task.
    assert.ok(run.result.runDir && fs.existsSync(path.join(run.result.runDir, 'run.json')));
    assert.equal(withoutTimes(fs.readFileSync(path.join(run.result.runDir, 'run_script.log'), 'utf8')), "[vortex] running: echo 'Hello from VORTEX!'\nHello from VORTEX!\n");
  });

  it('runs one task alone from its lens', async () => {
    const document = await openDag('examples/example_vortex_dag.py');
    const lens = await waitFor('the lens of process_data', async () =>
      (await runLenses(document.uri)).find((l) => l.command?.arguments?.[2] === 'process_data'),
    );
    const command = lens.command as vscode.Command;
    const run = finished(await vscode.commands.executeCommand<RunCommandResult>(command.command, ...(command.arguments ?? [])));
    assert.deepEqual(states(run), { process_data: 'success' });
  });

  it('runs a task with everything upstream of it', async () => {
    const document = await openDag('examples/example_vortex_dag.py');
    const run = finished(await vscode.commands.executeCommand<RunCommandResult>(Commands.runTaskWithUpstream, document.uri.toString(), 'example_vortex_dag', 'run_script'));
    assert.deepEqual(states(run), { start: 'success', run_script: 'success' });
  });

  it('starts tasks from the spawner, never by forking the extension host', async () => {
    // A fork of the extension host (hundreds of MB) would cost milliseconds a task, with its event loop blocked.
    const file = workspaceFile('who_starts_tasks.py');
    fs.writeFileSync(
      file.fsPath,
      'from vortex import DAG\nfrom vortex.operators.bash import BashOperator\n\nwith DAG(dag_id="who_starts_tasks") as dag:\n    BashOperator(task_id="parent", bash_command="cat /proc/$PPID/comm")\n',
    );
    try {
      await openDag('who_starts_tasks.py');
      const run = finished(await vscode.commands.executeCommand<RunCommandResult>(Commands.runDag, file.toString(), 'who_starts_tasks'));
      assert.deepEqual(states(run), { parent: 'success' });
      assert.match(run.transcript, /^\[parent\] python/m);
    } finally {
      fs.rmSync(file.fsPath, { force: true });
    }
  });

  it('hands a secret set with "VORTEX: Set Secret" to the task and masks it everywhere', async () => {
    const value = 'it-secret-4f9a';
    const document = await openDag('runs/secret_pipeline.py');
    // Before it is set, the task fails naming it and saying what to do.
    await vscode.commands.executeCommand(Commands.deleteSecret, 'VORTEX_IT_TOKEN');
    const missing = finished(await vscode.commands.executeCommand<RunCommandResult>(Commands.runDag, document.uri.toString(), 'secret_pipeline'));
    assert.deepEqual(states(missing), { show: 'failed' });
    assert.match(missing.transcript, /missing secret 'VORTEX_IT_TOKEN'.*Set it with "VORTEX: Set Secret"/);

    assert.equal(await vscode.commands.executeCommand(Commands.setSecret, 'VORTEX_IT_TOKEN', value), 'VORTEX_IT_TOKEN');
    assert.deepEqual(await vscode.commands.executeCommand(Commands.listSecrets), ['VORTEX_IT_TOKEN']);
    const run = finished(await vscode.commands.executeCommand<RunCommandResult>(Commands.runDag, document.uri.toString(), 'secret_pipeline'));
    assert.deepEqual(states(run), { show: 'success' });
    // The length proves the value arrived; the stars that it never shows.
    assert.match(run.transcript, new RegExp(`^\\[show\\] token is \\*\\*\\*, length ${value.length}$`, 'm'));
    const task = run.result.tasks[0].result;
    assert.equal(task?.stdout, `token is ***, length ${value.length}\n`);
    assert.ok(task?.logPath);
    const log = fs.readFileSync(task.logPath, 'utf8');
    for (const text of [run.transcript, JSON.stringify(run.result), log]) assert.ok(!text.includes(value), 'the secret leaked');
  });

  it('marks the downstream of a failed task upstream_failed, lets the other branch finish, and keeps working', async () => {
    const document = await openDag('runs/failing_pipeline.py');
    const run = finished(await vscode.commands.executeCommand<RunCommandResult>(Commands.runDag, document.uri.toString(), 'failing_pipeline'));
    assert.equal(run.result.state, 'failed');
    assert.deepEqual(states(run), { start: 'success', breaks: 'failed', after_break: 'upstream_failed', fine: 'success' });
    assert.match(run.transcript, /^\[breaks stderr\] about to fail$/m);
    assert.match(run.transcript, /^✖ breaks: failed: exited with code 7/m);
    assert.match(run.transcript, /^⊘ after_break: upstream_failed/m);
    // The extension and its server go on: lenses still come, and the next run succeeds.
    assert.ok((await runLenses(document.uri)).length > 0);
    const again = finished(await vscode.commands.executeCommand<RunCommandResult>(Commands.runTask, document.uri.toString(), 'failing_pipeline', 'fine'));
    assert.deepEqual(states(again), { fine: 'success' });
  });

  it('stops a run with "VORTEX: Stop Run": the running task is stopped, the rest skipped', async () => {
    const api = await vortexApi();
    const document = await openDag('runs/slow_pipeline.py');
    const started = Date.now();
    let slowRuns = false;
    const listening = api.runs.onRunEvent((e) => {
      if (e.type === 'task-state' && e.taskId === 'slow' && e.state === 'running') slowRuns = true;
    });
    const pending = vscode.commands.executeCommand<RunCommandResult>(Commands.runDag, document.uri.toString(), 'slow_pipeline');
    // Stopped once its task runs: stopping before would leave nothing running to stop.
    const [runId] = await waitFor('the run to start its task', () => {
      const ids = api.runs.liveRunIds();
      return ids.length > 0 && slowRuns ? ids : undefined;
    });
    listening.dispose();
    assert.equal(await vscode.commands.executeCommand(Commands.stopRun, runId), 1);
    const run = finished(await pending);
    assert.equal(run.result.state, 'cancelled');
    assert.equal(states(run).later, 'skipped');
    assert.equal(run.result.tasks[0].result?.cancelled, true);
    assert.ok(Date.now() - started < 30_000, 'the 60 s task was not stopped');
    assert.deepEqual(api.runs.liveRunIds(), []);
  });

  it('opens a task log of the history in an editor', async () => {
    const document = await openDag('examples/example_vortex_dag.py');
    const run = finished(await vscode.commands.executeCommand<RunCommandResult>(Commands.runTask, document.uri.toString(), 'example_vortex_dag', 'run_script'));
    const logPath = run.result.tasks[0].result?.logPath;
    assert.ok(logPath);
    await vscode.commands.executeCommand(Commands.openRunLog, logPath);
    await waitFor('the log in the active editor', () =>
      vscode.window.activeTextEditor?.document.uri.fsPath === logPath ? true : undefined,
    );
    // Each line with the time it arrived, after the command that ran.
    assert.match(vscode.window.activeTextEditor?.document.getText() ?? '', /^\[\d\d:\d\d:\d\d\.\d{3}\] \[vortex\] running: echo 'Hello from VORTEX!'\n\[\d\d:\d\d:\d\d\.\d{3}\] Hello from VORTEX!\n$/);
  });

  it('offers to add the bundled SDK to python.analysis.extraPaths when Pylance cannot resolve vortex', async () => {
    const api = await vortexApi();
    const document = await openDag('runs/secret_pipeline.py');
    // Pylance is not installed here; its diagnostic is what the extension listens for, so one is published as Pylance would.
    const pylance = vscode.languages.createDiagnosticCollection('pylance-stand-in');
    try {
      const diagnostic = new vscode.Diagnostic(new vscode.Range(2, 5, 2, 11), 'Import "vortex" could not be resolved', vscode.DiagnosticSeverity.Warning);
      diagnostic.source = 'Pylance';
      pylance.set(document.uri, [diagnostic]);
      await waitFor('the offer to add the SDK path', () => (api.runs.sdkPathOffered() ? true : undefined));
    } finally {
      pylance.dispose();
    }
  });

  it('lists the runs in the "VORTEX Runs" view beside the lenses and the run\'s output (screenshot)', async function () {
    const api = await vortexApi();
    const editor = await openFile('examples/example_vortex_dag.py');
    await waitFor('the run lenses', async () => ((await runLenses(editor.document.uri)).length > 0 ? true : undefined));
    const run = finished(await vscode.commands.executeCommand<RunCommandResult>(Commands.runDag, editor.document.uri.toString(), 'example_vortex_dag'));
    // Earlier tests leave folders open and other views expanded; fold the file tree so the runs view has room.
    await vscode.commands.executeCommand('workbench.files.action.collapseExplorerFolders');
    await vscode.commands.executeCommand('vortex.runs.focus');
    // The view asks for its rows only while it shows, and again after each refresh: the run just
    // made among them proves the workbench renders this view from this extension's data.
    const view = await waitFor(
      'the runs view showing the run just made',
      () => {
        const shown = api.runs.view();
        const runs = shown.rows.example_vortex_dag ?? [];
        return shown.visible && runs.some((r) => r.tooltip === `run ${run.result.runId}`) ? shown : undefined;
      },
      { lastSeen: () => JSON.stringify(api.runs.view()) },
    );
    // The DAG just run heads the view, its newest run first.
    assert.equal(view.rows['']?.[0]?.label, 'example_vortex_dag');
    assert.equal(view.rows.example_vortex_dag?.[0]?.tooltip, `run ${run.result.runId}`);
    assert.match(view.rows.example_vortex_dag?.[0]?.description ?? '', /^success · /);

    // From the top, so the "Run DAG" lens is in sight: VS Code reopens a file where its cursor
    // was last (an earlier test leaves it in a task further down).
    const top = new vscode.Range(0, 0, 0, 0);
    const shown = await vscode.window.showTextDocument(editor.document, { preview: false, preserveFocus: false, selection: top });
    shown.revealRange(top, vscode.TextEditorRevealType.AtTop);
    const runsPane = '.pane:has(.pane-header:has-text("VORTEX Runs"))';
    const saved = await requestScreenshot(
      'runs-view-and-output',
      [
        // The DAG just run heads the view's own pane (the Explorer lists the file by a similar name).
        `${runsPane} .monaco-list-row:has-text("example_vortex_dag")`,
        `${runsPane} .monaco-list-row:has-text("success")`,
        '.codelens-decoration:has-text("Run DAG")',
      ],
      undefined,
      { absent: [`${runsPane} .message:has-text("no data provider")`] },
    );
    if (!saved) this.skip();
  });
  it('runs a DAG for a date: templates rendered with the run\'s context, XCom shown per task in the runs view', async () => {
    const api = await vortexApi();
    const document = await openDag('runs/templated_pipeline.py');
    const run = finished(
      await vscode.commands.executeCommand<RunCommandResult>(Commands.runDagForDate, document.uri.toString(), 'templated_pipeline', '2024-03-05', '{"source": "refunds"}'),
    );
    assert.deepEqual(states(run), { count: 'success', report: 'success' });
    const report = run.result.tasks.find((t) => t.taskId === 'report')?.result;
    assert.equal(report?.stdout, '2024-03-05: 42 rows of refunds\n');
    assert.equal(report?.rendered.bash_command, 'echo 2024-03-05: 42 rows of refunds');
    assert.match(run.transcript, /\(run manual__2024-03-05T00:00:00\+00:00\)/);

    await vscode.commands.executeCommand('vortex.runs.focus');
    // The latest run opens with its tasks: their hovers hold the rendered command and the XCom.
    const rows = await waitFor(
      'the run\'s tasks in the runs view',
      () => {
        const shown = api.runs.view();
        const key = Object.keys(shown.rows).find((k) => k === `run:${run.result.runId}`);
        const tasks = key ? shown.rows[key] : undefined;
        // Rows served while the run went on have no hovers yet: wait for those of the finished run.
        return tasks?.length === 2 && tasks.every((t) => t.tooltip) ? tasks : undefined;
      },
      { lastSeen: () => JSON.stringify(api.runs.view()) },
    );
    const [countRow, reportRow] = rows;
    // The hovers are Markdown: read them as the hover shows them.
    const shown = (markdown: string | null) => (markdown ?? '').replace(/&nbsp;/g, ' ').replace(/\\(.)/g, '$1');
    assert.equal(countRow.label, 'count');
    assert.match(shown(countRow.tooltip), /XCom return_value:\n```json\n42\n```/);
    assert.match(shown(countRow.tooltip), /XCom source:\n```json\n"refunds"\n```/);
    assert.equal(reportRow.label, 'report');
    assert.match(shown(reportRow.tooltip), /bash_command \(rendered\):\n```shellscript\necho 2024-03-05: 42 rows of refunds\n```/);
  });


  it('gives tasks the retries of their default_args, and says which settings it cannot read, in the hover and the run', async () => {
    const file = workspaceFile('runs/default_args_retries.py').fsPath;
    fs.copyFileSync(path.join(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'run', 'default_args_retries.py'), file);
    try {
      const document = await openDag('runs/default_args_retries.py');
      const hoverAt = async (text: string) => {
        const position = document.positionAt(document.getText().indexOf(text) + 1);
        const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', document.uri, position);
        return hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : ''))).join('\n');
      };
      assert.match(await hoverAt('"flaky"'), /Retries: 2 \(from default_args\), each after 0 s \(from default_args\)/);
      assert.match(await hoverAt('"second_try"'), /Not readable statically: `retries`, `retry_delay`/);
      const run = finished(await vscode.commands.executeCommand<RunCommandResult>(Commands.runDag, document.uri.toString(), 'flaky_defaults'));
      assert.deepEqual(states(run), { flaky: 'success', flaky_python: 'success', 'publish.once': 'failed', 'report.second_try': 'failed' });
      assert.match(run.transcript, /^Note: static analysis cannot read retries, retry_delay, .* of report\.second_try: the run uses Airflow's defaults for them/m);
      assert.ok(run.result.runDir);
      const log = fs.readFileSync(path.join(run.result.runDir, 'flaky.log'), 'utf8');
      assert.deepEqual(log.match(/bash try \d/g), ['bash try 1', 'bash try 2', 'bash try 3']);
    } finally {
      await cleanUp();
      fs.rmSync(file, { force: true });
    }
  });

  it('runs a failed run\'s failed tasks again from the runs view, keeping the others and their XCom', async () => {
    const document = await openDag('runs/flaky_pipeline.py');
    const flag = path.join(path.dirname(document.uri.fsPath), 'input.flag');
    fs.rmSync(flag, { force: true });
    try {
      const first = finished(await vscode.commands.executeCommand<RunCommandResult>(Commands.runDagForDate, document.uri.toString(), 'flaky_pipeline', '2024-03-05', '{}'));
      assert.deepEqual(states(first), { prepare: 'success', load: 'failed' });
      assert.ok(first.result.runDir);
      fs.writeFileSync(flag, '');
      // The view's context menu hands the command the run's item; its folder names the run.
      const again = finished(await vscode.commands.executeCommand<RunCommandResult>(Commands.runFailedAgain, first.result.runDir));
      assert.equal(again.result.state, 'success');
      assert.deepEqual(states(again), { prepare: 'success', load: 'success' });
      assert.equal(again.result.tasks[0].result, null, 'prepare ran again');
      assert.equal(again.result.tasks[1].result?.stdout, 'loaded prepared 2024-03-05\n');
      assert.match(again.transcript, /DAG "flaky_pipeline" again \(1 of 2 tasks\)/);
    } finally {
      fs.rmSync(flag, { force: true });
    }
  });
});

describe('running in Restricted Mode (an untrusted workspace)', () => {
  before(function () {
    if (!UNTRUSTED) this.skip();
  });
  after(cleanUp);

  it('refuses to run, saying how to trust the folder, and shows no run lenses', async () => {
    assert.equal(vscode.workspace.isTrusted, false);
    const document = await openDag('examples/example_vortex_dag.py');
    const result = await vscode.commands.executeCommand<RunCommandResult>(Commands.runDag, document.uri.toString(), 'example_vortex_dag');
    assert.equal(result?.outcome, 'refused');
    assert.match(result.outcome === 'refused' ? result.reason : '', /trusted workspace.*Manage Workspace Trust/s);
    const api = await vortexApi();
    assert.deepEqual(api.runs.liveRunIds(), []);
    // The informational lens is served, so the server has answered; the run lenses are not among its lenses.
    const all = await waitFor('the task count lens', async () => {
      const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', document.uri);
      return lenses.some((l) => l.command?.title === '4 tasks') ? lenses : undefined;
    });
    assert.deepEqual(all.filter((l) => l.command && RUN_TITLES.includes(l.command.title)), []);
  });

});
