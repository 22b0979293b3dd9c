import assert from 'node:assert/strict';
import { analyse } from '../../../../core/analysis/analyse';
import { classifyCallee } from '../../../../core/analysis/callees';
import { loadPython } from '../../../../core/analysis/parser';

describe('callee registry: what a called name is', () => {
  it('looks the framework constructs up by the name they are exported as', () => {
    const kinds: Array<[string, string]> = [
      ['airflow.DAG', 'dag'],
      ['airflow.models.baseoperator.chain', 'chain'],
      ['airflow.models.baseoperator.chain_linear', 'chainLinear'],
      ['airflow.models.baseoperator.cross_downstream', 'crossDownstream'],
      ['airflow.utils.task_group.TaskGroup', 'taskGroup'],
      ['airflow.utils.edgemodifier.Label', 'label'],
      ['airflow.decorators.task', 'taskDecorator'],
      ['airflow.decorators.dag', 'dagDecorator'],
      ['airflow.decorators.task_group', 'taskGroupDecorator'],
      ['airflow.utils.trigger_rule.TriggerRule', 'constant'],
      ['vortex.DAG', 'dag'],
    ];
    for (const [qualified, kind] of kinds) {
      const last = qualified.slice(qualified.lastIndexOf('.') + 1);
      assert.equal(classifyCallee(qualified, last, last, false).kind, kind, qualified);
    }
  });

  it('knows the operators VORTEX runs, and others by their names', () => {
    assert.deepEqual(classifyCallee('airflow.operators.bash.BashOperator', 'BashOperator', 'BashOperator', false), {
      kind: 'operator', name: 'BashOperator', qualified: 'airflow.operators.bash.BashOperator', known: true,
    });
    assert.deepEqual(classifyCallee(null, 'MySensor', 'MySensor', false), { kind: 'operator', name: 'MySensor', qualified: 'MySensor', known: false });
    // A capitalised framework name given task_id is an operator VORTEX does not know...
    assert.equal(classifyCallee('airflow.providers.Thing', 'Thing', 'Thing', true).kind, 'operator');
    assert.equal(classifyCallee('airflow.providers.Thing', 'Thing', 'Thing', false).kind, 'other');
    // A TaskGroup stays a TaskGroup whatever it is given.
    assert.equal(classifyCallee('airflow.utils.task_group.TaskGroup', 'TaskGroup', 'TaskGroup', () => true).kind, 'taskGroup');
    // DAG stays a DAG whatever it is given.
    assert.equal(classifyCallee('airflow.DAG', 'DAG', 'DAG', true).kind, 'dag');
  });

  it('knows no construct outside the frameworks', () => {
    assert.equal(classifyCallee(null, 'DAG', 'DAG', false).kind, 'other');
    assert.equal(classifyCallee('mylib.TaskGroup', 'TaskGroup', 'TaskGroup', false).kind, 'other');
    assert.equal(classifyCallee('mylib.chain', 'chain', 'chain', false).kind, 'other');
  });
});

describe('scopes: the DAG a task belongs to', () => {
  before(async () => {
    await loadPython();
  });

  it('is the innermost `with DAG`, through blocks that make none, and no loop body makes static tasks', () => {
    const analysis = analyse(`from airflow import DAG
from airflow.utils.task_group import TaskGroup
from airflow.operators.bash import BashOperator

with DAG("outer") as outer:
    a = BashOperator(task_id="a", bash_command="true")
    with TaskGroup("group") as group:
        b = BashOperator(task_id="b", bash_command="true")
        with DAG("inner") as inner:
            c = BashOperator(task_id="c", bash_command="true")
        d = BashOperator(task_id="d", bash_command="true")
    for i in range(3):
        e = BashOperator(task_id="e", bash_command="true")
f = BashOperator(task_id="f", bash_command="true")
`);
    const dagOf = (id: string) => {
      const task = analysis.tasks.find((t) => t.taskId === id);
      return task ? (task.dagIndex >= 0 ? analysis.dags[task.dagIndex].dagId : null) : undefined;
    };
    assert.deepEqual(['a', 'group.b', 'c', 'group.d', 'e', 'f'].map(dagOf), ['outer', 'outer', 'inner', 'outer', undefined, null]);
    assert.deepEqual(analysis.diagnostics.map((d) => d.code), ['VX404', 'VX206']);
  });
});
