/**
 * Process groups with real processes: daemons that leave a task's group but
 * keep its output open, and cleaning up after a run whose owner died.
 * Every daemon a test starts writes its pid to a file, and is killed after.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cleanUpInterruptedRuns } from '../../../../core/run/interruptedRuns';
import { PIPE_GRACE_MS } from '../../../../core/process/processGroup';
import { processStartTime } from '../../../../core/process/procfs';
import { GROUPS_FILE, RunStore, type RunSummary } from '../../../../core/run/runStore';
import { executeTask } from '../../../../core/run/taskExecutor';
import { fileNameFor, MAX_FILE_NAME_CHARS } from '../../../../core/run/taskSpec';
import { bashSpec, processRuns, pythonSpec, scratchDir } from '../../../support/execution';

let scratch: { dir: string; remove: () => void };
const started: number[] = [];

beforeEach(() => {
  scratch = scratchDir();
});
afterEach(() => {
  for (const pid of started.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Stopped by the code under test, as it should be.
    }
  }
  scratch.remove();
});

/**
 * A shell line that starts `sleep 1000` in a session of its own (out of the
 * task's group), records its pid, and waits until it has: a daemon stopped
 * with the group before it left it would prove nothing.
 */
function daemonLine(pidFile: string): string {
  return `setsid sh -c 'echo $$ > ${pidFile}; exec sleep 1000' & while [ ! -s ${pidFile} ]; do sleep 0.01; done;`;
}

/** The pid a daemon recorded; it is killed after the test whatever happens. */
function daemonPid(pidFile: string): number {
  assert.ok(existsSync(pidFile), 'the daemon never started');
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  started.push(pid);
  return pid;
}

describe('spawnGroup: output held by a process that left the group', function () {
  this.timeout(20_000);

  it('a Bash task that starts a setsid daemon ends within the grace, and its log names the stopped daemon', async () => {
    const pidFile = path.join(scratch.dir, 'daemon.pid');
    const logPath = path.join(scratch.dir, 'task.log');
    const t0 = Date.now();
    const r = await executeTask(bashSpec('daemon', `echo up; sleep 1 & ${daemonLine(pidFile)} echo started`), { logPath });
    const elapsed = Date.now() - t0;
    const pid = daemonPid(pidFile);
    assert.equal(r.state, 'success', r.message ?? '');
    assert.match(r.stdout, /up\nstarted\n/);
    assert.ok(elapsed < PIPE_GRACE_MS + 1500, `took ${elapsed} ms`);
    assert.equal(processRuns(pid), false, `daemon ${pid} still runs`);
    assert.match(readFileSync(logPath, 'utf8'), new RegExp(`\\[vortex\\] stopped process ${pid} \\(sleep\\): it had left the task's process group`));
  });

  it('a Python task whose callable starts a setsid daemon ends within the grace, and its log names the daemon', async () => {
    const pidFile = path.join(scratch.dir, 'daemon.pid');
    const dagFile = path.join(scratch.dir, 'daemon_dag.py');
    writeFileSync(
      dagFile,
      [
        'import os, subprocess, time',
        'from vortex import DAG',
        'from vortex.operators.python import PythonOperator',
        '',
        'def start_daemon():',
        `    subprocess.Popen(["setsid", "sh", "-c", "echo $$ > ${pidFile}; exec sleep 1000"])`,
        `    while not os.path.exists(${JSON.stringify(pidFile)}) or not open(${JSON.stringify(pidFile)}).read().strip():`,
        '        time.sleep(0.01)',
        '    print("started")',
        '',
        'with DAG(dag_id="daemons") as dag:',
        '    PythonOperator(task_id="start", python_callable=start_daemon)',
        '',
      ].join('\n'),
    );
    const logPath = path.join(scratch.dir, 'task.log');
    const t0 = Date.now();
    const r = await executeTask(pythonSpec('start', 'start_daemon', { dagId: 'daemons', dagFilePath: dagFile, cwd: scratch.dir }), { logPath });
    const elapsed = Date.now() - t0;
    const pid = daemonPid(pidFile);
    assert.equal(r.state, 'success', r.stderr);
    assert.ok(elapsed < PIPE_GRACE_MS + 3000, `took ${elapsed} ms`);
    assert.equal(processRuns(pid), false, `daemon ${pid} still runs`);
    assert.match(readFileSync(logPath, 'utf8'), new RegExp(`\\[vortex\\] stopped process ${pid} \\(sleep\\)`));
  });

  it('cancelling a task whose output a daemon holds ends it without waiting for the grace', async () => {
    const pidFile = path.join(scratch.dir, 'daemon.pid');
    const controller = new AbortController();
    let ending = false;
    const running = executeTask(bashSpec('held', `${daemonLine(pidFile)} echo started`), {
      signal: controller.signal,
      onOutput: (_stream, text) => (ending ||= text.includes('started')),
    });
    // The task is at its end (its main process exits right after printing), its output held by the daemon.
    while (!ending) await new Promise((resolve) => setTimeout(resolve, 10));
    const abortedAt = Date.now();
    controller.abort();
    await running;
    const pid = daemonPid(pidFile);
    assert.ok(Date.now() - abortedAt < PIPE_GRACE_MS / 2, `took ${Date.now() - abortedAt} ms after the abort`);
    assert.equal(processRuns(pid), false);
  });
});

/** A process group of its own running `sleep`, not recorded by any run. */
function unrelatedGroup(): number {
  const child = spawn('sleep', ['30'], { detached: true, stdio: 'ignore' });
  child.unref();
  assert.ok(child.pid);
  started.push(child.pid);
  return child.pid;
}

/** A run folder as a `vortex run` that was SIGKILLed leaves it. */
function leftRun(store: RunStore, owner: { pid: number; start_time: number | null }, groups: object[]): string {
  const dir = path.join(store.baseDir, 'dag', 'run-1');
  mkdirSync(dir, { recursive: true });
  const summary: RunSummary = {
    version: 1,
    run_id: 'run-1',
    dag_id: 'dag',
    dag_file: '/nowhere/dag.py',
    state: 'running',
    started_at: new Date().toISOString(),
    duration_ms: null,
    owner,
    tasks: [
      { task_id: 'a', operator: 'BashOperator', state: 'queued', exit_code: null, timed_out: false, duration_ms: null, started_at: null, log: 'a.log', message: null },
    ],
  };
  writeFileSync(path.join(dir, 'run.json'), JSON.stringify(summary));
  writeFileSync(path.join(dir, GROUPS_FILE), groups.map((g) => `${JSON.stringify(g)}\n`).join(''));
  return dir;
}

/** A pid with its start time, of a process that has ended. */
function deadOwner(): { pid: number; start_time: number } {
  const r = spawnSync('sh', ['-c', 'echo $$']);
  return { pid: Number(String(r.stdout).trim()), start_time: 1 };
}

describe('cleanUpInterruptedRuns', function () {
  this.timeout(20_000);

  it('stops the recorded groups of a run whose owner died, removes its task folders and marks it interrupted', async () => {
    const store = new RunStore(path.join(scratch.dir, 'runs'));
    const group = unrelatedGroup();
    const tempDir = mkdtempSync(path.join(os.tmpdir(), 'vortex-task-'));
    const dir = leftRun(store, deadOwner(), [{ pid: group, start_time: processStartTime(group), temp_dir: tempDir }]);
    const cleaned = await cleanUpInterruptedRuns(store);
    assert.deepEqual(cleaned.map((r) => [r.runId, r.stoppedGroups, r.removedFolders]), [['run-1', [group], [tempDir]]]);
    assert.equal(processRuns(group), false);
    assert.equal(existsSync(tempDir), false);
    const summary = JSON.parse(readFileSync(path.join(dir, 'run.json'), 'utf8')) as RunSummary;
    assert.equal(summary.state, 'interrupted');
    assert.deepEqual(summary.tasks.map((t) => t.state), ['interrupted']);
    assert.equal(existsSync(path.join(dir, GROUPS_FILE)), false);
  });

  it('stops what is left of a group whose leader has ended', async () => {
    const store = new RunStore(path.join(scratch.dir, 'runs'));
    const memberFile = path.join(scratch.dir, 'member.pid');
    const leader = spawn('sh', ['-c', `sleep 30 & echo $! > ${memberFile}; sleep 0.3`], { detached: true, stdio: 'ignore' });
    assert.ok(leader.pid);
    const startTime = processStartTime(leader.pid);
    await new Promise((resolve) => leader.on('exit', resolve));
    const member = Number(readFileSync(memberFile, 'utf8').trim());
    started.push(member);
    assert.equal(processRuns(member), true);
    leftRun(store, deadOwner(), [{ pid: leader.pid, start_time: startTime, temp_dir: null }]);
    const [cleaned] = await cleanUpInterruptedRuns(store);
    assert.deepEqual(cleaned.stoppedGroups, [leader.pid]);
    assert.equal(processRuns(member), false);
  });

  it('never signals a recorded pid that now names another process (its start time differs)', async () => {
    const store = new RunStore(path.join(scratch.dir, 'runs'));
    const reused = unrelatedGroup();
    const startTime = processStartTime(reused) as number;
    leftRun(store, deadOwner(), [{ pid: reused, start_time: startTime - 1, temp_dir: null }]);
    const [cleaned] = await cleanUpInterruptedRuns(store);
    assert.deepEqual(cleaned.stoppedGroups, []);
    assert.equal(processRuns(reused), true);
  });

  it('leaves alone a run whose owner is still alive', async () => {
    const store = new RunStore(path.join(scratch.dir, 'runs'));
    const group = unrelatedGroup();
    const dir = leftRun(store, { pid: process.pid, start_time: processStartTime(process.pid) }, [{ pid: group, start_time: processStartTime(group), temp_dir: null }]);
    assert.deepEqual(await cleanUpInterruptedRuns(store), []);
    assert.equal(processRuns(group), true);
    assert.equal((JSON.parse(readFileSync(path.join(dir, 'run.json'), 'utf8')) as RunSummary).state, 'running');
  });

  it('removes only folders of tasks, whatever the record names', async () => {
    const store = new RunStore(path.join(scratch.dir, 'runs'));
    const precious = mkdtempSync(path.join(os.tmpdir(), 'precious-'));
    try {
      leftRun(store, deadOwner(), [{ pid: 999_999_999, start_time: 5, temp_dir: precious }]);
      const [cleaned] = await cleanUpInterruptedRuns(store);
      assert.deepEqual(cleaned.removedFolders, []);
      assert.equal(existsSync(precious), true);
    } finally {
      spawnSync('rm', ['-rf', precious]);
    }
  });
});

describe('fileNameFor', () => {
  it('keeps long ids readable but bounded, and apart when they differ only at the end', () => {
    const a = `${'d'.repeat(249)}a`;
    const b = `${'d'.repeat(249)}b`;
    assert.ok(fileNameFor(a).length <= MAX_FILE_NAME_CHARS);
    assert.ok(fileNameFor(a).startsWith('d'.repeat(80)));
    assert.notEqual(fileNameFor(a), fileNameFor(b));
    assert.equal(fileNameFor('short_id.1'), 'short_id.1');
  });
});
