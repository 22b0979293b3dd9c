/**
 * Static analysis against what Airflow builds: each file of
 * test/fixtures/airflow/ (in the shapes of Airflow's own examples and of
 * real projects) has a golden of the DAGs Airflow makes of it, worked out
 * from Airflow's rules (`<name>.airflow.json`; runtime resolution is held to
 * the same goldens, cliRuntimeAirflow.test.ts).
 *
 * Where the analyser sees the whole file (no VX404), its DAGs are the
 * golden's exactly: tasks with their groups and marks, edges with their
 * labels, groups. Where it says it cannot see everything (VX404), what it
 * does draw is still Airflow's: every task and edge it gives is in the
 * golden, so the graph may lack what it said it cannot see, never show what
 * is not there.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { analyse } from '../../../../core/analysis/analyse';
import { loadPython } from '../../../../core/analysis/parser';
import { inspectDags } from '../../../../cli/src/report';
import { FIXTURES_DIR } from '../../../support/fixtures';

const DIR = path.join(FIXTURES_DIR, 'airflow');

interface GoldenTask {
  task_id: string;
  group_id: string | null;
  decorated: boolean;
  mapped: boolean;
  branch: boolean;
  trigger_rule: string | null;
}

interface GoldenDag {
  dag_id: string;
  tasks: GoldenTask[];
  edges: Array<{ upstream: string; downstream: string; label: string | null }>;
  groups: Array<{ id: string; parent_id: string | null }>;
}

/** A task as compared: Airflow's default trigger rule is the same whether written or not. */
function taskKey(t: GoldenTask): string {
  const rule = t.trigger_rule === 'all_success' ? null : t.trigger_rule;
  return JSON.stringify([t.task_id, t.group_id, t.decorated, t.mapped, t.branch, rule]);
}

function edgeKey(e: { upstream: string; downstream: string; label: string | null }): string {
  return `${e.upstream} > ${e.downstream}${e.label ? ` [${e.label}]` : ''}`;
}

describe('static analysis draws what Airflow builds (test/fixtures/airflow)', () => {
  before(async () => {
    await loadPython();
  });

  const files = readdirSync(DIR).filter((f) => f.endsWith('.py')).sort();

  it('has the Airflow-shaped fixtures', () => {
    assert.ok(files.length >= 8, files.join(', '));
  });

  for (const file of files) {
    it(file, () => {
      const analysis = analyse(readFileSync(path.join(DIR, file), 'utf8'));
      const golden = (JSON.parse(readFileSync(path.join(DIR, file.replace(/\.py$/, '.airflow.json')), 'utf8')) as { dags: GoldenDag[] }).dags;
      const partial = analysis.diagnostics.some((d) => d.code === 'VX404');
      assert.ok(!analysis.diagnostics.some((d) => d.severity === 'error'), `no error on a file Airflow loads: ${JSON.stringify(analysis.diagnostics.filter((d) => d.severity === 'error'))}`);
      const drawn = inspectDags(analysis);
      for (const dag of drawn) {
        const expected = golden.find((g) => g.dag_id === dag.dag_id);
        assert.ok(expected, `Airflow builds no DAG "${dag.dag_id}"`);
        const tasks = dag.tasks.map((t) => taskKey(t as GoldenTask)).sort();
        const edges = dag.edges.map((e) => edgeKey({ upstream: e.upstream, downstream: e.downstream, label: e.label ?? null })).sort();
        const groups = (dag.groups ?? []).map((g) => `${g.id} < ${g.parent_id}`).sort();
        const goldenTasks = expected.tasks.map(taskKey).sort();
        const goldenEdges = expected.edges.map(edgeKey).sort();
        const goldenGroups = expected.groups.map((g) => `${g.id} < ${g.parent_id}`).sort();
        if (partial) {
          for (const t of tasks) assert.ok(goldenTasks.includes(t), `${dag.dag_id}: the task ${t} is not Airflow's`);
          for (const e of edges) assert.ok(goldenEdges.includes(e), `${dag.dag_id}: the edge ${e} is not Airflow's`);
          for (const g of groups) assert.ok(goldenGroups.includes(g), `${dag.dag_id}: the group ${g} is not Airflow's`);
        } else {
          assert.deepEqual(tasks, goldenTasks, `${dag.dag_id}: tasks`);
          assert.deepEqual(edges, goldenEdges, `${dag.dag_id}: edges`);
          assert.deepEqual(groups, goldenGroups, `${dag.dag_id}: groups`);
        }
      }
      if (!partial) assert.deepEqual(drawn.map((d) => d.dag_id).sort(), golden.map((g) => g.dag_id).sort(), 'the DAGs');
    });
  }
});
