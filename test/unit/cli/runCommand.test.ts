/**
 * `vortex run`, as users run it: the built dist/cli.js as a process, on DAG
 * files written into a scratch folder, with its JSON, its exit status and the
 * logs it leaves.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { RunJson } from '../../../cli/src/runCommand';
import { processRuns, REPO, scratchDir } from '../../support/execution';
import { PANDAS_DAG } from '../../support/missingModules';

const CLI = path.join(REPO, 'dist', 'cli.js');
const SECRET = 'pa55-W0rd-value';

let scratch: { dir: string; remove: () => void };

interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

function env(): NodeJS.ProcessEnv {
  return { ...process.env, VORTEX_RUNS_DIR: path.join(scratch.dir, 'runs') };
}

function cli(...args: string[]): CliRun {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: scratch.dir, encoding: 'utf8', env: env() });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function cliJson(...args: string[]): { status: number | null; json: RunJson; stdout: string; stderr: string } {
  const r = cli(...args, '--json');
  assert.ok(r.stdout.startsWith('{'), `no JSON on stdout; stderr: ${r.stderr}`);
  return { ...r, json: JSON.parse(r.stdout) as RunJson };
}

function dagFile(name: string, body: string): string {
  const header = [
    'import os, sys, time',
    'from vortex import DAG',
    'from vortex.operators.bash import BashOperator',
    'from vortex.operators.python import PythonOperator',
    'from vortex.operators.empty import EmptyOperator',
    '',
  ].join('\n');
  writeFileSync(path.join(scratch.dir, name), `${header}${body.trim()}\n`);
  return name;
}

const byId = (json: RunJson) => Object.fromEntries(json.tasks.map((t) => [t.task_id, t]));

describe('vortex run', function () {
  this.timeout(30_000);

  before(() => {
    // The CLI under test is the bundle users get, with dist/sdk beside it.
    const build = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: REPO, encoding: 'utf8' });
    assert.equal(build.status, 0, build.stderr);
  });
  beforeEach(() => {
    scratch = scratchDir();
  });
  afterEach(() => scratch.remove());

  it('runs a DAG and prints the JSON of cli.md', () => {
    const file = dagFile('ok.py', `
def my_python_logic(greeting, name="world"):
    import vortex
    print("%s, %s from %s" % (greeting, name, os.path.relpath(vortex.__file__, ${JSON.stringify(REPO)})))

with DAG(dag_id="example_vortex_dag", schedule_interval="0 12 * * *") as dag:
    start = EmptyOperator(task_id="start")
    run_script = BashOperator(task_id="run_script", bash_command="echo 'Hello from VORTEX!'")
    process_data = PythonOperator(task_id="process_data", python_callable=my_python_logic, op_args=["hi"], op_kwargs={"name": "you"})
    end = EmptyOperator(task_id="end")
    start >> [run_script, process_data] >> end
`);
    const { status, json, stderr } = cliJson('run', file);
    assert.equal(status, 0, stderr);
    assert.deepEqual(Object.keys(json), ['dag_id', 'run_id', 'logical_date', 'data_interval_start', 'data_interval_end', 'state', 'duration_ms', 'tasks']);
    assert.equal(json.dag_id, 'example_vortex_dag');
    assert.equal(json.state, 'success');
    assert.ok(Number.isInteger(json.duration_ms));
    assert.deepEqual(json.tasks.map((t) => t.task_id), ['start', 'run_script', 'process_data', 'end']);
    const t = byId(json);
    assert.deepEqual(t.run_script, {
      task_id: 'run_script',
      operator: 'BashOperator',
      state: 'success',
      exit_code: 0,
      timed_out: false,
      duration_ms: t.run_script.duration_ms,
      stdout: 'Hello from VORTEX!\n',
      stderr: '',
      tries: 1,
      xcom: { return_value: 'Hello from VORTEX!' },
      rendered: { bash_command: "echo 'Hello from VORTEX!'" },
    });
    // The Python task imports the SDK the build put beside the bundle.
    assert.equal(t.process_data.stdout, `hi, you from ${path.join('dist', 'sdk', 'vortex', '__init__.py')}\n`);
    assert.equal(t.start.state, 'success');
    assert.equal(t.start.exit_code, null);
  });

  it('runs more than ten tasks at once without Node warning of a listener leak on stderr', () => {
    const tasks = Array.from({ length: 12 }, (_, i) => `    BashOperator(task_id="t${i}", bash_command="sleep 0.3")`).join('\n');
    const file = dagFile('wide.py', `\nwith DAG(dag_id="wide") as dag:\n${tasks}\n`);
    const { status, json, stderr } = cliJson('run', file, '--parallelism', '12');
    assert.equal(status, 0, stderr);
    assert.equal(json.tasks.length, 12);
    assert.equal(stderr, '');
  });

  it('exits 1 when a task fails; downstream is upstream_failed, other branches run; the traceback is in stderr', () => {
    const file = dagFile('fail.py', `
def boom():
    raise ValueError("broken on purpose")

with DAG(dag_id="failing") as dag:
    a = BashOperator(task_id="a", bash_command="echo a")
    b = PythonOperator(task_id="b", python_callable=boom)
    c = BashOperator(task_id="c", bash_command="touch c-ran")
    d = BashOperator(task_id="d", bash_command="echo d")
    a >> b >> c
    a >> d
`);
    const { status, json } = cliJson('run', file);
    assert.equal(status, 1);
    assert.equal(json.state, 'failed');
    const t = byId(json);
    assert.deepEqual(json.tasks.map((x) => x.state), ['success', 'failed', 'upstream_failed', 'success']);
    assert.equal(t.b.exit_code, 1);
    assert.match(t.b.stderr, /Traceback[\s\S]*ValueError: broken on purpose/);
    assert.deepEqual([t.c.exit_code, t.c.duration_ms, t.c.stdout], [null, null, '']);
    assert.equal(existsSync(path.join(scratch.dir, 'c-ran')), false);
  });

  it('gives tasks their secrets from --secrets-file and masks them in the JSON and the logs', () => {
    const file = dagFile('secret.py', `
def show():
    print("python sees " + os.environ["API_TOKEN"])
    sys.stderr.write("and " + os.environ["DB_PASSWORD"] + "\\n")

with DAG(dag_id="secretive", secrets=["API_TOKEN"]) as dag:
    b = BashOperator(task_id="b", bash_command="echo bash sees $API_TOKEN")
    p = PythonOperator(task_id="p", python_callable=show, secrets=["DB_PASSWORD"])
    b >> p
`);
    writeFileSync(path.join(scratch.dir, 'vault.env'), `# the vault\nAPI_TOKEN="${SECRET}"\nDB_PASSWORD=db-${SECRET}\n`);
    const { status, json, stdout } = cliJson('run', file, '--secrets-file', 'vault.env');
    assert.equal(status, 0, JSON.stringify(json));
    assert.ok(!stdout.includes(SECRET));
    const t = byId(json);
    assert.equal(t.b.stdout, 'bash sees ***\n');
    assert.equal(t.p.stdout, 'python sees ***\n');
    // The runner's line saying what it calls comes first.
    assert.equal(t.p.stderr, '[vortex] calling show()\nand ***\n');

    const dagRuns = path.join(scratch.dir, 'runs', 'secretive');
    const [runDir] = readdirSync(dagRuns).map((d) => path.join(dagRuns, d));
    for (const name of readdirSync(runDir)) assert.ok(!readFileSync(path.join(runDir, name), 'utf8').includes(SECRET), name);
    assert.equal(readFileSync(path.join(runDir, 'b.log'), 'utf8').replace(/^\[[\d:.]+\] /gm, ''), '[vortex] running: echo bash sees $API_TOKEN\nbash sees ***\n');
  });

  it('does not mask a secret shorter than 5 characters, and warns that it is not masked; longer ones stay masked', () => {
    const file = dagFile('short.py', `
with DAG(dag_id="short_secret") as dag:
    BashOperator(task_id="b", bash_command="echo quick queen $PIN $API_TOKEN", secrets=["PIN", "API_TOKEN", "UNUSED"])
`);
    writeFileSync(path.join(scratch.dir, 'vault.env'), `PIN=qu\nAPI_TOKEN=${SECRET}\nUNUSED=x\n`);
    const { status, json, stderr } = cliJson('run', file, '--secrets-file', 'vault.env');
    assert.equal(status, 0, stderr);
    assert.equal(json.tasks[0].stdout, 'quick queen qu ***\n');
    assert.match(stderr, /^vortex: warning: secret PIN is shorter than 5 characters, so task output does not mask it/m);
    assert.match(stderr, /^vortex: warning: secret UNUSED is shorter/m);
    assert.doesNotMatch(stderr, /API_TOKEN/);
  });

  it('fails a task whose secret the file lacks, naming the secret, before it starts', () => {
    const file = dagFile('missing.py', `
with DAG(dag_id="missing") as dag:
    BashOperator(task_id="needs", bash_command="touch started", secrets=["NOT_THERE"])
`);
    writeFileSync(path.join(scratch.dir, 'vault.env'), 'OTHER=1\n');
    const { status, json } = cliJson('run', file, '--secrets-file', 'vault.env');
    assert.equal(status, 1);
    assert.match(json.tasks[0].stderr, /missing secret 'NOT_THERE'/);
    assert.equal(existsSync(path.join(scratch.dir, 'started')), false);
  });

  for (const mode of ['auto', 'runtime']) {
    it(`--mode ${mode}: a file importing a module that is not installed runs the tasks that do not use it; the one that does fails naming the install command`, function () {
      if (spawnSync('python3', ['-c', 'import pandas']).status === 0) this.skip();
      writeFileSync(path.join(scratch.dir, 'pandas_report.py'), PANDAS_DAG);
      const { status, json, stderr } = cliJson('run', 'pandas_report.py', '--mode', mode);
      assert.equal(status, 1, stderr);
      const t = byId(json);
      assert.deepEqual(json.tasks.map((x) => [x.task_id, x.state]), [['summarise', 'failed'], ['count', 'success'], ['notify', 'success']]);
      assert.equal(t.count.stdout, 'counted 3\n');
      assert.equal(t.notify.stdout, 'notified\n');
      assert.match(t.summarise.stderr, /ModuleNotFoundError: module pandas is not installed in \S*python\S*: "\S*python\S*" -m pip install pandas/);
    });
  }

  it('runs one task alone with --task', () => {
    const file = dagFile('one.py', `
with DAG(dag_id="one") as dag:
    BashOperator(task_id="first", bash_command="exit 1") >> BashOperator(task_id="second", bash_command="echo second")
`);
    const { status, json } = cliJson('run', file, '--task', 'second');
    assert.equal(status, 0);
    assert.deepEqual(json.tasks.map((t) => [t.task_id, t.state, t.stdout]), [['second', 'success', 'second\n']]);
  });

  it('times tasks out with --timeout, and a task’s own execution_timeout wins', () => {
    const file = dagFile('slow.py', `
from datetime import timedelta
with DAG(dag_id="slow") as dag:
    BashOperator(task_id="slow", bash_command="sleep 30")
    BashOperator(task_id="patient", bash_command="sleep 1.5; echo done", execution_timeout=timedelta(seconds=10))
`);
    const started = Date.now();
    const { status, json } = cliJson('run', file, '--timeout', '1');
    assert.equal(status, 1);
    assert.ok(Date.now() - started < 10_000);
    const t = byId(json);
    assert.deepEqual([t.slow.state, t.slow.timed_out, t.slow.exit_code], ['failed', true, null]);
    assert.deepEqual([t.patient.state, t.patient.timed_out, t.patient.stdout], ['success', false, 'done\n']);
  });

  it('runs tasks one at a time with --parallelism 1', () => {
    const file = dagFile('par.py', `
with DAG(dag_id="par") as dag:
    a = BashOperator(task_id="a", bash_command="sleep 0.3")
    b = BashOperator(task_id="b", bash_command="sleep 0.3")
    c = BashOperator(task_id="c", bash_command="sleep 0.3")
`);
    const serial = cliJson('run', file, '--parallelism', '1').json;
    const parallel = cliJson('run', file, '--parallelism', '3').json;
    assert.ok(serial.duration_ms >= 900, `serial took ${serial.duration_ms} ms`);
    assert.ok(parallel.duration_ms < 850, `parallel took ${parallel.duration_ms} ms`);
  });

  it('refuses a file with error diagnostics: prints them, exits 1, runs nothing', () => {
    const file = dagFile('broken.py', `
with DAG(dag_id="broken") as dag:
    a = BashOperator(task_id="a", bash_command="touch ran")
    b = BashOperator(task_id="a", bash_command="touch ran")
`);
    const r = cli('run', file);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^broken\.py:\d+:\d+: error VX201 /m);
    assert.match(r.stderr, /not running broken\.py: it has 1 error/);
    assert.equal(r.stdout, '');
    assert.equal(existsSync(path.join(scratch.dir, 'ran')), false);
  });

  it('exits 2 with one line on stderr for bad usage and unreadable files', () => {
    const two = dagFile('two.py', `
a_dag = DAG(dag_id="first_dag")
b_dag = DAG(dag_id="second_dag")
BashOperator(task_id="x", bash_command="true", dag=a_dag)
BashOperator(task_id="y", bash_command="true", dag=b_dag)
`);
    const cases: [string[], RegExp][] = [
      [['run'], /run needs exactly one FILE/],
      [['run', 'nope.py'], /cannot read nope\.py: no such file/],
      [['run', two], /defines 2 DAGs \(first_dag, second_dag\): choose one with --dag/],
      [['run', two, '--dag', 'zzz'], /no DAG "zzz" in two\.py \(it defines: first_dag, second_dag\)/],
      [['run', two, '--dag', 'first_dag', '--task', 'y'], /no task "y" in DAG "first_dag"/],
      [['run', two, '--parallelism', '0'], /--parallelism must be a whole number of at least 1, not "0"/],
      [['run', two, '--timeout', 'soon'], /--timeout must be a positive number of seconds, not "soon"/],
      [['run', two, '--secrets-file', 'absent.env'], /cannot read secrets file absent\.env: no such file/],
      [['run', two, '--frobnicate'], /Unknown option '--frobnicate'/],
    ];
    for (const [args, message] of cases) {
      const r = cli(...args);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.match(r.stderr, /^vortex: /);
    }
  });

  it('shows people a table of task states, durations and where the logs are', () => {
    const file = dagFile('people.py', `
with DAG(dag_id="people") as dag:
    BashOperator(task_id="hello", bash_command="echo hi") >> BashOperator(task_id="oops", bash_command="echo bad >&2; exit 3")
`);
    const r = cli('run', file);
    assert.equal(r.status, 1);
    assert.match(r.stdout, /^Running DAG "people" from people\.py \(run manual__\S+, logical date \S+\)$/m);
    assert.match(r.stdout, /^ {2}TASK\s+OPERATOR\s+STATE\s+DURATION$/m);
    assert.match(r.stdout, /^ {2}hello\s+BashOperator\s+success\s+\d+\.\d\d s$/m);
    assert.match(r.stdout, /^ {2}oops\s+BashOperator\s+failed\s+\d+\.\d\d s$/m);
    assert.match(r.stdout, /^oops: exited with code 3\n {2}\| bad\n {2}log: .*oops\.log$/m);
    assert.match(r.stdout, /^DAG "people" failed in \d+\.\d\d s: 2 tasks, 1 success, 1 failed$/m);
    const logs = /^logs: (.+)$/m.exec(r.stdout)?.[1];
    assert.ok(logs && existsSync(path.join(logs, 'run.json')));
  });

  it('on Ctrl-C stops running tasks with their process groups, reports the run cancelled and exits 130', async () => {
    const file = dagFile('long.py', `
with DAG(dag_id="long") as dag:
    BashOperator(task_id="a", bash_command="sleep 30 & echo PID=$!; wait") >> BashOperator(task_id="b", bash_command="echo b")
`);
    const child = spawn(process.execPath, [CLI, 'run', file, '--json'], { cwd: scratch.dir, env: env() });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    // Wait until the task's grandchild is running: its log says so.
    const deadline = Date.now() + 10_000;
    let pid: number | undefined;
    while (pid === undefined && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      const runs = path.join(scratch.dir, 'runs', 'long');
      for (const dir of existsSync(runs) ? readdirSync(runs) : []) {
        const log = path.join(runs, dir, 'a.log');
        const m = existsSync(log) ? /PID=(\d+)/.exec(readFileSync(log, 'utf8')) : null;
        if (m) pid = Number(m[1]);
      }
    }
    assert.ok(pid, 'the task never started');
    child.kill('SIGINT');
    assert.equal(await exited, 130);
    const json = JSON.parse(stdout) as RunJson;
    assert.equal(json.state, 'cancelled');
    assert.deepEqual(json.tasks.map((t) => t.state), ['failed', 'skipped']);
    assert.equal(processRuns(pid), false);
  });

  it('starts tasks through the spawner; with VORTEX_SPAWNER=node or without python3 on the PATH, itself; the run is the same', () => {
    const file = dagFile('parents.py', `
with DAG(dag_id="parents") as dag:
    BashOperator(task_id="who", bash_command="cat /proc/$PPID/comm > parent-$VORTEX_CASE.txt; echo done")
`);
    const onlyShell = path.join(scratch.dir, 'bin');
    mkdirSync(onlyShell);
    for (const tool of ['sh', 'cat']) symlinkSync(execFileSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim(), path.join(onlyShell, tool));
    const cases: [string, NodeJS.ProcessEnv, RegExp][] = [
      ['spawner', {}, /^python/],
      ['node', { VORTEX_SPAWNER: 'node' }, /^node/],
      ['nopython', { PATH: onlyShell }, /^node/],
    ];
    for (const [name, extra, parent] of cases) {
      const r = spawnSync(process.execPath, [CLI, 'run', file, '--json'], { cwd: scratch.dir, encoding: 'utf8', env: { ...env(), ...extra, VORTEX_CASE: name } });
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stderr, '', `${name}: nothing on stderr`);
      const json = JSON.parse(r.stdout) as RunJson;
      assert.deepEqual(json.tasks.map((t) => [t.task_id, t.state]), [['who', 'success']]);
      assert.match(readFileSync(path.join(scratch.dir, `parent-${name}.txt`), 'utf8'), parent, name);
    }
  });
});
