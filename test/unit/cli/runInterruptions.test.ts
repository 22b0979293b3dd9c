/**
 * `vortex run` and `vortex inspect --runtime` as processes, when something
 * goes wrong around them: a daemon that keeps a task's output open, SIGINT
 * and SIGTERM, a CLI killed mid-run, ids as long as Airflow allows. Every
 * daemon a test starts records its pid in a file and is killed after.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { RunJson } from '../../../cli/src/runCommand';
import { PIPE_GRACE_MS } from '../../../core/process/processGroup';
import { GROUPS_FILE, type GroupRecord, type RunSummary } from '../../../core/run/runStore';
import { processRuns, REPO, scratchDir } from '../../support/execution';

const CLI = path.join(REPO, 'dist', 'cli.js');

let scratch: { dir: string; remove: () => void };
const leftovers: number[] = [];

function env(): NodeJS.ProcessEnv {
  return { ...process.env, VORTEX_RUNS_DIR: path.join(scratch.dir, 'runs') };
}

function dagFile(name: string, body: string): string {
  const header = ['import subprocess, time', 'from vortex import DAG', 'from vortex.operators.bash import BashOperator', 'from vortex.operators.python import PythonOperator', ''];
  writeFileSync(path.join(scratch.dir, name), `${header.join('\n')}${body.trim()}\n`);
  return name;
}

/**
 * Commands that start `sleep 1000` in a session of its own, recording its pid
 * in `<name>.pid`, and wait until it has (so that it has left the task's group).
 */
function daemon(name: string): string {
  const file = path.join(scratch.dir, `${name}.pid`);
  return `setsid sh -c 'echo $$ > ${file}; exec sleep 1000' & while [ ! -s ${file} ]; do sleep 0.01; done`;
}

function daemonPid(name: string): number {
  const file = path.join(scratch.dir, `${name}.pid`);
  assert.ok(existsSync(file), `daemon ${name} never started`);
  const pid = Number(readFileSync(file, 'utf8').trim());
  leftovers.push(pid);
  return pid;
}

/** Runs the CLI to its end, killed (status null) should it take longer than `timeout` ms. */
function cli(args: string[], timeout: number): { status: number | null; stdout: string; stderr: string; ms: number } {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: scratch.dir, encoding: 'utf8', env: env(), timeout, killSignal: 'SIGKILL' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, ms: Date.now() - t0 };
}

function runDirs(dagId: string): string[] {
  const dir = path.join(scratch.dir, 'runs', dagId);
  return existsSync(dir) ? readdirSync(dir).map((d) => path.join(dir, d)) : [];
}

async function until<T>(what: string, probe: () => T | undefined, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    assert.ok(Date.now() < deadline, `timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** The groups a run of `dagId` has recorded, once there are `count` of them. */
function recordedGroups(dagId: string, count: number): Promise<GroupRecord[]> {
  return until(`${count} recorded groups`, () => {
    const [dir] = runDirs(dagId);
    const text = dir && existsSync(path.join(dir, GROUPS_FILE)) ? readFileSync(path.join(dir, GROUPS_FILE), 'utf8').trim() : '';
    const records = text ? text.split('\n').map((l) => JSON.parse(l) as GroupRecord) : [];
    return records.length === count ? records : undefined;
  });
}

/** A DAG that runs at once, for the run that comes after a crash. */
const OTHER_DAG = `
with DAG(dag_id="other") as dag:
    BashOperator(task_id="x", bash_command="echo x")
`;

/** `vortex run FILE --json` to its end, succeeding: what it printed. */
function nextRunJson(file: string): RunJson {
  const r = cli(['run', file, '--json'], 30_000);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as RunJson;
}

/** Two tasks that run until stopped, a Bash one and a Python one (with a private folder), and one after them. */
const CRASH_DAG = `
def snooze():
    time.sleep(100)

with DAG(dag_id="crash") as dag:
    a = BashOperator(task_id="a", bash_command="sleep 100")
    p = PythonOperator(task_id="p", python_callable=snooze)
    done = BashOperator(task_id="done", bash_command="echo done")
    [a, p] >> done
`;

/** Starts `vortex run FILE --json` in the background. */
/** `detached`: the CLI leads a process group of its own, with the spawner it starts, so that both can be killed at once. */
function startRun(file: string, options: { detached?: boolean } = {}) {
  const child = spawn(process.execPath, [CLI, 'run', file, '--json'], { cwd: scratch.dir, env: env(), detached: options.detached ?? false });
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  return { child, exited, stdout: () => stdout };
}

describe('vortex run and inspect --runtime: daemons, signals, crashes', function () {
  this.timeout(60_000);

  before(() => {
    const build = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: REPO, encoding: 'utf8' });
    assert.equal(build.status, 0, build.stderr);
  });
  beforeEach(() => {
    scratch = scratchDir();
  });
  afterEach(() => {
    for (const pid of leftovers.splice(0)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Stopped already, as it should be.
      }
    }
    scratch.remove();
  });

  it('a run whose task leaves a setsid daemon holding its output ends, and the daemon is stopped', () => {
    const file = dagFile('daemon.py', `
with DAG(dag_id="daemon") as dag:
    BashOperator(task_id="start", bash_command="sleep 1 & ${daemon('d')}; echo started") >> BashOperator(task_id="after", bash_command="echo after")
`);
    const r = cli(['run', file, '--json'], 20_000);
    const pid = daemonPid('d');
    assert.equal(r.status, 0, `status ${r.status} after ${r.ms} ms; ${r.stderr}`);
    assert.deepEqual((JSON.parse(r.stdout) as RunJson).tasks.map((t) => t.state), ['success', 'success']);
    assert.equal(processRuns(pid), false);
    const [dir] = runDirs('daemon');
    assert.match(readFileSync(path.join(dir, 'start.log'), 'utf8'), new RegExp(`stopped process ${pid} \\(sleep\\)`));
  });

  it('SIGINT stops a run at once even while a daemon holds a task’s output: exit 130, cancelled, all stopped', async () => {
    const file = dagFile('held.py', `
with DAG(dag_id="held") as dag:
    BashOperator(task_id="a", bash_command="${daemon('d')}; sleep 100") >> BashOperator(task_id="b", bash_command="echo b")
`);
    const run = startRun(file);
    await until('the daemon', () => (existsSync(path.join(scratch.dir, 'd.pid')) && readFileSync(path.join(scratch.dir, 'd.pid'), 'utf8').trim() ? true : undefined));
    const pid = daemonPid('d');
    const [group] = await recordedGroups('held', 1);
    const t0 = Date.now();
    run.child.kill('SIGINT');
    const { code } = await run.exited;
    assert.equal(code, 130);
    assert.ok(Date.now() - t0 < 2000 + PIPE_GRACE_MS, `took ${Date.now() - t0} ms`);
    const json = JSON.parse(run.stdout()) as RunJson;
    assert.equal(json.state, 'cancelled');
    assert.deepEqual(json.tasks.map((t) => t.state), ['failed', 'skipped']);
    assert.equal(processRuns(group.pid), false);
    assert.equal(processRuns(pid), false);
    const [dir] = runDirs('held');
    assert.equal((JSON.parse(readFileSync(path.join(dir, 'run.json'), 'utf8')) as RunSummary).state, 'cancelled');
  });

  for (const [signal, status] of [
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const) {
    it(`${signal} stops a run and its running tasks: exit ${status}, recorded as cancelled`, async () => {
      const file = dagFile('term.py', `
with DAG(dag_id="term") as dag:
    BashOperator(task_id="a", bash_command="echo PID=$$; sleep 100")
    BashOperator(task_id="b", bash_command="sleep 100")
`);
      const run = startRun(file);
      const groups = await recordedGroups('term', 2);
      run.child.kill(signal);
      const { code } = await run.exited;
      assert.equal(code, status);
      const json = JSON.parse(run.stdout()) as RunJson;
      assert.equal(json.state, 'cancelled');
      for (const g of groups) assert.equal(processRuns(g.pid), false, `group ${g.pid} survived`);
      const [dir] = runDirs('term');
      assert.equal((JSON.parse(readFileSync(path.join(dir, 'run.json'), 'utf8')) as RunSummary).state, 'cancelled');
    });
  }

  it('after a run’s CLI and its spawner are SIGKILLed together, the next run stops its groups, removes its task folders and marks it interrupted', async () => {
    const file = dagFile('crash.py', CRASH_DAG);
    const run = startRun(file, { detached: true });
    const groups = await recordedGroups('crash', 2);
    // Killed once the Python task has said what it calls: a line written after its reader died would end it (EPIPE), not leave it behind.
    await until('the Python task to start its callable', () => {
      const [dir] = runDirs('crash');
      const log = dir ? path.join(dir, 'p.log') : '';
      return log && existsSync(log) && readFileSync(log, 'utf8').includes('calling snooze') ? true : undefined;
    });
    // The CLI's whole group: the CLI and the spawner it started (the tasks lead groups of their own).
    process.kill(-(run.child.pid as number), 'SIGKILL');
    await run.exited;
    leftovers.push(...groups.map((g) => g.pid));
    const tempDirs = groups.map((g) => g.temp_dir).filter((d): d is string => d !== null);
    assert.equal(tempDirs.length, 1, 'the Python task has a private folder');
    // What they leave: the groups run on, the folder stays, run.json says running.
    for (const g of groups) assert.equal(processRuns(g.pid), true);
    assert.equal(existsSync(tempDirs[0]), true);
    const [crashed] = runDirs('crash');
    assert.equal((JSON.parse(readFileSync(path.join(crashed, 'run.json'), 'utf8')) as RunSummary).state, 'running');

    const other = dagFile('other.py', OTHER_DAG);
    const json = nextRunJson(other);
    assert.deepEqual(json.interrupted_runs?.map((i) => [i.dag_id, i.run_dir, [...i.stopped_groups].sort()]), [
      ['crash', crashed, groups.map((g) => g.pid).sort()],
    ]);
    for (const g of groups) assert.equal(processRuns(g.pid), false, `group ${g.pid} survived`);
    assert.equal(existsSync(tempDirs[0]), false);
    const summary = JSON.parse(readFileSync(path.join(crashed, 'run.json'), 'utf8')) as RunSummary;
    assert.equal(summary.state, 'interrupted');
    assert.deepEqual(summary.tasks.map((t) => t.state), ['interrupted', 'interrupted', 'interrupted']);

    // Text mode says so on stderr; a second run finds nothing left to clean.
    const again = cli(['run', other], 30_000);
    assert.equal(again.status, 0);
    assert.doesNotMatch(again.stderr, /interrupted/);
  });

  it('after a run’s CLI alone is SIGKILLed, its spawner kills the groups at once; the next run marks it interrupted and removes its task folders', async () => {
    const file = dagFile('crash.py', CRASH_DAG);
    const run = startRun(file);
    const groups = await recordedGroups('crash', 2);
    leftovers.push(...groups.map((g) => g.pid));
    run.child.kill('SIGKILL');
    await run.exited;
    await until('the groups to be stopped', () => (groups.every((g) => !processRuns(g.pid)) ? true : undefined));
    const [crashed] = runDirs('crash');
    assert.equal((JSON.parse(readFileSync(path.join(crashed, 'run.json'), 'utf8')) as RunSummary).state, 'running');
    const tempDir = groups.map((g) => g.temp_dir).find((d): d is string => d !== null) as string;
    assert.equal(existsSync(tempDir), true, 'only the run that comes next removes the task folders');

    const other = dagFile('other.py', OTHER_DAG);
    const json = nextRunJson(other);
    assert.deepEqual(json.interrupted_runs?.map((i) => [i.dag_id, i.run_dir, i.stopped_groups]), [['crash', crashed, []]]);
    assert.equal(existsSync(tempDir), false);
    assert.equal((JSON.parse(readFileSync(path.join(crashed, 'run.json'), 'utf8')) as RunSummary).state, 'interrupted');
  });

  it('a second vortex run leaves a running one alone', async () => {
    const file = dagFile('first.py', `
with DAG(dag_id="first") as dag:
    BashOperator(task_id="a", bash_command="sleep 100")
`);
    const run = startRun(file);
    const [group] = await recordedGroups('first', 1);
    leftovers.push(group.pid);
    const other = dagFile('second.py', `
with DAG(dag_id="second") as dag:
    BashOperator(task_id="x", bash_command="echo x")
`);
    const r = cli(['run', other, '--json'], 30_000);
    assert.equal(r.status, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as RunJson).interrupted_runs, undefined);
    assert.equal(processRuns(group.pid), true);
    run.child.kill('SIGINT');
    assert.equal((await run.exited).code, 130);
  });

  it('inspect --runtime --timeout 5 on a file that forks a setsid daemon at import ends within the limit plus the grace', () => {
    writeFileSync(
      path.join(scratch.dir, 'forks.py'),
      [
        'import subprocess, time',
        `subprocess.Popen(["setsid", "sh", "-c", "echo $$ > ${path.join(scratch.dir, 'd.pid')}; exec sleep 1000"])`,
        `while not open(${JSON.stringify(path.join(scratch.dir, 'd.pid'))}, "a+").tell():`,
        '    time.sleep(0.01)',
        'from vortex import DAG',
        'from vortex.operators.bash import BashOperator',
        'with DAG(dag_id="forks") as dag:',
        '    BashOperator(task_id="a", bash_command="echo a")',
        '',
      ].join('\n'),
    );
    const r = cli(['inspect', '--runtime', '--timeout', '5', '--json', 'forks.py'], 20_000);
    const pid = daemonPid('d');
    assert.equal(r.status, 0, `status ${r.status} after ${r.ms} ms; ${r.stderr}`);
    assert.ok(r.ms < 5000 + PIPE_GRACE_MS + 2000, `took ${r.ms} ms`);
    assert.equal(processRuns(pid), false);
  });

  for (const [signal, status] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    it(`${signal} during inspect --mode runtime stops the file being executed, then exits ${status}`, async () => {
      const pidFile = path.join(scratch.dir, 'importer.pid');
      writeFileSync(
        path.join(scratch.dir, 'sleeps.py'),
        ['import os, time', `open(${JSON.stringify(pidFile)}, "w").write(str(os.getpid()))`, 'time.sleep(100)', 'from vortex import DAG', 'with DAG(dag_id="sleeps") as dag:', '    pass', ''].join('\n'),
      );
      const child = spawn(process.execPath, [CLI, 'inspect', '--mode', 'runtime', '--timeout', '60', 'sleeps.py'], { cwd: scratch.dir, env: env() });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
      const pid = await until('the file to be executed', () => {
        const text = existsSync(pidFile) ? readFileSync(pidFile, 'utf8') : '';
        return text ? Number(text) : undefined;
      });
      leftovers.push(pid);
      child.kill(signal);
      assert.equal(await exited, status, stderr);
      // The file's process group is its own, out of reach of a terminal's Ctrl-C: inspect must stop it.
      assert.equal(processRuns(pid), false, 'the file being executed still runs');
      assert.match(stderr, /^vortex: interrupted/m);
    });
  }

  it('a reader that goes away (vortex run | head -1) does not crash the run: it ends and is recorded, without a stack trace', async () => {
    const file = dagFile('piped.py', `
with DAG(dag_id="piped") as dag:
    BashOperator(task_id="a", bash_command="sleep 0.3") >> BashOperator(task_id="b", bash_command="sleep 0.3")
`);
    const child = spawn(process.execPath, [CLI, 'run', file], { cwd: scratch.dir, env: env() });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // As `head -1` does: read the first line, then close the pipe.
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    assert.doesNotMatch(stderr, /EPIPE|at .*\(/);
    assert.equal(code, 0, stderr);
    const [dir] = runDirs('piped');
    assert.equal((JSON.parse(readFileSync(path.join(dir, 'run.json'), 'utf8')) as RunSummary).state, 'success');
  });

  it('a closed terminal (SIGHUP, then EIO on every write) stops the run as SIGHUP promises: cancelled, recorded, ended by SIGHUP', () => {
    const file = dagFile('hangup.py', `
with DAG(dag_id="hangup") as dag:
    BashOperator(task_id="a", bash_command="sleep 30")
`);
    // The CLI on a terminal of its own (stdout and stderr), which goes away once the run shows its first task running.
    const script = [
      'import os, pty, sys, time',
      'pid, fd = pty.fork()',
      'if pid == 0:',
      '    os.execv(sys.argv[1], sys.argv[1:])',
      'seen = b""',
      'deadline = time.time() + 20',
      'while b"running" not in seen and time.time() < deadline:',
      '    seen += os.read(fd, 4096)',
      'os.close(fd)',
      'print(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))',
    ].join('\n');
    const r = spawnSync('python3', ['-c', script, process.execPath, CLI, 'run', file], { cwd: scratch.dir, encoding: 'utf8', env: env(), timeout: 40_000 });
    assert.equal(r.status, 0, r.stderr);
    // Ended by SIGHUP itself (Python's -1; shells report 129), not by an abort (-6) or a crash.
    assert.equal(Number(r.stdout.trim()), -1, `the CLI ended with ${r.stdout.trim()}`);
    const [dir] = runDirs('hangup');
    assert.equal((JSON.parse(readFileSync(path.join(dir, 'run.json'), 'utf8')) as RunSummary).state, 'cancelled');
  });

  it('runs a DAG and tasks whose ids are 250 characters long (Airflow’s limit)', () => {
    const dagId = `d${'a'.repeat(248)}z`;
    const bashId = `b${'_'.repeat(248)}1`;
    const pythonId = `p${'.'.repeat(248)}2`;
    const file = dagFile('long_ids.py', `
def hello():
    print("hello")

with DAG(dag_id="${dagId}") as dag:
    BashOperator(task_id="${bashId}", bash_command="echo bash") >> PythonOperator(task_id="${pythonId}", python_callable=hello)
`);
    const r = cli(['run', file, '--json'], 30_000);
    assert.equal(r.status, 0, r.stderr + r.stdout);
    const json = JSON.parse(r.stdout) as RunJson;
    assert.equal(json.dag_id, dagId);
    assert.deepEqual(json.tasks.map((t) => [t.task_id, t.state, t.stdout]), [
      [bashId, 'success', 'bash\n'],
      [pythonId, 'success', 'hello\n'],
    ]);
  });
});
