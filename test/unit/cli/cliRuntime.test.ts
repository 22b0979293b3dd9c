/**
 * `vortex inspect --runtime` as users run it: the built dist/cli.js as a
 * separate process, executing DAG files with the real python3.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const REPO = path.resolve(__dirname, '../../..');
const CLI = path.join(REPO, 'dist/cli.js');

function vortex(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd: REPO, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

interface JsonFile {
  path: string;
  dags: Array<{ dag_id: string; line: number; tasks: Array<{ task_id: string; operator: string; line: number; upstream: string[]; downstream: string[] }>; edges: unknown[] }>;
  diagnostics: Array<{ code: string; severity: string; message: string; line: number; column: number }>;
}

function json(stdout: string): JsonFile[] {
  return (JSON.parse(stdout) as { files: JsonFile[] }).files;
}

describe('cli: vortex inspect --runtime', function () {
  this.timeout(60000);
  let scratch: string;

  before(() => {
    const build = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: REPO, encoding: 'utf8' });
    assert.equal(build.status, 0, build.stderr);
    scratch = mkdtempSync(path.join(tmpdir(), 'vortex-cli-runtime-'));
  });

  after(() => rmSync(scratch, { recursive: true, force: true }));

  it('the built SDK holds the inspector, the task runner and the Airflow aliases', () => {
    const r = spawnSync('python3', ['-c', 'import vortex._inspector, vortex._runner, vortex._airflow; print(vortex._inspector.__file__)'], {
      encoding: 'utf8',
      env: { ...process.env, PYTHONPATH: path.join(REPO, 'dist', 'sdk'), PYTHONDONTWRITEBYTECODE: '1' },
    });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), path.join(REPO, 'dist', 'sdk', 'vortex', '_inspector.py'));
    // The package alone ships: not the SDK's tests or its tool configuration.
    assert.deepEqual(readdirSync(path.join(REPO, 'dist', 'sdk')), ['vortex']);
  });

  it('--json: the same shape, the DAGs as executing the file built them, and no VX404', () => {
    const r = vortex(['inspect', '--runtime', '--json', 'test/fixtures/vx404_dynamic_tasks.py']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '');
    const [file] = json(r.stdout);
    assert.equal(file.path, 'test/fixtures/vx404_dynamic_tasks.py');
    assert.deepEqual(file.diagnostics, []);
    const tasks = file.dags[0].tasks;
    assert.deepEqual(tasks.map((t) => t.task_id), ['start', 'list_tables', 'load_users', 'load_orders', 'load_payments', 'export_users', 'export_orders', 'export_payments', 'nightly_report_3']);
    assert.deepEqual(tasks[2], { task_id: 'load_users', operator: 'BashOperator', line: 28, upstream: [], downstream: [], group_id: null, decorated: false, mapped: false, branch: false, trigger_rule: null });
    // Exactly the static shape's keys: nothing of the runtime report leaks in.
    const staticJson = json(vortex(['inspect', '--json', 'test/fixtures/vx404_dynamic_tasks.py']).stdout)[0];
    assert.deepEqual(Object.keys(file.dags[0]), Object.keys(staticJson.dags[0]));
    assert.deepEqual(Object.keys(tasks[0]), Object.keys(staticJson.dags[0].tasks[0]));
  });

  it('keeps the static diagnostics other than VX404', () => {
    const r = vortex(['inspect', '--runtime', '--json', 'test/fixtures/vx405_jinja_template.py']);
    assert.equal(r.status, 0, r.stderr);
    const [file] = json(r.stdout);
    assert.ok(file.diagnostics.length > 0);
    assert.ok(file.diagnostics.every((d) => d.code === 'VX405'));
  });

  it('text: path:line:col: severity VXnnn message, and exit 1 when executing the file raised', () => {
    const r = vortex(['inspect', '--runtime', 'test/fixtures/runtime/raises.py']);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /^test\/fixtures\/runtime\/raises\.py:9:12: error VX501 KeyError: 'large'\. /m);
    // Static DAGs stand when the file cannot be executed.
    assert.match(r.stdout, /^test\/fixtures\/runtime\/raises\.py:7: DAG "runtime_raises": 1 tasks, 0 dependencies, no schedule$/m);
    assert.match(r.stdout, /1 file, 1 DAG, 1 task: 1 error, 0 warnings, 0 info/);
  });

  it('text: a resolved DAG says it was seen by executing the file', () => {
    const r = vortex(['inspect', '--runtime', 'test/fixtures/runtime/loop_tasks.py']);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^test\/fixtures\/runtime\/loop_tasks\.py:8: DAG "runtime_loop": 5 tasks, 4 dependencies, schedule "@daily" \(.*\), as executing the file built it$/m);
  });

  it('fallback: a value of an Airflow stand-in the graph needs adds VX504 (info) and the static DAGs stand, exit 0', () => {
    const r = vortex(['inspect', '--runtime', '--json', 'test/fixtures/runtime/unsupported_airflow.py']);
    assert.equal(r.status, 0, r.stderr);
    const [file] = json(r.stdout);
    assert.deepEqual(file.diagnostics.map((d) => [d.code, d.severity, d.line]), [['VX205', 'warning', 9], ['VX404', 'info', 13], ['VX504', 'info', 12]]);
    assert.deepEqual(file.dags[0].tasks.map((t) => t.task_id), ['wait_for_file', 'load']);
  });

  it('--timeout: a file that runs too long gets VX502 and exit 1', () => {
    const file = path.join(scratch, 'endless_loop.py');
    copyFileSync(path.join(REPO, 'test/fixtures/runtime/endless_loop.py'), file);
    const r = vortex(['inspect', '--runtime', '--timeout', '1', file]);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /:1[67]:\d+: error VX502 Executing the file took longer than 1 s/);
  });

  it('--python: a missing interpreter is a VX505 warning, the static result stands, exit 0', () => {
    const r = vortex(['inspect', '--runtime', '--python', '/no/such/python3', '--json', 'test/fixtures/seed_example.py']);
    assert.equal(r.status, 0, r.stderr);
    const [file] = json(r.stdout);
    assert.deepEqual(file.diagnostics.map((d) => [d.code, d.severity]), [['VX505', 'warning']]);
    assert.match(file.diagnostics[0].message, /"\/no\/such\/python3" could not be started/);
    assert.equal(file.dags[0].tasks.length, 4);
  });

  it('several files, each resolved on its own', () => {
    const r = vortex(['inspect', '--runtime', '--json', 'test/fixtures/runtime/dags_in_loop.py', 'test/fixtures/runtime/raises.py']);
    assert.equal(r.status, 1);
    const files = json(r.stdout);
    assert.deepEqual(files.map((f) => f.dags.map((d) => d.dag_id)), [['sync_acme', 'sync_globex'], ['runtime_raises']]);
    // The static VX104 on a schedule that is not a literal is answered: executing the file made each a valid cron.
    assert.deepEqual(files.map((f) => f.diagnostics.map((d) => d.code)), [[], ['VX501']]);
  });

  it('bad usage exits 2 with one line', () => {
    for (const args of [
      ['inspect', '--timeout', '5', 'test/fixtures/seed_example.py'],
      ['inspect', '--mode', 'never', 'test/fixtures/seed_example.py'],
      ['inspect', '--python', 'python3', 'test/fixtures/seed_example.py'],
      ['inspect', '--runtime', '--timeout', 'soon', 'test/fixtures/seed_example.py'],
      ['inspect', '--runtime', '--timeout', '-1', 'test/fixtures/seed_example.py'],
      ['inspect', '--runtime'],
    ]) {
      const r = vortex(args);
      assert.equal(r.status, 2, `${args.join(' ')} → ${r.status}`);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.match(r.stderr, /^vortex: /);
    }
  });

  it('the usage text shows --mode with its options, and --runtime', () => {
    assert.match(vortex(['--help']).stdout, /vortex inspect FILE\.\.\. .*\n\s+\[--mode static\|auto\|runtime \[--timeout SECONDS\] \[--python PATH\]\]\n\s+\[--runtime/);
  });

  it('--mode runtime is --runtime; --mode auto executes a file that makes tasks dynamically; static (the default) never executes', () => {
    const file = 'test/fixtures/vx404_dynamic_tasks.py';
    const taskCount = (args: string[]) => {
      const r = vortex(['inspect', '--json', ...args, file]);
      assert.equal(r.status, 0, r.stderr);
      const [only] = json(r.stdout);
      return { tasks: only.dags[0].tasks.length, codes: only.diagnostics.map((d) => d.code) };
    };
    assert.deepEqual(taskCount(['--mode', 'runtime']), { tasks: 9, codes: [] });
    assert.deepEqual(taskCount(['--mode', 'auto']), { tasks: 9, codes: [] });
    const statically = taskCount(['--mode', 'static']);
    assert.ok(statically.tasks < 9 && statically.codes.includes('VX404'), JSON.stringify(statically));
    assert.deepEqual(taskCount([]), statically);
    for (const args of [['--mode', 'sometimes'], ['--mode', 'static', '--runtime'], ['--mode', 'static', '--python', 'python3']]) {
      const r = vortex(['inspect', ...args, file]);
      assert.equal(r.status, 2, `${args.join(' ')} → ${r.status}`);
      assert.match(r.stderr, /^vortex: .*--(mode|runtime|python)/);
    }
  });

  it('a file that ends its interpreter at import is an error naming how it ended, and inspect exits 1', () => {
    const ends = {
      exit3: ['os._exit(3)', /exited with code 3/],
      exit0: ['os._exit(0)', /exited with code 0/],
      segv: ['os.kill(os.getpid(), signal.SIGSEGV)', /killed by SIGSEGV \(a segmentation fault\)/],
    } as const;
    for (const [name, [statement, how]] of Object.entries(ends)) {
      const file = path.join(scratch, `${name}.py`);
      writeFileSync(file, `import os, signal\nfrom vortex import DAG\nfrom vortex.operators.bash import BashOperator\n${statement}\nwith DAG(dag_id="${name}") as dag:\n    BashOperator(task_id="a", bash_command="true")\n`);
      const r = vortex(['inspect', '--runtime', file]);
      assert.equal(r.status, 1, `${name}: ${r.stdout}`);
      assert.match(r.stdout, new RegExp(`${name}\\.py:5:1: error VX507 Executing the file ended the Python process`), name);
      assert.match(r.stdout, how, name);
      assert.doesNotMatch(r.stdout, /Python 3\.8|could not be started/, `${name} blames the interpreter`);
    }
  });
});
