/**
 * Airflow-shaped DAG files (test/fixtures/airflow: Airflow's own examples'
 * shapes, the TaskFlow tutorial, a file importing pandas at the top, a custom
 * operator, nested groups with labels and mapping), executed by
 * `vortex inspect --runtime --json` (the built dist/cli.js as a separate
 * process, with the real python3): each gives exactly the DAGs Airflow builds,
 * held in `<name>.airflow.json` beside it (task ids, operators, groups and
 * marks, trigger rules, edges with their labels, TaskGroups).
 *
 * The goldens were written from Airflow's rules, not from this output; they
 * compare as sets (tasks by id, edges by pair, groups by id), so that the
 * static analysis can be held to them too.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

const REPO = path.resolve(__dirname, '../../..');
const CLI = path.join(REPO, 'dist/cli.js');
const FIXTURES = 'test/fixtures/airflow';

interface AirflowGolden {
  dags: Array<{
    dag_id: string;
    tasks: Array<{ task_id: string; operator: string; group_id: string | null; decorated: boolean; mapped: boolean; branch: boolean; trigger_rule: string | null }>;
    edges: Array<{ upstream: string; downstream: string; label: string | null }>;
    groups: Array<{ id: string; parent_id: string | null; label: string }>;
  }>;
}

type Inspected = AirflowGolden['dags'][number] & { tasks: Array<Record<string, unknown>>; edges: Array<Record<string, unknown>>; groups: Array<Record<string, unknown>> };

interface InspectOutput {
  files: Array<{ path: string; dags: Inspected[]; diagnostics: Array<{ code: string; severity: string; line: number; message: string }> }>;
}

const byKey = <T>(key: (item: T) => string) => (a: T, b: T) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);

/** What the golden holds of one DAG, in its order. */
function project(dag: Inspected): AirflowGolden['dags'][number] {
  return {
    dag_id: dag.dag_id,
    tasks: dag.tasks
      .map((t) => ({
        task_id: t.task_id as string,
        operator: t.operator as string,
        group_id: t.group_id as string | null,
        decorated: t.decorated as boolean,
        mapped: t.mapped as boolean,
        branch: t.branch as boolean,
        trigger_rule: t.trigger_rule as string | null,
      }))
      .sort(byKey((t) => t.task_id)),
    edges: dag.edges
      .map((e) => ({ upstream: e.upstream as string, downstream: e.downstream as string, label: e.label as string | null }))
      .sort(byKey((e) => `${e.upstream}\0${e.downstream}`)),
    groups: dag.groups.map((g) => ({ id: g.id as string, parent_id: g.parent_id as string | null, label: g.label as string })).sort(byKey((g) => g.id)),
  };
}

/** Diagnostics each file may get: VX508 where a module it imports is missing (pandas), VX205 where a task is of an operator VORTEX does not run. */
const ALLOWED_CODES = new Set(['VX205', 'VX508']);

describe('cli: vortex inspect --runtime on Airflow-shaped files gives the DAGs Airflow builds', function () {
  this.timeout(60000);
  const fixtures = readdirSync(path.join(REPO, FIXTURES)).filter((f) => f.endsWith('.py') && existsGolden(f)).sort();

  function existsGolden(file: string): boolean {
    return readdirSync(path.join(REPO, FIXTURES)).includes(file.replace(/\.py$/, '.airflow.json'));
  }

  before(() => {
    const build = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: REPO, encoding: 'utf8' });
    assert.equal(build.status, 0, build.stderr);
  });

  it('covers the shapes of Airflow files the runtime must resolve', () => {
    for (const name of ['example_branch_operator.py', 'example_complex.py', 'example_task_group.py', 'example_xcom.py', 'tutorial_taskflow_api.py', 'runtime_pandas_at_top.py', 'runtime_custom_operator.py', 'runtime_groups_labels_mapping.py']) {
      assert.ok(fixtures.includes(name), `${name} with its golden`);
    }
  });

  for (const name of fixtures) {
    it(`${name}: exactly the golden DAGs, and no error`, () => {
      const file = `${FIXTURES}/${name}`;
      const r = spawnSync(process.execPath, [CLI, 'inspect', '--runtime', '--json', file], { cwd: REPO, encoding: 'utf8', env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } });
      assert.equal(r.status, 0, r.stdout + r.stderr);
      const [inspected] = (JSON.parse(r.stdout) as InspectOutput).files;
      const unexpected = inspected.diagnostics.filter((d) => d.severity === 'error' || (d.code.startsWith('VX5') && !ALLOWED_CODES.has(d.code)));
      assert.deepEqual(unexpected, [], 'no runtime diagnostic but VX508, and no error');
      const golden = JSON.parse(readFileSync(path.join(REPO, FIXTURES, name.replace(/\.py$/, '.airflow.json')), 'utf8')) as AirflowGolden;
      assert.deepEqual({ dags: inspected.dags.map(project) }, golden);
    });
  }

  it('runtime_pandas_at_top.py: pandas, when not installed, is stood in for with information (VX508) on its import line, never an error', function () {
    if (spawnSync('python3', ['-c', 'import pandas'], { encoding: 'utf8' }).status === 0) this.skip();
    const r = spawnSync(process.execPath, [CLI, 'inspect', '--runtime', '--json', `${FIXTURES}/runtime_pandas_at_top.py`], { cwd: REPO, encoding: 'utf8' });
    const [inspected] = (JSON.parse(r.stdout) as InspectOutput).files;
    const vx508 = inspected.diagnostics.filter((d) => d.code === 'VX508');
    assert.ok(vx508.length >= 1, JSON.stringify(inspected.diagnostics));
    assert.ok(vx508.every((d) => d.severity === 'info'));
    assert.ok(vx508.some((d) => d.line === 7 && /^pandas /.test(d.message)), JSON.stringify(vx508));
  });

  it('runtime_custom_operator.py: tasks of operators VORTEX does not run carry VX205 on the lines that made them', () => {
    const r = spawnSync(process.execPath, [CLI, 'inspect', '--runtime', '--json', `${FIXTURES}/runtime_custom_operator.py`], { cwd: REPO, encoding: 'utf8' });
    const [inspected] = (JSON.parse(r.stdout) as InspectOutput).files;
    const lines = inspected.diagnostics.filter((d) => d.code === 'VX205').map((d) => d.line).sort((a, b) => a - b);
    const source = readFileSync(path.join(REPO, FIXTURES, 'runtime_custom_operator.py'), 'utf8').split('\n');
    const lineOf = (needle: string) => source.findIndex((l) => l.includes(needle)) + 1;
    assert.deepEqual(lines, [lineOf('FileSensor(task_id'), lineOf('HelloOperator(task_id="greet",'), lineOf('HelloOperator(task_id="greet_quietly"'), lineOf('SQLExecuteQueryOperator(')].sort((a, b) => a - b));
  });
});
