/**
 * A task's run settings (retries, retry_delay, execution_timeout,
 * do_xcom_push, trigger_rule) reach its run spec from default_args as Airflow
 * merges them: the DAG's, then each enclosing TaskGroup's, then the
 * operator's own `default_args=`, the task's own argument over all. Real
 * analysis of real source; what cannot be read is not guessed.
 */
import assert from 'node:assert/strict';
import { analyse } from '../../../../core/analysis/analyse';
import { loadPython } from '../../../../core/analysis/parser';
import { planFromModel } from '../../../../core/run/plan';
import { DEFAULT_RETRY_DELAY_SECONDS, DEFAULT_TIMEOUT_SECONDS, type TaskRunSpec } from '../../../../core/run/taskSpec';

const HEADER = `from datetime import datetime, timedelta
import datetime as dt
from airflow import DAG
from airflow.operators.bash import BashOperator
from airflow.operators.python import PythonOperator
from airflow.utils.task_group import TaskGroup
from airflow.decorators import dag, task, task_group
`;

/** The run specs of the file's only DAG, by task id. */
function specs(body: string): Record<string, TaskRunSpec> {
  const analysis = analyse(HEADER + body);
  assert.deepEqual(analysis.diagnostics.filter((d) => d.severity === 'error'), []);
  const plan = planFromModel(analysis, analysis.dags[0], { dagFilePath: '/dags/etl.py', runId: 'r1' });
  return Object.fromEntries(plan.tasks.map((t) => [t.spec.taskId, t.spec]));
}

function settings(spec: TaskRunSpec): [number, number, number] {
  return [spec.retries, spec.retryDelaySeconds, spec.timeoutSeconds];
}

describe('default_args in the run spec', () => {
  before(loadPython);

  it('gives a task the retries, retry_delay and execution_timeout of its DAG\'s default_args', () => {
    const s = specs(`
default_args = {"owner": "data", "retries": 2, "retry_delay": timedelta(seconds=1), "execution_timeout": timedelta(minutes=5)}
with DAG("etl", default_args=default_args, start_date=datetime(2024, 1, 1), schedule=None) as dag:
    flaky = BashOperator(task_id="flaky", bash_command="exit 1")
`);
    assert.deepEqual(settings(s.flaky), [2, 1, 300]);
  });

  it('takes a dict written in the call, and @task functions inherit too', () => {
    const s = specs(`
with DAG("etl", default_args={"retries": 3, "retry_delay": dt.timedelta(minutes=2), "execution_timeout": 90}, schedule=None) as dag:
    BashOperator(task_id="bash", bash_command="exit 1")

    @task
    def extract():
        return 1

    extract()
`);
    assert.deepEqual(settings(s.bash), [3, 120, 90]);
    assert.deepEqual(settings(s.extract), [3, 120, 90]);
  });

  it('gives the tasks of a @dag function its default_args, a @task_group\'s over them, a decorator\'s own argument winning', () => {
    const s = specs(`
@dag(schedule=None, default_args={"retries": 3, "retry_delay": timedelta(seconds=2)})
def pipeline():
    @task
    def extract():
        return 1

    @task_group(default_args={"retries": 1})
    def publish():
        @task
        def inner():
            return 2

        inner()

    @task(retries=0)
    def own():
        pass

    extract() >> publish() >> own()


pipeline()
`);
    assert.deepEqual(settings(s.extract), [3, 2, DEFAULT_TIMEOUT_SECONDS]);
    assert.deepEqual(settings(s['publish.inner']), [1, 2, DEFAULT_TIMEOUT_SECONDS]);
    assert.deepEqual(settings(s.own), [0, 2, DEFAULT_TIMEOUT_SECONDS]);
  });

  it('merges a TaskGroup\'s default_args over the DAG\'s, an inner group\'s over its parent\'s, and the operator\'s own default_args over them', () => {
    const s = specs(`
with DAG("etl", default_args={"retries": 1, "retry_delay": timedelta(seconds=10)}, schedule=None) as dag:
    outside = BashOperator(task_id="outside", bash_command="true")
    with TaskGroup("load", default_args={"retries": 4}) as load:
        in_group = BashOperator(task_id="in_group", bash_command="true")
        with TaskGroup("inner", default_args={"retry_delay": timedelta(hours=1)}) as inner:
            in_inner = BashOperator(task_id="in_inner", bash_command="true")
            own_defaults = BashOperator(task_id="own_defaults", bash_command="true", default_args={"retries": 7})
`);
    assert.deepEqual(settings(s.outside), [1, 10, DEFAULT_TIMEOUT_SECONDS]);
    assert.deepEqual(settings(s['load.in_group']), [4, 10, DEFAULT_TIMEOUT_SECONDS]);
    assert.deepEqual(settings(s['load.inner.in_inner']), [4, 3600, DEFAULT_TIMEOUT_SECONDS]);
    assert.deepEqual(settings(s['load.inner.own_defaults']), [7, 3600, DEFAULT_TIMEOUT_SECONDS]);
  });

  it('lets the task\'s own arguments win, a decorator\'s too', () => {
    const s = specs(`
ARGS = {"retries": 2, "retry_delay": timedelta(seconds=1), "execution_timeout": timedelta(seconds=30), "do_xcom_push": False, "trigger_rule": "all_done"}
with DAG("etl", default_args=ARGS, schedule=None) as dag:
    own = BashOperator(task_id="own", bash_command="true", retries=0, retry_delay=timedelta(minutes=5), execution_timeout=timedelta(seconds=45), do_xcom_push=True, trigger_rule="all_success")
    inherits = BashOperator(task_id="inherits", bash_command="true")

    @task(retries=5, retry_delay=timedelta(seconds=3))
    def decorated():
        return 1

    decorated()
`);
    assert.deepEqual(settings(s.own), [0, 300, 45]);
    assert.equal(s.own.doXcomPush, true);
    assert.equal(s.own.triggerRule, 'all_success');
    assert.deepEqual(settings(s.inherits), [2, 1, 30]);
    assert.equal(s.inherits.doXcomPush, false);
    assert.equal(s.inherits.triggerRule, 'all_done');
    assert.deepEqual(settings(s.decorated), [5, 3, 30]);
  });

  it('does not guess what it cannot read: Airflow\'s defaults, and the model names what is unknown', () => {
    const source = `${HEADER}
import os
from common import shared_args
with DAG("etl", default_args={"retries": int(os.environ.get("RETRIES", "2")), "retry_delay": timedelta(seconds=os.cpu_count())}, schedule=None) as dag:
    unread = BashOperator(task_id="unread", bash_command="true")
    with TaskGroup("g", default_args=shared_args()):
        unknown = BashOperator(task_id="unknown", bash_command="true", retries=1)
`;
    const analysis = analyse(source);
    const [unread, unknown] = analysis.tasks;
    assert.deepEqual(unread.unreadSettings, ['retries', 'retry_delay']);
    assert.deepEqual(unread.inheritedSettings, ['retries', 'retry_delay']);
    // A default_args built by a call may hold any argument: all but the task's own are unknown.
    assert.deepEqual(unknown.unreadSettings, ['retry_delay', 'execution_timeout', 'do_xcom_push', 'trigger_rule']);
    const plan = planFromModel(analysis, analysis.dags[0], { dagFilePath: '/dags/etl.py', runId: 'r1' });
    assert.deepEqual(settings(plan.tasks[0].spec), [0, DEFAULT_RETRY_DELAY_SECONDS, DEFAULT_TIMEOUT_SECONDS]);
    assert.deepEqual(settings(plan.tasks[1].spec), [1, DEFAULT_RETRY_DELAY_SECONDS, DEFAULT_TIMEOUT_SECONDS]);
    assert.equal(plan.tasks[1].spec.triggerRule, 'all_success');
  });

  it('does not take a dict changed in place for its display', () => {
    for (const change of ['ARGS["retries"] = 5', 'ARGS.update(retries=5)']) {
      const analysis = analyse(`${HEADER}
ARGS = {"retries": 2, "retry_delay": timedelta(seconds=1)}
${change}
with DAG("etl", default_args=ARGS, schedule=None) as dag:
    BashOperator(task_id="flaky", bash_command="exit 1")
`);
      const [flaky] = analysis.tasks;
      assert.equal(flaky.retries, undefined, change);
      assert.deepEqual(flaky.unreadSettings, ['retries', 'retry_delay', 'execution_timeout', 'do_xcom_push', 'trigger_rule'], change);
    }
  });

  it('leaves a task without default_args or settings as it was: nothing added to its model', () => {
    const analysis = analyse(`${HEADER}
with DAG("etl", schedule=None) as dag:
    BashOperator(task_id="plain", bash_command="true")
`);
    const json = JSON.parse(JSON.stringify(analysis.tasks[0])) as Record<string, unknown>;
    for (const key of ['retries', 'retryDelaySeconds', 'doXcomPush', 'inheritedSettings', 'unreadSettings']) assert.equal(key in json, false, key);
  });
});
