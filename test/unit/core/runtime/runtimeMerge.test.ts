/**
 * `mergeRuntime` on the real static analyses of real files (the VX404 fixture
 * and the loop-built example), with runtime outcomes written by hand in the
 * shape `vortex._inspector` reports: what the graph, the lenses, the outline and
 * the executor read once a file has been executed.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { analyse } from '../../../../core/analysis/analyse';
import type { Diagnostic, FileAnalysis, Range, TaskModel } from '../../../../core/analysis/model';
import { loadPython } from '../../../../core/analysis/parser';
import { planFromModel } from '../../../../core/run/scheduler';
import { mergeRuntime, reconciledDiagnostics } from '../../../../core/runtime/merge';
import { resolveAtRuntime } from '../../../../core/runtime/resolver';
import type { RuntimeDag, RuntimeOutcome, RuntimeStatus, RuntimeTask } from '../../../../core/runtime/report';

const ROOT = path.resolve(__dirname, '../../../..');
const FIXTURE = path.join(ROOT, 'test/fixtures/vx404_dynamic_tasks.py');
const EXAMPLE = path.join(ROOT, 'examples/dynamic_regions.py');

/** The 1-based line of the first line holding `needle` (as the runtime reports lines). */
function lineOf(text: string, needle: string): number {
  const index = text.indexOf(needle);
  assert.ok(index >= 0, `"${needle}" not in the text`);
  return text.slice(0, index).split('\n').length;
}

function task(file: string, line: number, taskId: string, fields: Partial<RuntimeTask> = {}): RuntimeTask {
  const operator = fields.operator ?? 'BashOperator';
  return {
    task_id: taskId,
    operator,
    qualified_operator: `vortex.operators.${operator === 'BashOperator' ? 'bash' : operator === 'PythonOperator' ? 'python' : 'dummy'}.${operator}`,
    kind: operator === 'BashOperator' ? 'bash' : operator === 'PythonOperator' ? 'python' : 'dummy',
    file,
    line,
    upstream: [],
    downstream: [],
    bash_command: null,
    python_callable: null,
    secrets: [],
    execution_timeout: null,
    retries: 0,
    retry_delay: null,
    do_xcom_push: true,
    group_id: null,
    decorated: false,
    mapped: false,
    branch: false,
    trigger_rule: null,
    ...fields,
  };
}

/** A DAG whose tasks' upstream and downstream follow `edges`. */
function dag(file: string, line: number, dagId: string, tasks: RuntimeTask[], edges: Array<[string, string]>, fields: Partial<RuntimeDag> = {}): RuntimeDag {
  for (const [up, down] of edges) {
    tasks.find((t) => t.task_id === up)?.downstream.push(down);
    tasks.find((t) => t.task_id === down)?.upstream.push(up);
  }
  return {
    dag_id: dagId, schedule: '@daily', owner: null, description: null, tags: [], secrets: [], file, line, tasks,
    edges: edges.map(([upstream, downstream]) => ({ upstream, downstream, label: null })),
    groups: [],
    ...fields,
  };
}

function outcome(file: string, status: RuntimeStatus, dags: RuntimeDag[], diagnostics: Diagnostic[] = []): RuntimeOutcome {
  return { status, path: file, dags, diagnostics, pythonPath: 'python3', durationMs: 42 };
}

/** A runtime diagnostic as the resolver gives it (0-based, in the analyser's type). */
function runtimeDiagnostic(code: Diagnostic['code'], line: number, message: string): Diagnostic {
  return { code, severity: 'error', message, range: { start: { line, character: 0 }, end: { line, character: 10 } } };
}

function idsOf(analysis: FileAnalysis, dagIndex = 0): string[] {
  return analysis.dags[dagIndex].taskIndices.map((i) => analysis.tasks[i].taskId);
}

function taskNamed(analysis: FileAnalysis, taskId: string): TaskModel {
  const found = analysis.tasks.find((t) => t.taskId === taskId);
  assert.ok(found, `no task ${taskId}`);
  return found;
}

function textAt(text: string, range: Range): string {
  const lines = text.split('\n');
  assert.equal(range.start.line, range.end.line, 'a one-line range');
  return lines[range.start.line].slice(range.start.character, range.end.character);
}

describe('runtime merge: the static analysis with a runtime outcome laid over it', () => {
  let fixtureText: string;
  let fixture: FileAnalysis;
  let fixtureRuntime: RuntimeDag;

  before(async () => {
    await loadPython();
    fixtureText = readFileSync(FIXTURE, 'utf8');
    fixture = analyse(fixtureText);
    const loop = lineOf(fixtureText, 'BashOperator(  # expect: VX404');
    const comprehension = lineOf(fixtureText, 'exports = [');
    const report = lineOf(fixtureText, 'report = BashOperator(');
    fixtureRuntime = dag(FIXTURE, lineOf(fixtureText, 'with DAG('), 'fixture_vx404', [
      task(FIXTURE, lineOf(fixtureText, 'start = DummyOperator'), 'start', { operator: 'DummyOperator' }),
      task(FIXTURE, lineOf(fixtureText, 'listing = PythonOperator'), 'list_tables', { operator: 'PythonOperator', python_callable: 'list_tables' }),
      ...['users', 'orders', 'payments'].map((t) => task(FIXTURE, loop, `load_${t}`, { bash_command: `echo loading ${t}` })),
      ...['users', 'orders', 'payments'].map((t) => task(FIXTURE, comprehension, `export_${t}`, { bash_command: 'echo export' })),
      task(FIXTURE, report, 'nightly_report_3', { bash_command: 'echo report', secrets: ['REPORT_TOKEN'], execution_timeout: 60 }),
    ], [['start', 'list_tables'], ['list_tables', 'load_users'], ['list_tables', 'nightly_report_3']]);
  });

  it('the fixture is what the merge starts from: VX404 and only the literal tasks', () => {
    assert.ok(fixture.hasDynamicConstructs);
    assert.deepEqual(idsOf(fixture), ['start', 'list_tables']);
    assert.deepEqual([...new Set(fixture.diagnostics.map((d) => d.code))], ['VX404']);
  });

  it('resolved: every task the file built, static ones with their source ranges and arguments', () => {
    const merged = mergeRuntime(fixture, outcome(FIXTURE, 'resolved', [fixtureRuntime]), fixtureText);
    assert.equal(merged.dags.length, 1);
    assert.deepEqual(idsOf(merged), [
      'start', 'list_tables', 'load_users', 'load_orders', 'load_payments', 'export_users', 'export_orders', 'export_payments', 'nightly_report_3',
    ]);
    assert.equal(merged.tasks.length, 9);
    for (const id of ['start', 'list_tables']) {
      const before = taskNamed(fixture, id);
      const after = taskNamed(merged, id);
      assert.deepEqual(after.range, before.range);
      assert.deepEqual(after.taskIdRange, before.taskIdRange);
      assert.deepEqual(after.operatorRange, before.operatorRange);
      assert.equal(after.args, before.args);
      assert.equal(after.variable, before.variable);
      assert.equal(after.pythonCallable, before.pythonCallable);
    }
    // The DAG keeps its source ranges too: hovers and quick fixes still point at the source.
    assert.deepEqual(merged.dags[0].range, fixture.dags[0].range);
    assert.deepEqual(merged.dags[0].idRange, fixture.dags[0].idRange);
    assert.equal(merged.dags[0].args, fixture.dags[0].args);
    for (const t of merged.tasks) assert.equal(t.dagIndex, 0);
  });

  it('resolved: a dynamic task sits on the line that created it, its operator named there', () => {
    const merged = mergeRuntime(fixture, outcome(FIXTURE, 'resolved', [fixtureRuntime]), fixtureText);
    const loopLine = lineOf(fixtureText, 'BashOperator(  # expect: VX404') - 1;
    for (const id of ['load_users', 'load_orders', 'load_payments']) {
      const t = taskNamed(merged, id);
      assert.equal(t.line, loopLine);
      assert.equal(t.range.start.line, loopLine);
      assert.equal(textAt(fixtureText, t.operatorRange), 'BashOperator');
      assert.equal(textAt(fixtureText, t.range), 'BashOperator(  # expect: VX404');
      // The outline's selection range must lie inside its full range.
      assert.ok(t.taskIdRange.start.character >= t.range.start.character && t.taskIdRange.end.character <= t.range.end.character);
    }
    const exportTask = taskNamed(merged, 'export_orders');
    assert.equal(textAt(fixtureText, exportTask.operatorRange), 'BashOperator');
    assert.equal(exportTask.range.start.line, lineOf(fixtureText, 'exports = [') - 1);
  });

  it('resolved: the executor gets what it needs of a dynamic task (kind, command, callable, secrets, timeout)', () => {
    const merged = mergeRuntime(fixture, outcome(FIXTURE, 'resolved', [fixtureRuntime]), fixtureText);
    const report = taskNamed(merged, 'nightly_report_3');
    assert.equal(report.kind, 'bash');
    assert.equal(report.operator, 'BashOperator');
    assert.equal(report.qualifiedOperator, 'vortex.operators.bash.BashOperator');
    assert.equal(report.bashCommand, 'echo report');
    assert.deepEqual(report.secrets, ['REPORT_TOKEN']);
    assert.equal(report.executionTimeoutSeconds, 60);
    // Left to the runner, which reads them from the task in the imported DAG.
    assert.equal(report.opArgs, null);
    assert.equal(report.opKwargs, null);

    const plan = planFromModel(merged, merged.dags[0], { dagFilePath: FIXTURE, runId: 'r1', timeoutSeconds: 300, pythonPath: 'python3', sdkPath: '/sdk' });
    const spec = plan.tasks.find((t) => t.spec.taskId === 'nightly_report_3');
    assert.ok(spec);
    assert.equal(spec.spec.kind, 'bash');
    assert.equal(spec.spec.bashCommand, 'echo report');
    assert.equal(spec.spec.timeoutSeconds, 60);
    assert.deepEqual(spec.spec.secretNames, ['REPORT_TOKEN']);
    assert.deepEqual(spec.upstream, ['list_tables']);
    assert.equal(plan.tasks.length, 9);
  });

  it('resolved: edges are the runtime\'s; one written in the source keeps its range, one made in a loop points at its task', () => {
    const merged = mergeRuntime(fixture, outcome(FIXTURE, 'resolved', [fixtureRuntime]), fixtureText);
    const edges = merged.dags[0].edges;
    assert.deepEqual(edges.map((e) => [e.upstream, e.downstream]), [['start', 'list_tables'], ['list_tables', 'load_users'], ['list_tables', 'nightly_report_3']]);
    assert.deepEqual(edges[0].range, fixture.dags[0].edges[0].range);
    assert.deepEqual(edges[1].range, taskNamed(merged, 'load_users').range);
    assert.deepEqual(taskNamed(merged, 'list_tables').downstream, ['load_users', 'nightly_report_3']);
    assert.deepEqual(taskNamed(merged, 'start').downstream, ['list_tables']);
  });

  it('resolved: VX404 is dropped, every other static diagnostic stays, the runtime\'s are added', () => {
    const text = fixtureText.replace('schedule_interval="@daily"', 'schedule_interval="@daily", ownr="me"');
    const analysis = analyse(text);
    assert.ok(analysis.diagnostics.some((d) => d.code === 'VX105'));
    const warning = runtimeDiagnostic('VX505', 3, 'a runtime remark');
    const merged = mergeRuntime(analysis, outcome(FIXTURE, 'resolved', [fixtureRuntime], [warning]), text);
    assert.deepEqual(merged.diagnostics.map((d) => d.code), [...analysis.diagnostics.filter((d) => d.code !== 'VX404').map((d) => d.code), 'VX505']);
    assert.equal(merged.diagnostics.at(-1), warning);
    assert.ok(merged.isDagFile);
    assert.ok(merged.hasDynamicConstructs, 'still a file with dynamic constructs: a later save resolves it again');
  });

  it('resolved: TaskGroups, edge labels and each task\'s group, marks and trigger rule are the runtime\'s', () => {
    const loop = lineOf(fixtureText, 'BashOperator(  # expect: VX404');
    const grouped = dag(FIXTURE, lineOf(fixtureText, 'with DAG('), 'fixture_vx404', [
      task(FIXTURE, lineOf(fixtureText, 'start = DummyOperator'), 'start', { operator: 'DummyOperator', trigger_rule: 'all_done' }),
      task(FIXTURE, loop, 'loads.load_users', { group_id: 'loads', mapped: true, kind: 'other' }),
      task(FIXTURE, loop, 'loads.pick', { operator: 'task.branch', kind: 'python', group_id: 'loads', decorated: true, branch: true }),
    ], [['start', 'loads.load_users'], ['loads.pick', 'loads.load_users']], {
      groups: [{ id: 'loads', parent_id: null, label: 'loads', line: loop }],
    });
    grouped.edges[0].label = 'go';
    const merged = mergeRuntime(fixture, outcome(FIXTURE, 'resolved', [grouped]), fixtureText);
    assert.deepEqual(merged.dags[0].groups, [{ id: 'loads', parentId: null, label: 'loads', line: loop - 1, range: merged.tasks[1].range }]);
    assert.deepEqual(merged.dags[0].edges.map((e) => [e.upstream, e.downstream, e.label]), [['start', 'loads.load_users', 'go'], ['loads.pick', 'loads.load_users', null]]);
    const start = taskNamed(merged, 'start');
    assert.deepEqual(start.range, taskNamed(fixture, 'start').range, 'a static task keeps its place');
    assert.deepEqual([start.groupId, start.triggerRule, start.decorated], [null, 'all_done', false]);
    const pick = taskNamed(merged, 'loads.pick');
    assert.deepEqual([pick.groupId, pick.decorated, pick.branch, pick.mapped, pick.operator], ['loads', true, true, false, 'task.branch']);
    assert.equal(taskNamed(merged, 'loads.load_users').mapped, true);
  });

  it('resolved: tasks only the runtime saw, of operators VORTEX does not run, get one VX205 per line that made them', () => {
    const loop = lineOf(fixtureText, 'BashOperator(  # expect: VX404');
    const providers = dag(FIXTURE, lineOf(fixtureText, 'with DAG('), 'fixture_vx404', [
      task(FIXTURE, lineOf(fixtureText, 'start = DummyOperator'), 'start', { operator: 'DummyOperator', kind: 'other' }),
      ...['users', 'orders'].map((t) => task(FIXTURE, loop, `copy_${t}`, { operator: 'S3CopyObjectOperator', kind: 'other' })),
      task(FIXTURE, loop, 'load_users', {}),
    ], []);
    const merged = mergeRuntime(fixture, outcome(FIXTURE, 'resolved', [providers]), fixtureText);
    const vx205 = merged.diagnostics.filter((d) => d.code === 'VX205');
    assert.equal(vx205.length, 1, 'one per line, and none for a task the source shows');
    assert.equal(vx205[0].range.start.line, loop - 1);
    assert.equal(vx205[0].severity, 'warning');
    assert.match(vx205[0].message, /^VORTEX cannot run S3CopyObjectOperator locally/);
    assert.ok(vx205[0].range.end.character > vx205[0].range.start.character, 'on the text of its line');
  });

  it('resolved: a task the source shows runs as the class Airflow built says; its command and callable come from the source, else the runtime', () => {
    const text = `from airflow import DAG\nfrom airflow.operators.python import BranchPythonOperator\nfrom airflow.operators.bash import BashOperator\nCOMMAND = "echo hi"\ndef choose():\n    return "b"\nwith DAG(dag_id="k") as dag:\n    a = BranchPythonOperator(task_id="a", python_callable=choose)\n    b = BashOperator(task_id="b", bash_command=f"{COMMAND} there")\n`;
    const analysis = analyse(text);
    const built = dag(FIXTURE, 7, 'k', [
      task(FIXTURE, 8, 'a', { operator: 'BranchPythonOperator', kind: 'python', branch: true, python_callable: 'choose' }),
      task(FIXTURE, 9, 'b', { operator: 'BashOperator', kind: 'bash', bash_command: 'echo hi there' }),
    ], []);
    const merged = mergeRuntime(analysis, outcome(FIXTURE, 'resolved', [built]), text);
    const [a, b] = [taskNamed(merged, 'a'), taskNamed(merged, 'b')];
    assert.deepEqual([a.kind, a.branch, a.pythonCallable, a.range], ['python', true, 'choose', taskNamed(analysis, 'a').range]);
    assert.deepEqual([b.kind, b.bashCommand], ['bash', 'echo hi there']);
  });

  it('resolved: a static VX201 is answered (the SDK refuses a repeated task id as Airflow does), on failure it stays', () => {
    const text = `from airflow import DAG\nfrom airflow.operators.empty import EmptyOperator\nfrom airflow.utils.task_group import TaskGroup\nwith DAG(dag_id="g") as dag:\n    EmptyOperator(task_id="a")\n    with TaskGroup("inner"):\n        EmptyOperator(task_id="a")\n`;
    const read = analyse(text);
    // What a source check that misses the group's prefix says, whatever the analyser of the day reads.
    const misread: Diagnostic = { code: 'VX201', severity: 'error', message: 'The task_id "a" is already used', range: { start: { line: 6, character: 31 }, end: { line: 6, character: 34 } } };
    const analysis: FileAnalysis = { isDagFile: read.isDagFile, dags: read.dags, tasks: read.tasks, hasDynamicConstructs: read.hasDynamicConstructs, diagnostics: [...read.diagnostics.filter((d) => d.code !== 'VX201'), misread] };
    const built = dag(FIXTURE, 4, 'g', [task(FIXTURE, 5, 'a', { operator: 'EmptyOperator' }), task(FIXTURE, 7, 'inner.a', { operator: 'EmptyOperator', group_id: 'inner' })], []);
    const resolved = reconciledDiagnostics(analysis, outcome(FIXTURE, 'resolved', [built]), text);
    assert.ok(!resolved.some((d) => d.code === 'VX201'));
    const failed = reconciledDiagnostics(analysis, outcome(FIXTURE, 'failed', []), text);
    assert.ok(failed.includes(misread));
  });

  for (const status of ['failed', 'timedOut', 'fallback', 'unavailable'] as const) {
    it(`${status}: the static model stands, with VX404, and the runtime's diagnostics are added`, () => {
      const raised = runtimeDiagnostic('VX501', 20, 'ValueError: boom');
      const merged = mergeRuntime(fixture, outcome(FIXTURE, status, [], [raised]), fixtureText);
      assert.equal(merged.dags, fixture.dags);
      assert.equal(merged.tasks, fixture.tasks);
      assert.deepEqual(merged.diagnostics, [...fixture.diagnostics, raised]);
    });
  }

  it('reads the static model through getters, never by spreading it (class instances with lazy ranges)', () => {
    class LazyTask {
      constructor(private readonly inner: TaskModel) {}
      get range(): Range { return this.inner.range; }
      get operatorRange(): Range { return this.inner.operatorRange; }
      get taskIdRange(): Range { return this.inner.taskIdRange; }
    }
    const lazyTasks = fixture.tasks.map((t) => {
      const lazy = new LazyTask(t) as unknown as Record<string, unknown>;
      for (const [key, value] of Object.entries(t)) if (!['range', 'operatorRange', 'taskIdRange'].includes(key)) lazy[key] = value;
      return lazy as unknown as TaskModel;
    });
    const lazy: FileAnalysis = { ...fixture, tasks: lazyTasks };
    const merged = mergeRuntime(lazy, outcome(FIXTURE, 'resolved', [fixtureRuntime]), fixtureText);
    const start = taskNamed(merged, 'start');
    assert.deepEqual(start.range, taskNamed(fixture, 'start').range);
    assert.deepEqual(JSON.parse(JSON.stringify(start)).range, taskNamed(fixture, 'start').range, 'a plain object: the ranges survive JSON (the run model travels as JSON)');
  });

  it('resolved: a task the source shows takes its run settings from the runtime, default_args merged by executing the file', () => {
    const text = [
      'from airflow import DAG',
      'from airflow.operators.bash import BashOperator',
      'from common import shared_defaults',
      'with DAG("settings", default_args=shared_defaults()) as dag:',
      '    flaky = BashOperator(task_id="flaky", bash_command="exit 1")',
      '',
    ].join('\n');
    const analysis = analyse(text);
    assert.ok(analysis.tasks[0].unreadSettings?.includes('retries'), 'the source cannot read them');
    const runtime = dag('/dags/settings.py', 4, 'settings', [task('/dags/settings.py', 5, 'flaky', { retries: 2, retry_delay: 1, do_xcom_push: false, execution_timeout: 30 })], []);
    const merged = mergeRuntime(analysis, outcome('/dags/settings.py', 'resolved', [runtime]), text);
    const flaky = taskNamed(merged, 'flaky');
    assert.deepEqual([flaky.retries, flaky.retryDelaySeconds, flaky.doXcomPush, flaky.executionTimeoutSeconds, flaky.unreadSettings], [2, 1, false, 30, undefined]);
    const spec = planFromModel(merged, merged.dags[0], { dagFilePath: '/dags/settings.py', runId: 'r1' }).tasks[0].spec;
    assert.deepEqual([spec.retries, spec.retryDelaySeconds, spec.doXcomPush, spec.timeoutSeconds], [2, 1, false, 30]);
  });

  it('without the source text, a dynamic task\'s range is the start of its creation line', () => {
    const merged = mergeRuntime(fixture, outcome(FIXTURE, 'resolved', [fixtureRuntime]));
    const t = taskNamed(merged, 'load_users');
    const line = lineOf(fixtureText, 'BashOperator(  # expect: VX404') - 1;
    assert.deepEqual(t.range, { start: { line, character: 0 }, end: { line, character: 0 } });
    assert.deepEqual(t.operatorRange, t.range);
  });

  it('a creation line past the end of the document (edited since) is clamped to its last line', () => {
    const far = dag(FIXTURE, 1, 'fixture_vx404', [task(FIXTURE, 10_000, 'far_away')], []);
    const merged = mergeRuntime(fixture, outcome(FIXTURE, 'resolved', [far]), fixtureText);
    assert.equal(taskNamed(merged, 'far_away').line, fixtureText.split('\n').length - 1);
  });

  describe('the loop-built example (examples/dynamic_regions.py)', () => {
    let text: string;
    let analysis: FileAnalysis;
    let runtime: RuntimeDag;

    before(() => {
      text = readFileSync(EXAMPLE, 'utf8');
      analysis = analyse(text);
      const helperLine = lineOf(text, 'return BashOperator(');
      const extractLine = lineOf(text, 'extract = BashOperator(');
      const summaryLine = lineOf(text, 'summary = PythonOperator(');
      const regions = ['emea', 'amer', 'apac'];
      runtime = dag(EXAMPLE, lineOf(text, 'with DAG('), 'dynamic_regions', [
        task(EXAMPLE, lineOf(text, 'start = DummyOperator'), 'start', { operator: 'DummyOperator' }),
        task(EXAMPLE, lineOf(text, 'merge = DummyOperator'), 'merge', { operator: 'DummyOperator' }),
        ...regions.flatMap((r) => [
          task(EXAMPLE, extractLine, `extract_${r}`, { bash_command: `echo 'extracting ${r}'` }),
          task(EXAMPLE, summaryLine, `summarise_${r}`, { operator: 'PythonOperator', python_callable: 'summarise' }),
        ]),
        task(EXAMPLE, helperLine, 'export_csv', { bash_command: "echo 'exporting the report as csv (text/csv)'" }),
        task(EXAMPLE, helperLine, 'export_json', { bash_command: "echo 'exporting the report as json (application/json)'" }),
      ], [
        ...regions.flatMap((r): Array<[string, string]> => [['start', `extract_${r}`], [`extract_${r}`, `summarise_${r}`], [`summarise_${r}`, 'merge']]),
        ['merge', 'export_csv'], ['merge', 'export_json'],
      ], { owner: 'analytics', tags: ['dynamic', 'example'] });
    });

    it('statically: two tasks and three VX404', () => {
      assert.deepEqual(idsOf(analysis), ['start', 'merge']);
      assert.deepEqual(analysis.diagnostics.map((d) => d.code), ['VX404', 'VX404', 'VX404']);
    });

    it('resolved: all ten tasks, eleven edges, no diagnostics; tasks made by the helper sit on its line', () => {
      const merged = mergeRuntime(analysis, outcome(EXAMPLE, 'resolved', [runtime]), text);
      assert.equal(merged.tasks.length, 10);
      assert.equal(merged.dags[0].edges.length, 11);
      assert.deepEqual(merged.diagnostics, []);
      assert.equal(merged.dags[0].owner, 'analytics');
      const helper = lineOf(text, 'return BashOperator(') - 1;
      assert.deepEqual(['export_csv', 'export_json'].map((id) => taskNamed(merged, id).line), [helper, helper]);
      assert.equal(textAt(text, taskNamed(merged, 'summarise_apac').operatorRange), 'PythonOperator');
      assert.equal(taskNamed(merged, 'summarise_apac').pythonCallable, 'summarise');
      assert.equal(taskNamed(merged, 'summarise_apac').kind, 'python');
    });

    it('a DAG only the runtime saw sits on its own creation line', () => {
      const other = dag(EXAMPLE, lineOf(text, 'with DAG('), 'dynamic_regions_copy', [task(EXAMPLE, lineOf(text, 'start = DummyOperator'), 'start', { operator: 'DummyOperator' })], []);
      const merged = mergeRuntime(analysis, outcome(EXAMPLE, 'resolved', [runtime, other]), text);
      assert.equal(merged.dags.length, 2);
      const copy = merged.dags[1];
      assert.equal(copy.dagId, 'dynamic_regions_copy');
      assert.equal(copy.line, lineOf(text, 'with DAG(') - 1);
      assert.equal(textAt(text, copy.nameRange), 'DAG');
      assert.equal(copy.idRange, null);
      // Its "start" is a task of its own, not the static "start" of the other DAG.
      assert.equal(merged.tasks[copy.taskIndices[0]].dagIndex, 1);
      assert.equal(merged.tasks[copy.taskIndices[0]].variable, null);
    });

    it('a task created in another file is placed on its DAG\'s line', () => {
      const elsewhere = dag(EXAMPLE, lineOf(text, 'with DAG('), 'dynamic_regions', [task('/elsewhere/helpers.py', 3, 'imported_task')], []);
      const merged = mergeRuntime(analysis, outcome(EXAMPLE, 'resolved', [elsewhere]), text);
      assert.equal(taskNamed(merged, 'imported_task').line, analysis.dags[0].range.start.line);
    });
  });

  describe('a schedule that is not a literal, once the file has run (the DAGs-in-a-loop fixture, executed by python3)', function () {
    this.timeout(20_000);
    const LOOP = path.join(ROOT, 'test/fixtures/runtime/dags_in_loop.py');
    let dir: string;

    before(() => {
      dir = mkdtempSync(path.join(tmpdir(), 'vortex-merge-'));
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    it('a computed schedule is described statically, without a warning, and known once the file has run', async () => {
      const text = readFileSync(LOOP, 'utf8');
      const analysis = analyse(text);
      assert.deepEqual(analysis.diagnostics.filter((d) => d.code === 'VX104'), []);
      assert.match(analysis.dags[0].scheduleDescription ?? '', /^computed \(.*\): known only when the file runs$/);
      const resolved = await resolveAtRuntime(LOOP);
      assert.equal(resolved.status, 'resolved');
      assert.deepEqual(reconciledDiagnostics(analysis, resolved), []);
      assert.deepEqual(mergeRuntime(analysis, resolved, text).dags.map((d) => d.schedule), ['0 1 * * *', '0 2 * * *']);
    });

    it('a computed schedule that is not a valid cron gets VX103 at the schedule argument, naming the value and the DAG', async () => {
      const file = path.join(dir, 'dags_in_loop.py');
      const text = readFileSync(LOOP, 'utf8').replace('"0 2 * * *"', '"0 25 * * *"');
      writeFileSync(file, text);
      const analysis = analyse(text);
      const diagnostics = reconciledDiagnostics(analysis, await resolveAtRuntime(file));
      assert.deepEqual(diagnostics.map((d) => d.code), ['VX103']);
      assert.equal(textAt(text, diagnostics[0].range), 'cron');
      assert.match(diagnostics[0].message, /"sync_globex" the schedule "0 25 \* \* \*".*hour/);
    });

    it('a failed execution answers nothing: the static diagnostics stay beside the runtime\'s', () => {
      const text = readFileSync(LOOP, 'utf8');
      const analysis = analyse(text);
      const failed = outcome(LOOP, 'failed', [], [runtimeDiagnostic('VX501', 3, 'ValueError: no')]);
      assert.deepEqual(reconciledDiagnostics(analysis, failed).map((d) => d.code), [...analysis.diagnostics.map((d) => d.code), 'VX501']);
    });
  });
});
