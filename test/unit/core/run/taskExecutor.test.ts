import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { executeTask, type OutputStream } from '../../../../core/run/taskExecutor';
import { specFromModel } from '../../../../core/run/taskSpec';
import { analyse } from '../../../../core/analysis/analyse';
import { loadPython } from '../../../../core/analysis/parser';
import { MapVault } from '../../../../core/run/secrets';
import { bashSpec, FIXTURES, printedPids, processRuns, pythonSpec, scratchDir, withoutTimes } from '../../../support/execution';

const SECRET = 's3cr3t-Value!';
const vault = new MapVault({ API_TOKEN: SECRET });

function runnerDirOf(stdout: string): string {
  const m = /RUNNER_DIR=(.+)/.exec(stdout);
  assert.ok(m, `no RUNNER_DIR line in ${JSON.stringify(stdout)}`);
  return m[1];
}

describe('executeTask: BashOperator', () => {
  it('captures stdout, stderr and the exit code of a failing command', async () => {
    const r = await executeTask(bashSpec('fails', 'echo out; echo err >&2; exit 3'));
    assert.equal(r.state, 'failed');
    assert.equal(r.exitCode, 3);
    assert.equal(r.stdout, 'out\n');
    assert.equal(r.stderr, 'err\n');
    assert.equal(r.timedOut, false);
    assert.equal(r.message, 'exited with code 3');
    assert.ok(r.durationMs > 0);
  });

  it('succeeds with exit code 0 and runs in the DAG folder with the VORTEX_* variables', async () => {
    const r = await executeTask(bashSpec('env', 'printf "%s|%s|%s\\n" "$VORTEX_DAG_ID" "$VORTEX_TASK_ID" "$VORTEX_RUN_ID"; pwd'));
    assert.equal(r.state, 'success');
    assert.equal(r.exitCode, 0);
    assert.equal(r.stdout, `test_dag|env|run-1\n${FIXTURES}\n`);
    assert.equal(r.message, null);
  });

  it('runs in a configured working directory', async () => {
    const scratch = scratchDir();
    try {
      const r = await executeTask(bashSpec('cwd', 'pwd', { cwd: scratch.dir }));
      assert.equal(r.stdout.trim(), scratch.dir);
    } finally {
      scratch.remove();
    }
  });

  it('on timeout stops the whole process group, grandchildren that ignore SIGTERM included', async () => {
    // One background sleep, and one that ignores SIGTERM (SIG_IGN survives exec), so SIGKILL is needed.
    const command = [
      'sleep 30 & echo PID=$!',
      `sh -c 'trap "" TERM; echo PID=$$; exec sleep 30' &`,
      'sleep 30',
    ].join('\n');
    const started = Date.now();
    const r = await executeTask(bashSpec('slow', command, { timeoutSeconds: 1 }), { killGraceMs: 300 });
    const elapsed = Date.now() - started;
    assert.equal(r.state, 'failed');
    assert.equal(r.timedOut, true);
    assert.equal(r.exitCode, null);
    assert.match(r.message ?? '', /timed out after 1 s/);
    const pids = printedPids(r.stdout);
    assert.equal(pids.length, 2, r.stdout);
    for (const pid of pids) assert.equal(processRuns(pid), false, `process ${pid} survived the timeout`);
    assert.ok(elapsed < 1000 + 300 + 1500, `took ${elapsed} ms`);
  });

  it('stops what a task left in the background when its main process ends, and ends promptly', async () => {
    const started = Date.now();
    const r = await executeTask(bashSpec('bg', 'sleep 30 & echo PID=$!; echo done'));
    assert.equal(r.state, 'success');
    assert.ok(Date.now() - started < 3000);
    const [pid] = printedPids(r.stdout);
    assert.equal(processRuns(pid), false);
  });

  it('is cancelled by its AbortSignal, with its process group', async () => {
    const controller = new AbortController();
    const r = await executeTask(bashSpec('cancel', 'sleep 30 & echo PID=$!; wait'), {
      signal: controller.signal,
      onOutput: (_stream, text) => {
        if (text.includes('PID=')) controller.abort();
      },
    });
    assert.equal(r.state, 'failed');
    assert.equal(r.cancelled, true);
    assert.equal(r.timedOut, false);
    const [pid] = printedPids(r.stdout);
    assert.equal(processRuns(pid), false);
  });

  it('does not start when already cancelled', async () => {
    const scratch = scratchDir();
    try {
      const controller = new AbortController();
      controller.abort();
      const r = await executeTask(bashSpec('never', 'touch started', { cwd: scratch.dir }), { signal: controller.signal });
      assert.equal(r.cancelled, true);
      assert.equal(existsSync(path.join(scratch.dir, 'started')), false);
    } finally {
      scratch.remove();
    }
  });

  it('fails, rather than throws, for a command the OS cannot take (a NUL byte)', async () => {
    const r = await executeTask(bashSpec('nul', 'echo a\0b'));
    assert.equal(r.state, 'failed');
    assert.match(r.message ?? '', /^could not start sh: spawn sh: an argument holds a NUL byte/);
  });

  it('reports a missing working directory', async () => {
    const r = await executeTask(bashSpec('nowhere', 'true', { cwd: '/nonexistent/vortex' }));
    assert.equal(r.state, 'failed');
    assert.match(r.message ?? '', /working directory \/nonexistent\/vortex does not exist/);
  });
});

describe('executeTask: secrets', () => {
  it('injects secrets as environment variables and masks them in the stream, the log and the result', async () => {
    const scratch = scratchDir();
    try {
      const logPath = path.join(scratch.dir, 'task.log');
      // The second value is printed in two writes with a pause between, so it arrives split across chunks.
      const half = Math.floor(SECRET.length / 2);
      const command = [
        'echo "token=$API_TOKEN"',
        'echo "err: $API_TOKEN" >&2',
        `printf '%s' "${SECRET.slice(0, half)}"`,
        'sleep 0.2',
        `printf '%s\\n' "${SECRET.slice(half)}"`,
      ].join('; ');
      const chunks: Record<OutputStream, string[]> = { stdout: [], stderr: [] };
      const r = await executeTask(bashSpec('secret', command, { secretNames: ['API_TOKEN'] }), {
        vault,
        logPath,
        onOutput: (stream, text) => chunks[stream].push(text),
      });
      assert.equal(r.state, 'success');
      assert.equal(r.stdout, 'token=***\n***\n');
      assert.equal(r.stderr, 'err: ***\n');
      const streamed = chunks.stdout.join('') + chunks.stderr.join('');
      assert.ok(!streamed.includes(SECRET) && streamed.includes('***'));
      const log = readFileSync(logPath, 'utf8');
      assert.ok(!log.includes(SECRET));
      assert.match(log, /token=\*\*\*/);
      assert.match(log, /err: \*\*\*/);
    } finally {
      scratch.remove();
    }
  });

  it('fails a task whose secret holds a NUL byte before it starts, naming the secret and never showing its value', async () => {
    const scratch = scratchDir();
    try {
      // A value an environment cannot hold; the system's own error would quote it, escaped, past the masker.
      const value = 'hunter2secret\0tail-of-it';
      const logPath = path.join(scratch.dir, 'task.log');
      const spec = bashSpec('nul', 'touch started', { cwd: scratch.dir, secretNames: ['API_TOKEN'] });
      const r = await executeTask(spec, { vault: new MapVault({ API_TOKEN: value }), logPath });
      assert.equal(r.state, 'failed');
      assert.deepEqual(r.failure, { kind: 'unusableSecrets', names: ['API_TOKEN'] });
      assert.match(r.message ?? '', /API_TOKEN/);
      const shown = [r.message ?? '', r.stdout, r.stderr, readFileSync(logPath, 'utf8')].join('\n');
      assert.doesNotMatch(shown, /hunter2secret|tail-of-it/);
      assert.equal(existsSync(path.join(scratch.dir, 'started')), false);
    } finally {
      scratch.remove();
    }
  });

  it('starts no process when the run is stopped while the task\'s secrets are being looked up', async () => {
    const scratch = scratchDir();
    try {
      const controller = new AbortController();
      // The editor's vault answers asynchronously: Stop can be pressed meanwhile.
      const slowVault = { get: () => { controller.abort(); return Promise.resolve(SECRET); } };
      const started: number[] = [];
      const spec = bashSpec('late', 'touch started', { cwd: scratch.dir, secretNames: ['API_TOKEN'] });
      const r = await executeTask(spec, { vault: slowVault, signal: controller.signal, onStarted: (g) => started.push(g.pid) });
      assert.deepEqual(started, []);
      assert.equal(r.cancelled, true);
      assert.deepEqual(r.failure, { kind: 'cancelled' });
      assert.equal(existsSync(path.join(scratch.dir, 'started')), false);
    } finally {
      scratch.remove();
    }
  });

  it('fails a task whose named secret is missing before it starts, naming the secret', async () => {
    const scratch = scratchDir();
    try {
      const spec = bashSpec('needs', 'touch started', { cwd: scratch.dir, secretNames: ['API_TOKEN', 'DB_PASSWORD'] });
      const r = await executeTask(spec, { vault });
      assert.equal(r.state, 'failed');
      assert.equal(r.exitCode, null);
      assert.match(r.message ?? '', /missing secret 'DB_PASSWORD'/);
      assert.match(r.stderr, /DB_PASSWORD/);
      assert.equal(existsSync(path.join(scratch.dir, 'started')), false);
    } finally {
      scratch.remove();
    }
  });
});

describe('executeTask: output', () => {
  it('keeps at most the cap per stream in memory, with a marker, and the full output in the log', async () => {
    const scratch = scratchDir();
    try {
      const logPath = path.join(scratch.dir, 'big.log');
      const r = await executeTask(bashSpec('big', 'i=0; while [ $i -lt 500 ]; do echo "line $i"; i=$((i+1)); done'), {
        logPath,
        maxCapturedChars: 1000,
      });
      assert.equal(r.state, 'success');
      assert.match(r.stdout, /characters omitted; the full output is in .*big\.log/);
      assert.ok(r.stdout.startsWith('line 0\n'));
      assert.ok(r.stdout.endsWith('line 499\n'));
      assert.ok(r.stdout.length < 1200, `kept ${r.stdout.length} characters`);
      const log = withoutTimes(readFileSync(logPath, 'utf8'));
      assert.equal(log.split('\n').filter((l) => l.startsWith('line ')).length, 500);
    } finally {
      scratch.remove();
    }
  });

  it('writes a running task’s log as it goes, and a short task’s log whole when it ends', async () => {
    const scratch = scratchDir();
    try {
      const slow = path.join(scratch.dir, 'slow.log');
      const running = executeTask(bashSpec('slow', 'echo started; sleep 1; echo done'), { logPath: slow });
      await new Promise((resolve) => setTimeout(resolve, 600));
      assert.match(withoutTimes(readFileSync(slow, 'utf8')), /^\[vortex\] running: .*\nstarted\n$/);
      await running;
      assert.match(withoutTimes(readFileSync(slow, 'utf8')), /started\ndone\n$/);
      const quick = path.join(scratch.dir, 'quick.log');
      await executeTask(bashSpec('quick', 'echo hi'), { logPath: quick });
      assert.equal(withoutTimes(readFileSync(quick, 'utf8')), '[vortex] running: echo hi\nhi\n');
    } finally {
      scratch.remove();
    }
  });

  it('gives a task Airflow’s AIRFLOW_CTX_ variables for its run and try, and its last line of output as its XCom', async () => {
    const context = { airflowRunId: 'manual__2024-03-05T00:00:00+00:00', logicalDate: '2024-03-05T00:00:00+00:00', dataIntervalStart: null, dataIntervalEnd: null, conf: {} };
    const command = 'echo "$AIRFLOW_CTX_DAG_ID $AIRFLOW_CTX_TASK_ID $AIRFLOW_CTX_DAG_RUN_ID $AIRFLOW_CTX_TRY_NUMBER"; echo last line';
    const r = await executeTask(bashSpec('ctx', command), { run: { context, tryNumber: 2, xcoms: {} } });
    assert.equal(r.stdout, 'test_dag ctx manual__2024-03-05T00:00:00+00:00 2\nlast line\n');
    assert.deepEqual(r.xcom, { return_value: 'last line' });
    const quiet = await executeTask(bashSpec('quiet', 'echo not pushed', { doXcomPush: false }));
    assert.deepEqual(quiet.xcom, {});
  });

  it('notes in the log why a task failed', async () => {
    const scratch = scratchDir();
    try {
      const logPath = path.join(scratch.dir, 'x.log');
      await executeTask(bashSpec('x', 'printf partial; exit 4'), { logPath });
      const log = readFileSync(logPath, 'utf8');
      // Each line starts with the time it arrived; the log starts with the command.
      assert.match(log, /^\[\d\d:\d\d:\d\d\.\d{3}\] \[vortex\] running: printf partial; exit 4\n/);
      assert.equal(withoutTimes(log), '[vortex] running: printf partial; exit 4\npartial\n[vortex] exited with code 4\n');
    } finally {
      scratch.remove();
    }
  });
});

describe('executeTask: DummyOperator and unsupported operators', () => {
  it('succeeds for a dummy task without a process', async () => {
    const r = await executeTask(bashSpec('noop', '', { kind: 'dummy', operator: 'EmptyOperator', bashCommand: null }));
    assert.equal(r.state, 'success');
    assert.equal(r.exitCode, null);
    assert.ok(r.durationMs < 50);
  });

  it('fails a mapped task (.partial(...).expand(...)) without running anything, saying why', async () => {
    await loadPython();
    const analysis = analyse(`from airflow import DAG
from airflow.operators.bash import BashOperator
with DAG("mapped") as dag:
    BashOperator.partial(task_id="each").expand(bash_command=["echo 1", "echo 2"])
`);
    const spec = specFromModel(analysis.tasks[0], analysis.dags[0], { dagFilePath: 'mapped.py', runId: 'r' });
    assert.equal(spec.kind, 'unsupported');
    const r = await executeTask(spec);
    assert.equal(r.state, 'failed');
    assert.equal(r.exitCode, null);
    assert.match(r.message ?? '', /"each" is a mapped task \(\.expand\).*does not run mapped tasks locally/);
  });

  it('fails an operator it cannot run, saying so', async () => {
    const r = await executeTask(bashSpec('sensor', '', { kind: 'unsupported', operator: 'S3KeySensor', bashCommand: null }));
    assert.equal(r.state, 'failed');
    assert.match(r.message ?? '', /S3KeySensor cannot run locally/);
  });
});

describe('executeTask: PythonOperator', () => {
  it('calls the callable with op_args and op_kwargs passed as data, not code', async () => {
    const tricky = `"); import os; os._exit(9) #\n'''`;
    const r = await executeTask(pythonSpec('show_args', 'show_args', { opArgs: [1, tricky, null], opKwargs: { k: { nested: [true] } } }));
    assert.equal(r.state, 'success', r.stderr);
    const shown = JSON.parse(r.stdout) as { args: unknown[]; kwargs: unknown };
    assert.deepEqual(shown.args, [1, tricky, null]);
    assert.deepEqual(shown.kwargs, { k: { nested: [true] } });
  });

  it('takes op_args the analyser could not read from the imported DAG', async () => {
    const r = await executeTask(pythonSpec('runtime_args', 'show_args'));
    const shown = JSON.parse(r.stdout) as { args: unknown[]; kwargs: unknown; context: string[] };
    assert.deepEqual(shown.args, ['computed', 2]);
    assert.deepEqual(shown.kwargs, {});
    // A callable taking **kwargs gets Airflow's whole context, as in Airflow.
    assert.ok(['ti', 'ds', 'params', 'run_id', 'logical_date', 'macros'].every((k) => shown.context.includes(k)), shown.context.join(', '));
  });

  it('imports sibling modules of the DAG file', async () => {
    const r = await executeTask(pythonSpec('greet', 'greet', { opArgs: ['sibling'] }));
    assert.equal(r.state, 'success', r.stderr);
    assert.equal(r.stdout, 'hello, sibling\n');
  });

  it('starts the runner after the interpreter arguments a debugger asks for, with the payload as a run writes it', async () => {
    // A prefix that prints what the interpreter was left to run shows where it went in the command line.
    const prefix = ['-c', 'import json, sys; print(json.dumps(sys.argv[1:])); print(open(sys.argv[3]).read())'];
    const r = await executeTask(pythonSpec('show_args', 'show_args', { runnerPrefix: prefix, opArgs: [1] }));
    assert.equal(r.state, 'success', r.stderr);
    const [argv, payload] = r.stdout.trim().split('\n');
    const rest = JSON.parse(argv) as string[];
    assert.deepEqual(rest.slice(0, 2), ['-m', 'vortex._runner']);
    assert.match(rest[2], /vortex-task-[^/]+\/payload\.json$/);
    const { mode, dag_file, dag_id, task_id, op_args } = JSON.parse(payload) as Record<string, unknown>;
    assert.deepEqual({ mode, dag_file, dag_id, task_id, op_args }, { mode: 'call', dag_file: path.join(FIXTURES, 'tasks_dag.py'), dag_id: 'tasks', task_id: 'show_args', op_args: [1] });
  });

  it('runs a lambda, found through the DAG rather than by name', async () => {
    const r = await executeTask(pythonSpec('lambda', '<lambda>'));
    assert.equal(r.stdout, 'from a lambda\n');
  });

  it('reads a bash_command the DAG computes from the imported DAG', async () => {
    const r = await executeTask(bashSpec('computed_bash', '', { dagId: 'tasks', bashCommand: null }));
    assert.equal(r.state, 'success', r.stderr);
    assert.equal(r.stdout, 'hello, bash\n');
  });

  it('writes its file into a private folder that holds no secret, and deletes it after success', async () => {
    const scratch = scratchDir();
    try {
      const dest = path.join(scratch.dir, 'copy');
      const spec = pythonSpec('snapshot', 'snapshot_runner_dir', { opArgs: [dest], secretNames: ['API_TOKEN'] });
      const r = await executeTask(spec, { vault });
      assert.equal(r.state, 'success', r.stderr);
      assert.equal(r.stdout, 'mode=700 token=***\n');
      const files = readdirSync(dest);
      assert.deepEqual(files, ['payload.json']);
      assert.ok(!readFileSync(path.join(dest, files[0]), 'utf8').includes(SECRET));
    } finally {
      scratch.remove();
    }
  });

  for (const [outcome, action, timeoutSeconds] of [
    ['success', 'none', 10],
    ['failure', 'fail', 10],
    ['timeout', 'sleep', 1],
  ] as const) {
    it(`deletes its temporary folder after ${outcome}`, async () => {
      const r = await executeTask(pythonSpec('announce', 'announce_then', { opArgs: [action], timeoutSeconds }), { killGraceMs: 300 });
      const dir = runnerDirOf(r.stdout);
      assert.match(path.basename(dir), /^vortex-task-/);
      assert.equal(existsSync(dir), false);
      assert.equal(r.state, outcome === 'success' ? 'success' : 'failed');
      assert.equal(r.timedOut, outcome === 'timeout');
    });
  }

  it('deletes its temporary folder after cancellation', async () => {
    const controller = new AbortController();
    const r = await executeTask(pythonSpec('announce', 'announce_then', { opArgs: ['sleep'] }), {
      signal: controller.signal,
      onOutput: (_s, text) => {
        if (text.includes('RUNNER_DIR=')) controller.abort();
      },
    });
    assert.equal(r.cancelled, true);
    assert.equal(existsSync(runnerDirOf(r.stdout)), false);
  });

  it('fails with the traceback in stderr when the callable raises', async () => {
    const r = await executeTask(pythonSpec('announce', 'announce_then', { opArgs: ['fail'] }));
    assert.equal(r.state, 'failed');
    assert.equal(r.exitCode, 1);
    assert.match(r.stderr, /Traceback \(most recent call last\)/);
    assert.match(r.stderr, /ValueError: boom from the task/);
  });

  it('runs a task whose id is as long as ids may be (250 characters)', async () => {
    const taskId = 't'.repeat(250);
    const r = await executeTask(pythonSpec(taskId, 'no_op'));
    assert.equal(r.state, 'success', r.stderr);
    assert.equal(r.stdout, 'done\n');
  });

  it('fails clearly when the interpreter cannot be started', async () => {
    const r = await executeTask(pythonSpec('greet', 'greet', { pythonPath: '/nonexistent/python3' }));
    assert.equal(r.state, 'failed');
    assert.match(r.message ?? '', /could not start \/nonexistent\/python3/);
  });
});
