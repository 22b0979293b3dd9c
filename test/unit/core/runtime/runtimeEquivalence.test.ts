/**
 * Static analysis and runtime resolution agree: over the whole fixture corpus
 * (test/fixtures/*.py), a file without dynamic constructs executes to the very
 * DAGs, tasks (ids, operators, lines) and edges the analyser reads from it.
 *
 * Files the analyser finds errors in may rightly fail to execute (a duplicate
 * task_id raises, as in Airflow): for those the outcome is `failed` with
 * VX501, or equal models. Every other difference is listed below with why.
 */
import assert from 'node:assert/strict';
import { analyse } from '../../../../core/analysis/analyse';
import { loadPython } from '../../../../core/analysis/parser';
import type { RuntimeStatus } from '../../../../core/runtime/report';
import { resolveAtRuntime } from '../../../../core/runtime/resolver';
import { inspectDags, inspectRuntimeDags, type InspectDag } from '../../../../cli/src/report';
import { loadFixtures } from '../../../support/fixtures';

interface Exception {
  why: string;
  status: RuntimeStatus;
  /** The runtime diagnostics' codes, and a pattern the first one's message matches. */
  codes: string[];
  message: RegExp;
}

/** Fixtures whose runtime outcome is not "equal models", each with its reason and the outcome asserted instead. */
const EXCEPTIONS: Record<string, Exception> = {
  'vx204_undefined_callable.py': {
    why: 'has analyser errors: send_report is undefined, which executing it raises; etl_jobs.loaders, a module that exists nowhere, is stood in for (VX508)',
    status: 'failed',
    codes: ['VX501', 'VX508'],
    message: /NameError: name 'send_report' is not defined/,
  },
};

/**
 * vx103: the analyser gives an invalid cron string (VX103) as `schedule: null`;
 * vx104: and an unsupported one (`@continuous`) or one held in a name. Executing
 * the file sees the strings it set. Everything else must be equal.
 */
const SCHEDULE_DIFFERS = new Set(['vx103_invalid_schedule.py', 'vx104_not_a_schedule.py']);

/**
 * Mapped tasks (`.partial(...).expand(...)`): the runtime has each as one
 * task; every task the analyser lists must be among them, as it is.
 */
const RUNTIME_SEES_MORE = new Set(['vx402_task_mapping.py']);

/** The one fixture with dynamic constructs (VX404): runtime sees every static task, at its line, and more. */
const DYNAMIC = 'vx404_dynamic_tasks.py';

/** A dag_id computed from the environment (VX404): the runtime knows it, the source cannot; the rest is equal. */
const DAG_ID_COMPUTED = new Set(['modern_constants.py']);

/**
 * Both sides in one spelling for Airflow's default trigger rule: the source
 * gives `all_success` when it is written out, the runtime cannot tell it from
 * the default (null).
 */
function withDefaultRule(dags: InspectDag[]): InspectDag[] {
  return dags.map((d) => ({ ...d, tasks: d.tasks.map((t) => ({ ...t, trigger_rule: t.trigger_rule === 'all_success' ? null : t.trigger_rule })) }));
}

describe('runtime resolution agrees with static analysis over the fixture corpus', function () {
  this.timeout(30000);
  const fixtures = loadFixtures();

  before(async () => {
    await loadPython();
  });

  it('lists only fixtures that exist', () => {
    const names = new Set(fixtures.map((f) => f.name));
    for (const name of [...Object.keys(EXCEPTIONS), ...SCHEDULE_DIFFERS, ...RUNTIME_SEES_MORE, ...DAG_ID_COMPUTED, DYNAMIC]) assert.ok(names.has(name), `${name} is a fixture`);
  });

  for (const fixture of fixtures) {
    it(`${fixture.name}`, async () => {
      const analysis = analyse(fixture.text);
      const outcome = await resolveAtRuntime(fixture.file);
      const staticDags = withDefaultRule(inspectDags(analysis));
      const runtimeDags = withDefaultRule(inspectRuntimeDags(outcome.dags));
      const hasDynamic = analysis.diagnostics.some((d) => d.code === 'VX404');
      const hasErrors = analysis.diagnostics.some((d) => d.severity === 'error');
      const exception = EXCEPTIONS[fixture.name];

      if (exception) {
        assert.equal(outcome.status, exception.status, `${fixture.name} ${exception.why}: ${JSON.stringify(outcome.diagnostics)}`);
        assert.deepEqual(outcome.diagnostics.map((d) => d.code), exception.codes);
        assert.match(outcome.diagnostics[0].message, exception.message);
        return;
      }
      if (fixture.name === DYNAMIC) {
        assert.ok(hasDynamic);
        assert.equal(outcome.status, 'resolved');
        assertStaticTasksSeen(staticDags, runtimeDags);
        return;
      }
      if (DAG_ID_COMPUTED.has(fixture.name)) {
        assert.ok(hasDynamic);
        assert.equal(outcome.status, 'resolved', JSON.stringify(outcome.diagnostics));
        assert.ok(staticDags.some((d) => d.dag_id === null) && runtimeDags.every((d) => d.dag_id !== null), 'the runtime names every DAG');
        assert.deepEqual(runtimeDags, staticDags.map((d, i) => ({ ...d, dag_id: d.dag_id ?? runtimeDags[i]?.dag_id ?? null })));
        return;
      }
      assert.equal(hasDynamic, false, `${fixture.name} has dynamic constructs: list it`);
      if (hasErrors && outcome.status === 'failed') {
        assert.deepEqual(outcome.diagnostics.map((d) => d.code), ['VX501'], JSON.stringify(outcome.diagnostics));
        return;
      }
      assert.equal(outcome.status, 'resolved', JSON.stringify(outcome.diagnostics));
      assert.deepEqual(outcome.diagnostics, []);
      if (SCHEDULE_DIFFERS.has(fixture.name)) {
        const seen = runtimeDags.filter((d, i) => d.schedule !== null && staticDags[i]?.schedule === null);
        assert.ok(seen.length > 0, 'the runtime sees the strings');
        const withoutSchedule = (dags: InspectDag[]) => dags.map((d) => ({ ...d, schedule: null }));
        assert.deepEqual(withoutSchedule(runtimeDags), withoutSchedule(staticDags));
        return;
      }
      if (RUNTIME_SEES_MORE.has(fixture.name)) {
        assert.deepEqual(runtimeDags.map((d) => d.dag_id), staticDags.map((d) => d.dag_id));
        staticDags.forEach((dag, i) => {
          const seen = new Map(runtimeDags[i].tasks.map((t) => [t.task_id, t]));
          for (const task of dag.tasks) assert.deepEqual(seen.get(task.task_id), task);
          assert.ok(runtimeDags[i].tasks.every((t) => t.mapped), 'each mapped task is one task');
        });
        return;
      }
      assert.deepEqual(runtimeDags, staticDags);
    });
  }
});

function assertStaticTasksSeen(staticDags: InspectDag[], runtimeDags: InspectDag[]): void {
  assert.deepEqual(runtimeDags.map((d) => d.dag_id), staticDags.map((d) => d.dag_id));
  staticDags.forEach((dag, i) => {
    const seen = new Map(runtimeDags[i].tasks.map((t) => [t.task_id, t]));
    for (const task of dag.tasks) assert.deepEqual(seen.get(task.task_id), task);
    assert.ok(runtimeDags[i].tasks.length > dag.tasks.length, 'runtime sees the dynamic tasks too');
  });
}
