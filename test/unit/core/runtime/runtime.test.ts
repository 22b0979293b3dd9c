/**
 * Runtime resolution with real processes: `resolveAtRuntime` runs python3 on
 * the dynamic fixtures of test/fixtures/runtime and on DAG files that go wrong
 * in each way the diagnostics VX501-VX508 describe.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { inspectDags, inspectRuntimeDags } from '../../../../cli/src/report';
import { analyse } from '../../../../core/analysis/analyse';
import type { Diagnostic } from '../../../../core/analysis/model';
import { loadPython } from '../../../../core/analysis/parser';
import { executeTask } from '../../../../core/run/taskExecutor';
import type { RuntimeOutcome } from '../../../../core/runtime/report';
import { resolveAtRuntime } from '../../../../core/runtime/resolver';
import { processRuns, pythonSpec, REPO, scratchDir, SDK } from '../../../support/execution';
import { PANDAS_DAG } from '../../../support/missingModules';

const RUNTIME_FIXTURES = path.join(REPO, 'test', 'fixtures', 'runtime');
const fixture = (name: string) => path.join(RUNTIME_FIXTURES, name);

/** The one diagnostic of an outcome, with 1-based positions for readable asserts. */
function only(outcome: RuntimeOutcome): Diagnostic & { line: number; column: number; endLine: number; endColumn: number } {
  assert.equal(outcome.diagnostics.length, 1, JSON.stringify(outcome.diagnostics));
  const d = outcome.diagnostics[0];
  return { ...d, line: d.range.start.line + 1, column: d.range.start.character + 1, endLine: d.range.end.line + 1, endColumn: d.range.end.character + 1 };
}

/** The 1-based line of the first line of `file` that contains `text`. */
function lineOf(file: string, text: string): number {
  const index = readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes(text));
  assert.ok(index >= 0, `${text} is in ${file}`);
  return index + 1;
}

/** Pids a fixture wrote to pids.txt in its folder: its own and its child's. */
function writtenPids(dir: string): number[] {
  return readFileSync(path.join(dir, 'pids.txt'), 'utf8').trim().split(/\s+/).map(Number);
}

describe('runtime resolution: resolveAtRuntime', function () {
  this.timeout(30000);

  describe('dynamic DAG files: exact tasks, edges and creation lines (goldens in test/fixtures/runtime)', () => {
    const goldens = readdirSync(RUNTIME_FIXTURES).filter((f) => f.endsWith('.expected.json')).sort();

    it('has goldens for loops, comprehensions, helpers here and in a sibling module, DAGs in a loop and a dict', () => {
      assert.deepEqual(goldens, ['comprehension_tasks.expected.json', 'dags_in_loop.expected.json', 'dict_tasks.expected.json', 'helper_tasks.expected.json', 'loop_tasks.expected.json']);
    });

    for (const golden of goldens) {
      const name = golden.replace('.expected.json', '.py');
      it(`${name}: resolves to the golden DAGs`, async () => {
        const file = fixture(name);
        const outcome = await resolveAtRuntime(file);
        assert.equal(outcome.status, 'resolved', JSON.stringify(outcome.diagnostics));
        assert.deepEqual(outcome.diagnostics, []);
        assert.equal(outcome.path, file);
        assert.equal(outcome.pythonPath, 'python3');
        // `file` is absolute and so not in the golden: checked here, then left out.
        const dags = outcome.dags.map(({ file: dagFile, tasks, ...dag }) => {
          assert.equal(dagFile, file);
          return {
            ...dag,
            tasks: tasks.map(({ file: taskFile, ...task }) => {
              assert.equal(taskFile, file);
              return task;
            }),
          };
        });
        assert.deepEqual({ dags }, JSON.parse(readFileSync(fixture(golden), 'utf8')));
      });
    }
  });

  it('keeps the report intact whatever the file prints, and reports the same thing every time', async () => {
    const { dir, remove } = scratchDir();
    try {
      const file = path.join(dir, 'noisy.py');
      writeFileSync(
        file,
        'import os, subprocess, sys\nfrom vortex import DAG\nfrom vortex.operators.dummy import DummyOperator\n' +
          'print("{not json")\nsys.stdout.write("]]")\nos.write(1, b"raw")\nsubprocess.run(["echo", "from a child"])\n' +
          'with DAG("noisy") as dag:\n    DummyOperator(task_id="a")\n',
      );
      const first = await resolveAtRuntime(file);
      assert.equal(first.status, 'resolved', JSON.stringify(first.diagnostics));
      assert.deepEqual(first.dags.map((d) => d.tasks.map((t) => [t.task_id, t.line])), [[['a', 9]]]);
      const second = await resolveAtRuntime(file);
      assert.deepEqual(second.dags, first.dags);
    } finally {
      remove();
    }
  });

  it('executes the file as Airflow imports it: not as __main__, its folder importable, no __pycache__ left', async () => {
    const { dir, remove } = scratchDir();
    try {
      writeFileSync(path.join(dir, 'sibling.py'), 'NAME = "from_sibling"\n');
      writeFileSync(
        path.join(dir, 'dag.py'),
        'from sibling import NAME\nfrom vortex import DAG\nfrom vortex.operators.dummy import DummyOperator\n' +
          'with DAG(NAME + "_" + __name__) as dag:\n    DummyOperator(task_id="a")\n' +
          'if __name__ == "__main__":\n    raise SystemExit("run as a script")\n',
      );
      const outcome = await resolveAtRuntime(path.join(dir, 'dag.py'));
      assert.equal(outcome.status, 'resolved', JSON.stringify(outcome.diagnostics));
      assert.equal(outcome.dags[0].dag_id, 'from_sibling_vortex_dag_dag');
      assert.equal(existsSync(path.join(dir, '__pycache__')), false);
    } finally {
      remove();
    }
  });

  it('fills kind, qualified_operator, bash_command, python_callable, secrets and execution_timeout', async () => {
    const { dir, remove } = scratchDir();
    try {
      const file = path.join(dir, 'fields.py');
      writeFileSync(
        file,
        [
          'from datetime import timedelta',
          'from vortex import DAG',
          'from vortex.operators.bash import BashOperator',
          'from vortex.operators.empty import EmptyOperator',
          'from vortex.operators.python import PythonOperator',
          'from vortex.models.baseoperator import BaseOperator',
          'class Custom(BaseOperator):',
          '    pass',
          'class LoudBash(BashOperator):',
          '    def execute(self, context=None):',
          '        print("loud")',
          'class QuietBash(BashOperator):',
          '    pass',
          'def top():',
          '    pass',
          'def outer():',
          '    def inner():',
          '        pass',
          '    return inner',
          'with DAG("fields", default_args={"secrets": ["FROM_DEFAULTS"], "execution_timeout": 2.5}) as dag:',
          '    BashOperator(task_id="bash", bash_command="echo " + "computed", secrets=["TOKEN"])',
          '    PythonOperator(task_id="top", python_callable=top, execution_timeout=timedelta(minutes=2))',
          '    PythonOperator(task_id="inner", python_callable=outer())',
          '    PythonOperator(task_id="lambda", python_callable=lambda: None)',
          '    EmptyOperator(task_id="empty")',
          '    Custom(task_id="custom")',
          '    LoudBash(task_id="loud", bash_command="true")',
          '    QuietBash(task_id="quiet", bash_command="true")',
          '',
        ].join('\n'),
      );
      const outcome = await resolveAtRuntime(file);
      assert.equal(outcome.status, 'resolved', JSON.stringify(outcome.diagnostics));
      const rows = outcome.dags[0].tasks.map((t) => [t.task_id, t.kind, t.qualified_operator, t.bash_command, t.python_callable, t.secrets, t.execution_timeout]);
      assert.deepEqual(rows, [
        ['bash', 'bash', 'vortex.operators.bash.BashOperator', 'echo computed', null, ['TOKEN'], 2.5],
        ['top', 'python', 'vortex.operators.python.PythonOperator', null, 'top', ['FROM_DEFAULTS'], 120],
        ['inner', 'python', 'vortex.operators.python.PythonOperator', null, null, ['FROM_DEFAULTS'], 2.5],
        ['lambda', 'python', 'vortex.operators.python.PythonOperator', null, null, ['FROM_DEFAULTS'], 2.5],
        ['empty', 'dummy', 'vortex.operators.empty.EmptyOperator', null, null, ['FROM_DEFAULTS'], 2.5],
        // The executor runs a task's command or callable, not its execute(): an override makes it "other".
        ['custom', 'other', 'vortex_dag_fields.Custom', null, null, ['FROM_DEFAULTS'], 2.5],
        ['loud', 'other', 'vortex_dag_fields.LoudBash', 'true', null, ['FROM_DEFAULTS'], 2.5],
        ['quiet', 'bash', 'vortex_dag_fields.QuietBash', 'true', null, ['FROM_DEFAULTS'], 2.5],
      ]);
    } finally {
      remove();
    }
  });

  describe('when executing the file goes wrong', () => {
    it('VX501: an exception, on the expression that raised, with its type and message', async () => {
      const file = fixture('raises.py');
      const outcome = await resolveAtRuntime(file);
      assert.equal(outcome.status, 'failed');
      assert.deepEqual(outcome.dags, []);
      const d = only(outcome);
      assert.equal(d.code, 'VX501');
      assert.equal(d.severity, 'error');
      const line = lineOf(file, 'SIZES["large"]');
      assert.deepEqual([d.line, d.column, d.endLine, d.endColumn], [line, 12, line, 26]);
      assert.match(d.message, /^KeyError: 'large'\. .*import error.*fix it/);
    });

    it('VX501: columns count UTF-16 code units, as editors do, whatever Python counts', async () => {
      const { dir, remove } = scratchDir();
      try {
        const file = path.join(dir, 'wide.py');
        const bad = '    value = {"😀é": 1}["😀é"] + "x"';
        writeFileSync(file, `from vortex import DAG\nwith DAG("wide") as dag:\n${bad}\n`);
        const d = only(await resolveAtRuntime(file));
        assert.equal(d.code, 'VX501');
        assert.match(d.message, /^TypeError: /);
        assert.deepEqual([d.line, d.column, d.endLine, d.endColumn], [3, bad.indexOf('{') + 1, 3, bad.length + 1]);
      } finally {
        remove();
      }
    });

    it('VX501: an error raised in a helper module is put on the line of the DAG file that called it, naming where it came from', async () => {
      const { dir, remove } = scratchDir();
      try {
        writeFileSync(path.join(dir, 'helpers.py'), 'def make():\n    raise RuntimeError("no tasks today")\n');
        writeFileSync(path.join(dir, 'dag.py'), 'from helpers import make\nfrom vortex import DAG\nwith DAG("h") as dag:\n    make()\n');
        const d = only(await resolveAtRuntime(path.join(dir, 'dag.py')));
        assert.equal(d.code, 'VX501');
        assert.equal(d.line, 4);
        assert.match(d.message, /^RuntimeError: no tasks today \(raised in helpers\.py, line 2\)\./);
      } finally {
        remove();
      }
    });

    it('VX501: a syntax error, where Python found it', async () => {
      const file = path.join(REPO, 'test', 'fixtures', 'vx001_syntax_error.py');
      const d = only(await resolveAtRuntime(file));
      assert.equal(d.code, 'VX501');
      assert.equal(d.line, lineOf(file, '# expect: VX001'));
      assert.match(d.message, /^SyntaxError: /);
    });

    it('VX501: a dependency cycle, on its DAG, as Airflow refuses it when loading the file', async () => {
      const file = path.join(REPO, 'test', 'fixtures', 'vx301_cycle.py');
      const outcome = await resolveAtRuntime(file);
      assert.equal(outcome.status, 'failed');
      const d = only(outcome);
      assert.equal(d.line, lineOf(file, 'with DAG('));
      assert.match(d.message, /extract → transform → load → extract/);
    });

    it('VX502: an endless loop is stopped at the time limit on the line it was running, and its process group is gone', async () => {
      const { dir, remove } = scratchDir();
      try {
        const file = path.join(dir, 'endless_loop.py');
        copyFileSync(fixture('endless_loop.py'), file);
        const outcome = await resolveAtRuntime(file, { timeoutMs: 1500 });
        assert.equal(outcome.status, 'timedOut');
        const d = only(outcome);
        assert.equal(d.code, 'VX502');
        assert.equal(d.severity, 'error');
        const loop = lineOf(file, 'while True:');
        assert.ok(d.line === loop || d.line === loop + 1, `VX502 on line ${d.line}, the loop is on ${loop}-${loop + 1}`);
        // Stopped by the SDK's own timer (which knows the line), not by the hard kill a second later.
        assert.match(d.message, /longer than 1\.5 s and was stopped while running this line\. Move slow work/);
        for (const pid of writtenPids(dir)) assert.equal(processRuns(pid), false, `process ${pid} is gone`);
      } finally {
        remove();
      }
    });

    it('VX502: a file that swallows the time limit is killed with its whole group, the diagnostic on its first DAG line', async () => {
      const { dir, remove } = scratchDir();
      try {
        const file = path.join(dir, 'ignores_time_limit.py');
        copyFileSync(fixture('ignores_time_limit.py'), file);
        const outcome = await resolveAtRuntime(file, { timeoutMs: 500 });
        assert.equal(outcome.status, 'timedOut');
        const d = only(outcome);
        assert.equal(d.code, 'VX502');
        assert.equal(d.line, lineOf(file, 'with DAG('));
        assert.equal(d.column, 1);
        assert.match(d.message, /whole process group was stopped/);
        for (const pid of writtenPids(dir)) assert.equal(processRuns(pid), false, `process ${pid} is gone`);
      } finally {
        remove();
      }
    });

    it('VX502 says how to allow more time where the file was executed: the editor\'s setting, or inspect\'s --timeout', async () => {
      const { dir, remove } = scratchDir();
      try {
        for (const [name, timeoutMs] of [['endless_loop.py', 1000], ['ignores_time_limit.py', 500]] as const) {
          const file = path.join(dir, name);
          copyFileSync(fixture(name), file);
          const d = only(await resolveAtRuntime(file, { timeoutMs }));
          assert.equal(d.code, 'VX502');
          assert.match(d.message, /the vortex\.analysis\.runtimeTimeoutSeconds setting/, name);
          assert.match(d.message, /vortex inspect --runtime --timeout SECONDS/, name);
        }
      } finally {
        remove();
      }
    });

    it('an abort stops the whole group and rejects with an AbortError', async () => {
      const { dir, remove } = scratchDir();
      try {
        const file = path.join(dir, 'ignores_time_limit.py');
        copyFileSync(fixture('ignores_time_limit.py'), file);
        const controller = new AbortController();
        const pending = resolveAtRuntime(file, { signal: controller.signal });
        const deadline = Date.now() + 10000;
        while (!existsSync(path.join(dir, 'pids.txt')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
        controller.abort();
        await assert.rejects(pending, { name: 'AbortError' });
        for (const pid of writtenPids(dir)) assert.equal(processRuns(pid), false, `process ${pid} is gone`);
      } finally {
        remove();
      }
    });

    it('VX503: a module an installed library imports is missing, on the import of that library, naming the module and the interpreter', async () => {
      const { dir, remove } = scratchDir();
      try {
        // The library lies outside the DAG folder, as an installed one does: its imports are never stood in for.
        writeFileSync(path.join(dir, 'reports_lib.py'), 'import vortex_test_no_such_module.loaders\n');
        const dags = path.join(dir, 'dags');
        mkdirSync(dags);
        const file = path.join(dags, 'uses_library.py');
        writeFileSync(
          file,
          ['import sys', `sys.path.insert(0, ${JSON.stringify(dir)})`, 'from vortex import DAG', 'import reports_lib', '', 'with DAG(dag_id="uses_library") as dag:', '    pass', ''].join('\n'),
        );
        const outcome = await resolveAtRuntime(file);
        assert.equal(outcome.status, 'failed');
        const d = only(outcome);
        assert.equal(d.code, 'VX503');
        assert.equal(d.severity, 'error');
        assert.equal(d.line, lineOf(file, 'import reports_lib'));
        assert.match(d.message, /No module named 'vortex_test_no_such_module' \(raised in reports_lib\.py, line 1\) in \/\S*python\S* \(the Python that executed this file\)/);
        assert.match(d.message, /pip install vortex_test_no_such_module.*vortex\.python\.interpreter/);
      } finally {
        remove();
      }
    });

    it('VX508: a module the file itself imports is missing: stood in for, the graph resolves, information on the import naming it', async () => {
      const file = fixture('missing_module.py');
      const outcome = await resolveAtRuntime(file);
      assert.equal(outcome.status, 'resolved', JSON.stringify(outcome.diagnostics));
      assert.deepEqual(outcome.dags.map((dag) => [dag.dag_id, dag.tasks.map((t) => t.task_id)]), [['runtime_missing_module', ['load']]]);
      const d = only(outcome);
      assert.equal(d.code, 'VX508');
      assert.equal(d.severity, 'info');
      assert.equal(d.line, lineOf(file, 'import vortex_test_no_such_module'));
      assert.match(d.message, /^vortex_test_no_such_module is not installed in \/\S*python\S*: VORTEX stood in for it to build the graph, and tasks that use it will fail when they run\./);
      assert.match(d.message, /Install it: "\/\S*python\S*" -m pip install vortex_test_no_such_module/);
    });

    it('an Airflow tutorial that uses pendulum for start_date resolves to its exact tasks, with no diagnostic', async () => {
      const file = fixture('airflow_tutorial.py');
      const outcome = await resolveAtRuntime(file);
      assert.equal(outcome.status, 'resolved', JSON.stringify(outcome.diagnostics));
      assert.deepEqual(outcome.diagnostics, []);
      const [dag] = outcome.dags;
      assert.equal(dag.dag_id, 'tutorial');
      assert.deepEqual(dag.tasks.map((t) => t.task_id), ['print_date', 'sleep', 'templated', 'extra_0', 'extra_1']);
      assert.deepEqual(dag.tasks[0].downstream, ['extra_0', 'extra_1', 'sleep', 'templated']);
    });

    it('a file importing pandas, which only a task uses, resolves with one information naming pandas and its install command', async function () {
      if (spawnSync('python3', ['-c', 'import pandas']).status === 0) this.skip();
      const { dir, remove } = scratchDir();
      try {
        const file = path.join(dir, 'uses_pandas.py');
        writeFileSync(file, PANDAS_DAG);
        const outcome = await resolveAtRuntime(file);
        assert.equal(outcome.status, 'resolved', JSON.stringify(outcome.diagnostics));
        assert.deepEqual(outcome.dags[0].tasks.map((t) => t.task_id), ['summarise', 'count', 'notify']);
        const d = only(outcome);
        assert.deepEqual([d.code, d.severity, d.line], ['VX508', 'info', 1]);
        assert.match(d.message, /^pandas is not installed in .*tasks that use it will fail when they run\. Install it: "\S*python\S*" -m pip install pandas/);
      } finally {
        remove();
      }
    });

    it('VX504: a value the file needs from an Airflow name VORTEX only stands in for, on the line that needs it: fallback to static analysis', async () => {
      const file = fixture('unsupported_airflow.py');
      const outcome = await resolveAtRuntime(file);
      assert.equal(outcome.status, 'fallback');
      assert.deepEqual(outcome.dags, []);
      const d = only(outcome);
      assert.equal(d.code, 'VX504');
      assert.equal(d.severity, 'info');
      assert.equal(d.line, lineOf(file, 'for section in conf.getsection'));
      assert.match(d.message, /the file uses airflow\.configuration\.conf\.getsection\(\.\.\.\) as a sequence.*falls back to static analysis/);
    });

    it('every Airflow name resolves, however it is reached: decorators, Variable, sensors, providers, hooks, macros, dynamic task mapping', async () => {
      const { dir, remove } = scratchDir();
      try {
        const cases = [
          'from airflow.decorators import task\n@task\ndef f():\n    pass\nwith DAG("d") as dag:\n    f()',
          'from airflow.models import Variable\nwith DAG(Variable.get("missing_dag_id", default_var="d")) as dag:\n    pass',
          'from airflow.operators.python import get_current_context\nwith DAG("d") as dag:\n    pass',
          'from airflow.providers.amazon.aws.sensors.s3 import S3KeySensor\nwith DAG("d") as dag:\n    S3KeySensor(task_id="wait", bucket_key="s3://b/k")',
          'import airflow\nwith DAG("d") as dag:\n    airflow.models.Variable.get("x", default_var=None)',
          'from airflow.operators.bash import BashOperator\nwith DAG("d") as dag:\n    BashOperator.partial(task_id="t").expand(bash_command=["a", "b"])',
          'from airflow.providers.http.hooks.http import HttpHook\nfrom airflow.macros import ds_add\nclass MyHook(HttpHook):\n    pass\nwith DAG("d", user_defined_macros={"ds_add": ds_add}) as dag:\n    MyHook(http_conn_id="x")',
        ];
        for (const [i, source] of cases.entries()) {
          const file = path.join(dir, `case_${i}.py`);
          writeFileSync(file, `from airflow import DAG\n${source}\n`);
          const outcome = await resolveAtRuntime(file);
          assert.equal(outcome.status, 'resolved', `${source}: ${JSON.stringify(outcome.diagnostics)}`);
          assert.deepEqual(outcome.dags.map((d) => d.dag_id), ['d'], source);
        }
      } finally {
        remove();
      }
    });

    it('an optional Airflow import guarded by except ImportError works as it would without Airflow', async () => {
      const { dir, remove } = scratchDir();
      try {
        const file = path.join(dir, 'guarded.py');
        writeFileSync(
          file,
          'from airflow import DAG\nfrom airflow.operators.empty import EmptyOperator\ntry:\n    from airflow.exceptions import AirflowSkipException\nexcept ImportError:\n    AirflowSkipException = Exception\nwith DAG("guarded") as dag:\n    EmptyOperator(task_id="a")\n',
        );
        const outcome = await resolveAtRuntime(file);
        assert.equal(outcome.status, 'resolved', JSON.stringify(outcome.diagnostics));
        assert.equal(outcome.dags[0].tasks[0].qualified_operator, 'vortex.operators.empty.EmptyOperator');
      } finally {
        remove();
      }
    });

    it('VX505: an interpreter that cannot be started: unavailable, naming it and how to choose another', async () => {
      const file = fixture('loop_tasks.py');
      const outcome = await resolveAtRuntime(file, { pythonPath: '/no/such/python3' });
      assert.equal(outcome.status, 'unavailable');
      assert.equal(outcome.pythonPath, '/no/such/python3');
      const d = only(outcome);
      assert.equal(d.code, 'VX505');
      assert.equal(d.severity, 'warning');
      assert.equal(d.line, lineOf(file, 'with DAG('));
      assert.match(d.message, /"\/no\/such\/python3" could not be started \(not found\).*vortex\.python\.interpreter/);
    });

    it('VX507: a file that ends its interpreter (os._exit with any code, a signal) is an error naming how, not a warning about the interpreter', async () => {
      const { dir, remove } = scratchDir();
      try {
        const ends = {
          exit3: ['os._exit(3)', /: it exited with code 3, with no error output\./],
          exit0: ['os._exit(0)', /: it exited with code 0, with no error output\./],
          segv: ['os.kill(os.getpid(), signal.SIGSEGV)', /: it was killed by SIGSEGV \(a segmentation fault\)/],
          stderr: ['sys.stderr.write("warehouse unreachable\\n"); sys.stderr.flush(); os._exit(4)', /code 4; its last error output: warehouse unreachable\./],
        } as const;
        for (const [name, [statement, how]] of Object.entries(ends)) {
          const file = path.join(dir, `${name}.py`);
          writeFileSync(file, `import os, signal, sys\nfrom vortex import DAG\nfrom vortex.operators.bash import BashOperator\n${statement}\nwith DAG(dag_id="${name}") as dag:\n    for n in "ab":\n        BashOperator(task_id=n, bash_command="true")\n`);
          const outcome = await resolveAtRuntime(file);
          assert.equal(outcome.status, 'failed', name);
          const d = only(outcome);
          assert.equal(d.code, 'VX507', `${name}: ${d.message}`);
          assert.equal(d.severity, 'error');
          assert.equal(d.line, 5);
          assert.match(d.message, how, name);
          assert.doesNotMatch(d.message, /3\.8|vortex\.python\.interpreter/, name);
        }
      } finally {
        remove();
      }
    });

    it('VX506: an interpreter that crashes, prints no report or a report that fails the type guard: failed, with stderr\'s last line', async () => {
      const { dir, remove } = scratchDir();
      try {
        const fake = (name: string, script: string) => {
          const file = path.join(dir, name);
          writeFileSync(file, `#!/bin/sh\n${script}\n`);
          chmodSync(file, 0o755);
          return file;
        };
        const file = fixture('loop_tasks.py');
        const crash = await resolveAtRuntime(file, { pythonPath: fake('crash', 'echo "Traceback (most recent call last):" >&2\necho "Fatal Python error: Segmentation fault" >&2\nkill -SEGV $$') });
        assert.equal(crash.status, 'failed');
        assert.match(only(crash).message, /gave no report, and it cannot run the VORTEX SDK at all: it was killed by SIGSEGV \(a segmentation fault\); its last error output: Fatal Python error: Segmentation fault\. .*Python 3\.8.*vortex\.python\.interpreter/);
        assert.equal(only(crash).code, 'VX506');

        const garbage = await resolveAtRuntime(file, { pythonPath: fake('garbage', 'echo "{not json"') });
        assert.equal(garbage.status, 'failed');
        assert.match(only(garbage).message, /not a report VORTEX can use/);

        const hostileReport = JSON.stringify({ files: [{ path: file, dags: [{ dag_id: 'x', tasks: 'all of them' }], diagnostics: [] }] });
        const hostile = await resolveAtRuntime(file, { pythonPath: fake('hostile', `cat <<'EOF'\n${hostileReport}\nEOF`) });
        assert.equal(hostile.status, 'failed');
        assert.equal(only(hostile).code, 'VX506');

        const wrongCode = JSON.stringify({ files: [{ path: file, dags: [], diagnostics: [{ code: 'VX999', severity: 'error', message: 'x', line: 1, column: 1, endLine: 1, endColumn: 2 }] }] });
        assert.equal((await resolveAtRuntime(file, { pythonPath: fake('wrong_code', `cat <<'EOF'\n${wrongCode}\nEOF`) })).status, 'failed');
      } finally {
        remove();
      }
    });
  });

  it('serves every Airflow path the analyser recognises: static and runtime models are equal', async () => {
    await loadPython();
    const file = fixture('airflow_paths.py');
    const analysis = analyse(readFileSync(file, 'utf8'));
    assert.deepEqual(analysis.diagnostics, []);
    const outcome = await resolveAtRuntime(file);
    assert.equal(outcome.status, 'resolved', JSON.stringify(outcome.diagnostics));
    assert.deepEqual(inspectRuntimeDags(outcome.dags), inspectDags(analysis));
    assert.equal(outcome.dags.length, 6);
  });

  it('a dynamic task of an Airflow file runs through the executor: the runner serves Airflow from the SDK too', async () => {
    const file = fixture('airflow_dynamic.py');
    const outcome = await resolveAtRuntime(file);
    assert.equal(outcome.status, 'resolved', JSON.stringify(outcome.diagnostics));
    const dag = outcome.dags[0];
    const task = (id: string) => dag.tasks.find((t) => t.task_id === id)!;
    assert.deepEqual(dag.tasks.map((t) => t.task_id), ['load_eu', 'report_eu', 'load_us', 'report_us']);
    // As the runner gets them when only runtime resolution knows the task: the
    // callable and its op_kwargs are found in the imported DAG file.
    const spec = (id: string) => {
      const t = task(id);
      return pythonSpec(t.task_id, t.python_callable ?? '', {
        dagId: dag.dag_id,
        kind: t.kind === 'bash' ? 'bash' : 'python',
        operator: t.operator,
        bashCommand: null,
        pythonCallable: t.python_callable,
        dagFilePath: file,
        cwd: RUNTIME_FIXTURES,
      });
    };
    const report = await executeTask(spec('report_us'));
    assert.equal(report.state, 'success', report.stderr);
    assert.equal(report.stdout, 'report for us\n');
    // bash_command left to the runner, which reads it from the imported file.
    const load = await executeTask(spec('load_eu'));
    assert.equal(load.state, 'success', load.stderr);
    assert.equal(load.stdout, 'loading eu\n');
    assert.equal(task('load_eu').bash_command, 'echo loading eu');
  });

  it('puts the given SDK first on PYTHONPATH', async () => {
    const { dir, remove } = scratchDir();
    try {
      // A copy of the SDK whose inspector says who it is.
      const sdk = path.join(dir, 'sdk');
      cpSync(path.join(SDK, 'vortex'), path.join(sdk, 'vortex'), { recursive: true });
      writeFileSync(path.join(sdk, 'vortex', '_inspector.py'), 'import json, sys\nprint(json.dumps({"files": [{"path": sys.argv[-1], "dags": [], "diagnostics": [], "missing_modules": []}]}))\n');
      const outcome = await resolveAtRuntime(fixture('loop_tasks.py'), { sdkPath: sdk });
      assert.equal(outcome.status, 'resolved');
      assert.deepEqual(outcome.dags, []);
    } finally {
      remove();
    }
  });
});
