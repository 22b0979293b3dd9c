/**
 * The `vortex` debug type's configuration: what a launch may say, the debugpy
 * attach it resolves to, the plan change that runs a task under debugpy, the
 * install command, and the manifest that describes all of it to VS Code. The
 * debugpy probe runs a real interpreter.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  debugpyArgs,
  debugpyAttach,
  debuggablePlan,
  installCommand,
  isDebugpyAttach,
  NotDebuggable,
  parseLaunch,
  type VortexLaunch,
} from '../../../client/src/debug/debugConfiguration';
import { probeDebugpy } from '../../../client/src/debug/debugpyProbe';
import { Commands } from '../../../core/commands';
import type { RunPlan } from '../../../core/run/scheduler';
import { analyse } from '../../../core/analysis/analyse';
import { loadPython } from '../../../core/analysis/parser';
import { planFromModel } from '../../../core/run/scheduler';
import { FIXTURES, scratchDir, SDK } from '../../support/execution';

const TASKS_DAG = path.join(FIXTURES, 'tasks_dag.py');

/** The run service's plan for tasks of the execution fixture, as "▶ Run task" (one task) or "Run DAG" (all) makes it. */
async function planOf(taskId: string | null): Promise<RunPlan> {
  await loadPython();
  const analysis = analyse(readFileSync(TASKS_DAG, 'utf8'));
  const context = { dagFilePath: TASKS_DAG, runId: 'run-1', sdkPath: SDK, timeoutSeconds: 30 };
  return planFromModel(analysis, analysis.dags[0], context, taskId === null ? { kind: 'dag' } : { kind: 'task', taskId });
}

const manifest = JSON.parse(readFileSync(path.resolve(__dirname, '../../../package.json'), 'utf8')) as {
  activationEvents: string[];
  contributes: {
    debuggers: {
      type: string;
      when?: string;
      configurationAttributes: { launch: { properties: Record<string, unknown> } };
      configurationSnippets: { body: Record<string, unknown> }[];
    }[];
    menus: { commandPalette: { command: string; when?: string }[] };
  };
};

describe('the vortex debug configuration', () => {
  it('reads a launch: the file is required, the DAG and task may be left to the editor, justMyCode defaults to true', () => {
    assert.deepEqual(parseLaunch({ type: 'vortex', request: 'launch', file: '/w/dags/etl.py', dag: 'etl', task: 'load' }), {
      file: '/w/dags/etl.py',
      dag: 'etl',
      task: 'load',
      logicalDate: null,
      justMyCode: true,
      withUpstream: false,
      xcomFrom: null,
    });
    assert.deepEqual(parseLaunch({ file: '/w/etl.py', dag: '', task: null, justMyCode: false, logicalDate: '2025-01-31', withUpstream: true }), {
      file: '/w/etl.py',
      dag: null,
      task: null,
      logicalDate: '2025-01-31',
      justMyCode: false,
      withUpstream: true,
      xcomFrom: null,
    });
    assert.equal((parseLaunch({ file: '/w/etl.py', dag: 'etl', task: 'load', xcomFrom: 'latest' }) as { xcomFrom: string }).xcomFrom, 'latest');
  });

  it('says what is wrong with a launch it cannot use', () => {
    assert.match((parseLaunch({ task: 'load' }) as { problem: string }).problem, /names no DAG file: set "file"/);
    assert.match((parseLaunch({ file: '/w/etl.py', task: 3 }) as { problem: string }).problem, /"task" must be a string/);
    assert.match((parseLaunch({ file: '/w/etl.py', justMyCode: 'yes' }) as { problem: string }).problem, /"justMyCode" must be true or false/);
    assert.match((parseLaunch({ file: '/w/etl.py', withUpstream: 1 }) as { problem: string }).problem, /"withUpstream" must be true or false/);
    for (const date of ['yesterday', '2025-13-45', '31/01/2025']) {
      assert.match((parseLaunch({ file: '/w/etl.py', logicalDate: date }) as { problem: string }).problem, /"logicalDate" must be an ISO 8601 date/, date);
    }
    assert.ok(!('problem' in parseLaunch({ file: '/w/etl.py', logicalDate: '2025-01-31T06:00:00+00:00' })));
    // An earlier run's XComs come with that run's date and upstream results: neither may be asked for besides.
    for (const other of [{ withUpstream: true }, { logicalDate: '2025-01-31' }]) {
      assert.match((parseLaunch({ file: '/w/etl.py', dag: 'etl', task: 'load', xcomFrom: 'latest', ...other }) as { problem: string }).problem, /"xcomFrom" runs the task again in an earlier run/);
    }
    assert.match((parseLaunch({ file: '/w/etl.py', xcomFrom: 'latest' }) as { problem: string }).problem, /"xcomFrom" needs "dag" and "task"/);
  });

  it('resolves a launch into a debugpy attach that listens on loopback, on a port the adapter picks', () => {
    const launch = parseLaunch({ file: '/w/etl.py', dag: 'etl', task: 'load' }) as VortexLaunch;
    const attach = debugpyAttach('Debug load', launch, '/venv/bin/python');
    assert.deepEqual(attach, {
      type: 'vortex',
      request: 'attach',
      name: 'Debug load',
      listen: { host: '127.0.0.1', port: 0 },
      justMyCode: true,
      vortex: { ...launch, python: '/venv/bin/python' },
    });
    assert.ok(isDebugpyAttach({ ...attach }), 'a restart hands it back as it was');
    assert.ok(!isDebugpyAttach({ type: 'vortex', request: 'launch', file: '/w/etl.py' }));
    assert.ok(!isDebugpyAttach({ type: 'vortex', request: 'attach', vortex: { file: '/w/etl.py' } }));
  });

  it('runs the task under debugpy connected to the adapter, waiting for its breakpoints, without a time limit', async () => {
    const planned = await planOf('show_args');
    const { spec } = planned.tasks[0];
    const plan = debuggablePlan(planned, 'show_args', debugpyArgs('127.0.0.1', 41234));
    assert.deepEqual(plan.tasks[0].spec.runnerPrefix, [
      '-Xfrozen_modules=off',
      '-m',
      'debugpy',
      '--connect',
      '127.0.0.1:41234',
      '--wait-for-client',
      '--configure-subProcess',
      'false',
    ]);
    assert.equal(plan.tasks[0].spec.timeoutSeconds, Number.POSITIVE_INFINITY);
    // Everything else is the run's own: the same payload, interpreter, secrets and folder.
    assert.deepEqual({ ...plan.tasks[0].spec, runnerPrefix: undefined, timeoutSeconds: 30 }, { ...spec, runnerPrefix: undefined });
    assert.equal(spec.runnerPrefix, undefined, 'the plan given is left as it was');
  });

  it('refuses to debug a task that calls no Python, pointing a Bash task to the terminal', async () => {
    const bash = await planOf('computed_bash');
    assert.throws(() => debuggablePlan(bash, 'computed_bash', []), (error: unknown) => {
      assert.ok(error instanceof NotDebuggable);
      assert.equal(error.message, 'task "computed_bash" is a BashOperator task, which calls no Python function to debug: run it with "Run in terminal" instead');
      return true;
    });
    assert.throws(() => debuggablePlan(bash, 'elsewhere', []), /^NotDebuggable: no task "elsewhere" in the plan of DAG "tasks"$/);
  });

  it('debugs the chosen task of a plan with more, leaving the others to run as they would', async () => {
    const whole = await planOf(null);
    const plan = debuggablePlan(whole, 'greet', ['-X', 'dev']);
    for (const [i, task] of plan.tasks.entries()) {
      if (task.spec.taskId === 'greet') assert.deepEqual(task.spec.runnerPrefix, ['-X', 'dev']);
      else assert.equal(task, whole.tasks[i], task.spec.taskId);
    }
  });

  it('words the install command so that it can be pasted into a shell', () => {
    assert.equal(installCommand('/home/me/.venv/bin/python'), '/home/me/.venv/bin/python -m pip install debugpy');
    assert.equal(installCommand("/home/me/My Envs/it's/python3"), "'/home/me/My Envs/it'\\''s/python3' -m pip install debugpy");
  });
});

describe('probing an interpreter for debugpy (real processes)', () => {
  let scratch: { dir: string; remove: () => void };
  let pythonPathBefore: string | undefined;

  before(() => {
    scratch = scratchDir();
    pythonPathBefore = process.env.PYTHONPATH;
  });
  afterEach(() => {
    if (pythonPathBefore === undefined) delete process.env.PYTHONPATH;
    else process.env.PYTHONPATH = pythonPathBefore;
  });
  after(() => scratch.remove());

  /** A `debugpy` package ahead of any installed one on PYTHONPATH. */
  function standIn(name: string, source: string): string {
    const dir = path.join(scratch.dir, name);
    mkdirSync(path.join(dir, 'debugpy'), { recursive: true });
    writeFileSync(path.join(dir, 'debugpy', '__init__.py'), source);
    return dir;
  }

  it('finds debugpy and its version', async () => {
    process.env.PYTHONPATH = standIn('present', '__version__ = "1.8.99"\n');
    assert.deepEqual(await probeDebugpy('python3'), { status: 'present', version: '1.8.99' });
  });

  it('says it is missing when the interpreter cannot import it', async () => {
    process.env.PYTHONPATH = standIn('missing', 'raise ImportError("No module named debugpy")\n');
    assert.deepEqual(await probeDebugpy('python3'), { status: 'missing' });
  });

  it('says when the interpreter does not run at all', async () => {
    const probe = await probeDebugpy('/nonexistent/bin/python3');
    assert.equal(probe.status, 'noInterpreter');
    assert.match(probe.status === 'noInterpreter' ? probe.reason : '', /^\/nonexistent\/bin\/python3 could not be started \(ENOENT\)$/);
  });
});

describe('the manifest: debugging', () => {
  const [debuggerEntry] = manifest.contributes.debuggers;

  it('contributes the vortex debug type, with the attributes a launch is read with, only in trusted workspaces', () => {
    assert.equal(debuggerEntry.type, 'vortex');
    assert.equal(debuggerEntry.when, 'isWorkspaceTrusted');
    assert.ok(manifest.activationEvents.includes('onDebugResolve:vortex'));
    const attributes = Object.keys(debuggerEntry.configurationAttributes.launch.properties).sort();
    assert.deepEqual(attributes, ['dag', 'file', 'justMyCode', 'logicalDate', 'task', 'withUpstream', 'xcomFrom']);
    // Every attribute the manifest describes is one parseLaunch reads back.
    const launch = parseLaunch({ file: '/w/etl.py', dag: 'etl', task: 'load', logicalDate: '2025-01-01', justMyCode: false, withUpstream: true });
    assert.ok(!('problem' in launch));
    assert.deepEqual(Object.keys(launch).sort(), attributes);
  });

  it('offers a launch.json snippet naming the DAG, the task and the logical date', () => {
    const [snippet] = debuggerEntry.configurationSnippets;
    assert.equal(snippet.body.type, 'vortex');
    assert.equal(snippet.body.request, 'launch');
    for (const key of ['file', 'dag', 'task', 'logicalDate']) assert.ok(key in snippet.body, key);
  });

  it('offers Debug Task and Run Task in Terminal on DAG files in trusted workspaces only', () => {
    const palette = new Map(manifest.contributes.menus.commandPalette.map((e) => [e.command, e.when ?? '']));
    for (const id of [Commands.debugTask, Commands.runTaskInTerminal]) {
      assert.match(palette.get(id) ?? '', /vortex\.isDagFile/, id);
      assert.match(palette.get(id) ?? '', /isWorkspaceTrusted/, id);
    }
  });
});
