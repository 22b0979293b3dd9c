/**
 * Debugging a task in the real VS Code: "Debug task" runs the task through the
 * run path under debugpy (the adapter is `python -m debugpy.adapter` of the
 * interpreter VORTEX runs tasks with, set here to the launcher's environment
 * with debugpy), stops at breakpoints in the callable and in a module beside
 * the DAG file with the callable's arguments as locals, and the run ends
 * success in the run store and the runs view. Everything is read through the
 * `vscode.debug` API and the Debug Adapter Protocol, as a user's debugger sees it.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { DebugCommandResult } from '../../../client/src/debug/debugSessions';
import type { TerminalResult } from '../../../client/src/debug/taskTerminal';
import type { RunCommandResult } from '../../../client/src/runs/runController';
import type { RunEvent } from '../../../core/run/scheduler';
import { Commands } from '../../../core/commands';
import { cleanUp, openFile, requestScreenshot, vortexApi, waitFor, waitForSymbols } from '../support/helpers';

const UNTRUSTED = process.env.VORTEX_TEST_UNTRUSTED === '1';
/** The launcher's interpreter with debugpy (scripts/python-tools.mjs, ensureDebugPython). */
const DEBUG_PYTHON = process.env.VORTEX_TEST_DEBUG_PYTHON;
/** A cold debugpy adapter and debuggee on a loaded 2-core machine. */
const STOP_DEADLINE_MS = 60_000;

interface Stop {
  session: vscode.DebugSession;
  threadId: number;
}

/** The DAP messages of every `vortex` session, as a user's debugger receives them. */
class AdapterWatch implements vscode.Disposable {
  private readonly stops: Stop[] = [];
  private readonly registration: vscode.Disposable;

  constructor() {
    this.registration = vscode.debug.registerDebugAdapterTrackerFactory('vortex', {
      createDebugAdapterTracker: (session) => ({
        onDidSendMessage: (message: { type?: string; event?: string; body?: { reason?: string; threadId?: number } }) => {
          if (message.type === 'event' && message.event === 'stopped' && typeof message.body?.threadId === 'number') {
            this.stops.push({ session, threadId: message.body.threadId });
          }
        },
      }),
    });
  }

  /** The next stop not yet taken. */
  nextStop(): Promise<Stop> {
    return waitFor('the debugger to stop at a breakpoint', () => this.stops.shift(), { deadlineMs: STOP_DEADLINE_MS, intervalMs: 100 });
  }

  dispose(): void {
    this.registration.dispose();
  }
}

interface Frame {
  id: number;
  line: number;
  name: string;
  source?: { path?: string };
}

/** Where the thread stopped, and the top frame's locals as debugpy shows them (`repr`). */
async function stoppedAt(stop: Stop): Promise<{ file: string; line: number; name: string; frameId: number; locals: Record<string, string> }> {
  const trace = (await stop.session.customRequest('stackTrace', { threadId: stop.threadId, startFrame: 0, levels: 1 })) as { stackFrames: Frame[] };
  const [frame] = trace.stackFrames;
  const { scopes } = (await stop.session.customRequest('scopes', { frameId: frame.id })) as { scopes: { name: string; variablesReference: number }[] };
  const localScope = scopes.find((s) => s.name === 'Locals');
  assert.ok(localScope, `no Locals scope among ${scopes.map((s) => s.name).join(', ')}`);
  const { variables } = (await stop.session.customRequest('variables', { variablesReference: localScope.variablesReference })) as {
    variables: { name: string; value: string }[];
  };
  return { file: localPath(frame.source?.path ?? ''), line: frame.line, name: frame.name, frameId: frame.id, locals: Object.fromEntries(variables.map((v) => [v.name, v.value])) };
}

/** A frame's source as a path: a remote workbench names it by URI (`vscode-remote://host/tmp/...`). */
function localPath(source: string): string {
  return /^[a-z][\w+.-]*:\/\//i.test(source) ? vscode.Uri.parse(source).path : source;
}

/** The 1-based line of `marker` in the file. */
function lineOf(file: string, marker: string): number {
  const index = fs.readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes(marker));
  assert.ok(index >= 0, `no "${marker}" in ${file}`);
  return index + 1;
}

function breakpointAt(uri: vscode.Uri, line: number): vscode.SourceBreakpoint {
  return new vscode.SourceBreakpoint(new vscode.Location(uri, new vscode.Position(line - 1, 0)));
}

type Finished = Extract<RunCommandResult, { outcome: 'finished' }>;

function finished(result: DebugCommandResult | undefined): Finished {
  assert.ok(result, 'the command returned nothing');
  assert.equal(result.outcome, 'finished', 'reason' in result ? `${result.outcome}: ${result.reason}` : '');
  return result as Finished;
}

describe('debugging a task', function () {
  this.timeout(180_000);
  const watch = new AdapterWatch();
  let interpreterBefore: unknown;

  before(async function () {
    if (UNTRUSTED) this.skip();
    assert.ok(DEBUG_PYTHON, 'the launcher sets VORTEX_TEST_DEBUG_PYTHON to an interpreter with debugpy');
    const config = vscode.workspace.getConfiguration('vortex.python');
    interpreterBefore = config.inspect('interpreter')?.workspaceValue;
    await config.update('interpreter', DEBUG_PYTHON, vscode.ConfigurationTarget.Workspace);
  });
  afterEach(async () => {
    // A failed test must not leave a session stopped at a breakpoint for the next.
    await vscode.debug.stopDebugging();
  });
  after(async () => {
    watch.dispose();
    vscode.debug.removeBreakpoints(vscode.debug.breakpoints);
    if (!UNTRUSTED) await vscode.workspace.getConfiguration('vortex.python').update('interpreter', interpreterBefore, vscode.ConfigurationTarget.Workspace);
    await cleanUp();
  });

  it('offers "Debug task" beside "▶ Run task" for a PythonOperator, and "Run in terminal" for a BashOperator', async () => {
    const { document } = await openFile('debugging/order_pipeline.py');
    await waitForSymbols(document.uri);
    const lenses = await waitFor('the debug and terminal lenses', async () => {
      const all = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', document.uri);
      const found = all.filter((l) => l.command?.command === Commands.debugTask || l.command?.command === Commands.runTaskInTerminal);
      return found.length === 3 ? found : undefined;
    });
    assert.deepEqual(
      lenses.map((l) => [document.lineAt(l.range.start.line).text.trim(), l.command?.title, l.command?.arguments?.slice(1)]),
      [
        ['price = PythonOperator(', 'Debug task', ['order_pipeline', 'price_order']],
        ['announce = BashOperator(task_id="announce", bash_command=\'echo "priced by $VORTEX_DAG_ID"\')', 'Run in terminal', ['order_pipeline', 'announce']],
        ['archive = BashOperator(task_id="archive", bash_command="echo " + " ".join(["archived", "A-17"]))', 'Run in terminal', ['order_pipeline', 'archive']],
      ],
    );
  });

  it('stops in the PythonOperator callable and in a module beside the DAG file with the op_kwargs as locals; continuing ends the task as success, recorded in the runs view (screenshot)', async () => {
    const api = await vortexApi();
    const { document } = await openFile('debugging/order_pipeline.py');
    await waitForSymbols(document.uri);
    const helper = vscode.Uri.file(path.join(path.dirname(document.uri.fsPath), 'pricing.py'));
    const callableLine = lineOf(document.uri.fsPath, '# stop here');
    const helperLine = lineOf(helper.fsPath, 'taxed = amount');
    vscode.debug.addBreakpoints([breakpointAt(document.uri, callableLine), breakpointAt(helper, helperLine)]);

    const lens = await waitFor('the Debug task lens', async () =>
      (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', document.uri)).find((l) => l.command?.command === Commands.debugTask),
    );
    const command = lens.command as vscode.Command;
    const done = vscode.commands.executeCommand<DebugCommandResult>(command.command, ...(command.arguments ?? []));

    const first = await watch.nextStop();
    assert.equal(first.session.type, 'vortex');
    const inCallable = await stoppedAt(first);
    assert.equal(inCallable.file, document.uri.fsPath);
    assert.equal(inCallable.line, callableLine);
    assert.equal(inCallable.name, 'price_order');
    assert.equal(inCallable.locals.order_id, "'A-17'");
    assert.equal(inCallable.locals.quantity, '3');
    assert.equal(inCallable.locals.unit_price, '2.5');
    assert.equal(inCallable.locals.subtotal, '7.5');
    // The task runs with the run's environment: which task of which run it is.
    const evaluated = (await first.session.customRequest('evaluate', {
      expression: '__import__("os").environ["VORTEX_TASK_ID"]',
      context: 'repl',
      frameId: inCallable.frameId,
    })) as { result: string };
    assert.equal(evaluated.result, "'price_order'");

    await vscode.commands.executeCommand('workbench.view.debug');
    await vscode.window.showTextDocument(document, { selection: new vscode.Range(callableLine - 1, 0, callableLine - 1, 0) });
    // The Locals are folded until clicked: the picture shows them open.
    await requestScreenshot('debug-stopped-session', ['.debug-toolbar', '.codicon-debug-stackframe', '.monaco-list-row:has-text("unit_price")'], {
      selector: '.monaco-list-row:has-text("Locals")',
      hiddenBefore: [],
    });

    await first.session.customRequest('continue', { threadId: first.threadId });
    const second = await watch.nextStop();
    const inHelper = await stoppedAt(second);
    assert.equal(inHelper.file, helper.fsPath);
    assert.equal(inHelper.line, helperLine);
    assert.equal(inHelper.locals.amount, '7.5');
    assert.equal(inHelper.locals.rate, '0.2');
    await second.session.customRequest('continue', { threadId: second.threadId });

    const run = finished(await done);
    assert.equal(run.result.state, 'success');
    assert.deepEqual(run.result.tasks.map((t) => [t.taskId, t.state]), [['price_order', 'success']]);
    // The task's own output, masked and logged as in any run.
    assert.match(run.transcript, /^\[price_order\] order A-17: 9\.00$/m);
    assert.ok(run.result.runDir, 'the run has a folder in the run store');
    const summary = JSON.parse(fs.readFileSync(path.join(run.result.runDir, 'run.json'), 'utf8')) as { state: string; tasks: { task_id: string; state: string }[] };
    assert.equal(summary.state, 'success');
    assert.deepEqual(summary.tasks.map((t) => [t.task_id, t.state]), [['price_order', 'success']]);
    assert.match(fs.readFileSync(path.join(run.result.runDir, 'price_order.log'), 'utf8'), /order A-17: 9\.00$/m);
    // The view asks for its rows only while it shows.
    await vscode.commands.executeCommand('vortex.runs.focus');
    await waitFor('the runs view listing the debugged run', () => {
      const rows = api.runs.view().rows.order_pipeline ?? [];
      return rows.some((r) => r.tooltip === `run ${run.result.runId}` && /^success · /.test(r.description ?? '')) ? true : undefined;
    }, { lastSeen: () => JSON.stringify(api.runs.view().rows.order_pipeline) });
    await waitFor('the debug session to end', () => (vscode.debug.activeDebugSession === undefined ? true : undefined));
  });

  it('stops in a @task function with the upstream XCom as its argument, from a launch configuration that runs the upstream first, then with the XComs of that run', async function () {
    // Executing the file shows its TaskFlow tasks whatever the static analysis sees.
    const analysis = vscode.workspace.getConfiguration('vortex.analysis');
    const modeBefore = analysis.inspect('mode')?.workspaceValue;
    await analysis.update('mode', 'runtime', vscode.ConfigurationTarget.Workspace);
    try {
      await debugSummarize(this);
    } finally {
      await analysis.update('mode', modeBefore, vscode.ConfigurationTarget.Workspace);
    }
  });

  /** The @task test's body; skipped where the bundled SDK cannot execute a TaskFlow file yet. */
  async function debugSummarize(test: Mocha.Context): Promise<void> {
    const api = await vortexApi();
    const { document } = await openFile('debugging/taskflow_pipeline.py');
    const resolution = await waitFor('the TaskFlow file executed', () =>
      api.runtimeResolutions().find((r) => vscode.Uri.parse(r.uri).toString() === document.uri.toString() && r.status !== null),
    );
    if (resolution.status !== 'resolved') test.skip();
    await waitFor('the Debug task lens of summarize', async () => {
      const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', document.uri);
      return lenses.find((l) => l.command?.command === Commands.debugTask && l.command.arguments?.[2] === 'summarize');
    });

    const line = lineOf(document.uri.fsPath, '# stop here');
    vscode.debug.removeBreakpoints(vscode.debug.breakpoints);
    vscode.debug.addBreakpoints([breakpointAt(document.uri, line)]);
    let finishedRun: Extract<RunEvent, { type: 'run-finished' }> | undefined;
    const listener = api.runs.onRunEvent((event) => {
      if (event.type === 'run-finished' && event.result.dagId === 'taskflow_pipeline') finishedRun = event;
    });
    try {
      // What a launch.json entry of the snippet's shape starts (F5).
      const started = await vscode.debug.startDebugging(vscode.workspace.getWorkspaceFolder(document.uri), {
        type: 'vortex',
        request: 'launch',
        name: 'Debug summarize',
        file: document.uri.fsPath,
        dag: 'taskflow_pipeline',
        task: 'summarize',
        withUpstream: true,
      });
      assert.ok(started, 'the session started');
      const stop = await watch.nextStop();
      const at = await stoppedAt(stop);
      assert.equal(at.file, document.uri.fsPath);
      assert.equal(at.line, line);
      assert.equal(at.name, 'summarize');
      // extract ran first, without the debugger; its return value arrived as the argument.
      assert.equal(at.locals.payload, "{'rows': 4}");
      assert.equal(at.locals.label, "'rows'");
      await stop.session.customRequest('continue', { threadId: stop.threadId });
      const run = await waitFor('the run to finish', () => finishedRun, { deadlineMs: STOP_DEADLINE_MS });
      assert.equal(run.result.state, 'success');
      assert.deepEqual(run.result.tasks.map((t) => [t.taskId, t.state]), [['extract', 'success'], ['summarize', 'success']]);

      // Again, alone, with the XComs of that run: extract is not run, its stored result is the argument.
      finishedRun = undefined;
      const again = await vscode.debug.startDebugging(vscode.workspace.getWorkspaceFolder(document.uri), {
        type: 'vortex',
        request: 'launch',
        name: 'Debug summarize with the latest run',
        file: document.uri.fsPath,
        dag: 'taskflow_pipeline',
        task: 'summarize',
        xcomFrom: 'latest',
      });
      assert.ok(again, 'the second session started');
      const second = await watch.nextStop();
      const secondAt = await stoppedAt(second);
      assert.equal(secondAt.line, line);
      assert.equal(secondAt.locals.payload, "{'rows': 4}");
      await second.session.customRequest('continue', { threadId: second.threadId });
      const rerun = await waitFor('the second run to finish', () => finishedRun, { deadlineMs: STOP_DEADLINE_MS });
      assert.equal(rerun.result.state, 'success');
      assert.equal(rerun.result.tasks.find((t) => t.taskId === 'summarize')?.state, 'success');
    } finally {
      listener.dispose();
    }
  }

  it('ends the session with the run when the debugged task never starts (its upstream failed)', async () => {
    const api = await vortexApi();
    const { document } = await openFile('debugging/broken_upstream.py');
    await waitForSymbols(document.uri);
    let finishedRun: Extract<RunEvent, { type: 'run-finished' }> | undefined;
    const listener = api.runs.onRunEvent((event) => {
      if (event.type === 'run-finished' && event.result.dagId === 'broken_upstream') finishedRun = event;
    });
    try {
      const started = vscode.debug.startDebugging(vscode.workspace.getWorkspaceFolder(document.uri), {
        type: 'vortex',
        request: 'launch',
        name: 'Debug summary',
        file: document.uri.fsPath,
        dag: 'broken_upstream',
        task: 'summary',
        withUpstream: true,
      });
      const run = await waitFor('the run to finish', () => finishedRun, { deadlineMs: STOP_DEADLINE_MS });
      assert.deepEqual(run.result.tasks.map((t) => [t.taskId, t.state]), [['fetch', 'failed'], ['summary', 'upstream_failed']]);
      // The adapter waited for a task that will never connect: the session ends rather than wait for ever.
      await started;
      await waitFor('the debug session to end', () => (vscode.debug.activeDebugSession === undefined ? true : undefined));
    } finally {
      listener.dispose();
    }
  });

  it('refuses to debug a Bash task, and runs it in a terminal with the task\'s environment', async () => {
    const { document } = await openFile('debugging/order_pipeline.py');
    await waitForSymbols(document.uri);
    const refused = await vscode.commands.executeCommand<DebugCommandResult>(Commands.debugTask, document.uri.toString(), 'order_pipeline', 'announce');
    assert.equal(refused?.outcome, 'refused');
    assert.match(refused && 'reason' in refused ? refused.reason : '', /task "announce" is a BashOperator task.*Run in terminal/);
    await waitFor('the refused session to end', () => (vscode.debug.activeDebugSession === undefined ? true : undefined));

    const started = await vscode.commands.executeCommand<TerminalResult>(Commands.runTaskInTerminal, document.uri.toString(), 'order_pipeline', 'announce');
    assert.equal(started?.outcome, 'started');
    const { terminal } = started as Extract<TerminalResult, { outcome: 'started' }>;
    const options = terminal.creationOptions as vscode.TerminalOptions;
    assert.equal(options.shellPath, 'sh');
    assert.deepEqual(options.shellArgs, ['-c', 'echo "priced by $VORTEX_DAG_ID"']);
    assert.equal(options.env?.VORTEX_DAG_ID, 'order_pipeline');
    assert.equal(options.env?.VORTEX_TASK_ID, 'announce');
    assert.equal(options.cwd, path.dirname(document.uri.fsPath));
    const status = await waitFor('the command to end in its terminal', () => terminal.exitStatus);
    assert.equal(status.code, 0);
    terminal.dispose();

    // A command the DAG file computes: the SDK's runner, with the interpreter a run uses, reads and runs it.
    const computed = await vscode.commands.executeCommand<TerminalResult>(Commands.runTaskInTerminal, document.uri.toString(), 'order_pipeline', 'archive');
    assert.equal(computed?.outcome, 'started');
    const runner = (computed as Extract<TerminalResult, { outcome: 'started' }>).terminal;
    const runnerOptions = runner.creationOptions as vscode.TerminalOptions;
    assert.equal(runnerOptions.shellPath, DEBUG_PYTHON);
    const args = runnerOptions.shellArgs as string[];
    assert.deepEqual(args.slice(0, 3), ['-u', '-m', 'vortex._runner']);
    const payloadFile = args[3];
    assert.equal(JSON.parse(fs.readFileSync(payloadFile, 'utf8')).mode, 'bash');
    assert.equal((await waitFor('the computed command to end in its terminal', () => runner.exitStatus)).code, 0);
    runner.dispose();
    await waitFor('the payload folder to be removed once its terminal closed', () => (fs.existsSync(path.dirname(payloadFile)) ? undefined : true));
  });
});

describe('debugging in Restricted Mode (an untrusted workspace)', () => {
  before(function () {
    if (!UNTRUSTED) this.skip();
  });
  after(cleanUp);

  it('offers no Debug task or Run in terminal lens, and the command refuses, saying how to trust the folder', async () => {
    assert.equal(vscode.workspace.isTrusted, false);
    const { document } = await openFile('examples/example_vortex_dag.py');
    await waitForSymbols(document.uri);
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', document.uri);
    assert.ok(lenses.length > 0, 'the informational lenses show');
    assert.deepEqual(lenses.filter((l) => l.command?.command === Commands.debugTask || l.command?.command === Commands.runTaskInTerminal), []);
    const result = await vscode.commands.executeCommand<DebugCommandResult>(Commands.debugTask, document.uri.toString(), 'example_vortex_dag', 'process_data');
    assert.equal(result?.outcome, 'refused');
    assert.match(result && 'reason' in result ? result.reason : '', /only in a trusted workspace.*Manage Workspace Trust/s);
    assert.equal(vscode.debug.activeDebugSession, undefined);
  });
});
