/**
 * Airflow's own rules for what a DAG file builds, one by one, on small files
 * in the shapes projects write: each expectation is what Airflow's task-sdk
 * builds for the same file (task ids, groups, edges, labels), not what the
 * analyser happens to say.
 */
import assert from 'node:assert/strict';
import { analyse } from '../../../../core/analysis/analyse';
import type { FileAnalysis } from '../../../../core/analysis/model';
import { loadPython } from '../../../../core/analysis/parser';
import { dagGroups, edgeLabel, taskStructure } from '../../../../core/graphFields';

const HEADER = `from airflow import DAG
from airflow.decorators import dag, task, task_group
from airflow.models.baseoperator import chain, chain_linear, cross_downstream
from airflow.operators.bash import BashOperator
from airflow.operators.empty import EmptyOperator
from airflow.utils.edgemodifier import Label
from airflow.utils.task_group import TaskGroup
`;

function ids(analysis: FileAnalysis, dag = 0): string[] {
  return analysis.dags[dag].taskIndices.map((i) => analysis.tasks[i].taskId);
}

/** Edges as `up>down`, `up>down:label` when labelled, sorted. */
function edges(analysis: FileAnalysis, dag = 0): string[] {
  return analysis.dags[dag].edges.map((e) => `${e.upstream}>${e.downstream}${edgeLabel(e) ? `:${edgeLabel(e)}` : ''}`).sort();
}

function codes(analysis: FileAnalysis): string[] {
  return analysis.diagnostics.map((d) => d.code);
}

describe("Airflow's rules: what a file builds, as Airflow builds it", () => {
  before(async () => {
    await loadPython();
  });

  describe('TaskGroups', () => {
    it('prefix their children, nested ones with the full id; prefix_group_id=False leaves ids as written', () => {
      const a = analyse(`${HEADER}
with DAG("d") as d:
    with TaskGroup("outer"):
        EmptyOperator(task_id="a")
        with TaskGroup("inner"):
            EmptyOperator(task_id="b")
        with TaskGroup("plain", prefix_group_id=False):
            EmptyOperator(task_id="c")
            with TaskGroup("deep"):
                EmptyOperator(task_id="e")
`);
      assert.deepEqual(ids(a), ['outer.a', 'outer.inner.b', 'c', 'deep.e']);
      assert.deepEqual(dagGroups(a.dags[0]).map((g) => [g.id, g.parentId]), [['outer', null], ['outer.inner', 'outer'], ['outer.plain', 'outer'], ['deep', 'outer.plain']]);
      assert.deepEqual(a.tasks.map((t) => taskStructure(t).groupId), ['outer', 'outer.inner', 'outer.plain', 'deep']);
      assert.deepEqual(codes(a), []);
    });

    it('link a dependency to the roots or leaves the group has when it is written', () => {
      const a = analyse(`${HEADER}
with DAG("d") as d:
    start = EmptyOperator(task_id="start")
    with TaskGroup("g") as g:
        one = EmptyOperator(task_id="one")
        two = EmptyOperator(task_id="two")
    start >> g
    one >> two
    g >> EmptyOperator(task_id="end")
`);
      // When start >> g is written, one and two are both roots; when g >> end is, only two is a leaf.
      assert.deepEqual(edges(a), ['g.one>g.two', 'g.two>end', 'start>g.one', 'start>g.two']);
    });

    it('take tasks by task_group= and TaskGroup(..., dag=dag) outside any with block; t.task_group and g.parent_group are groups', () => {
      const a = analyse(`${HEADER}
dag = DAG("d")
group = TaskGroup("loads", dag=dag)
inner = TaskGroup("inner", parent_group=group)
first = EmptyOperator(task_id="first", task_group=group, dag=dag)
second = EmptyOperator(task_id="second", task_group=inner, dag=dag)
after = EmptyOperator(task_id="after", dag=dag)
second.task_group.parent_group >> after
`);
      assert.deepEqual(ids(a), ['loads.first', 'loads.inner.second', 'after']);
      assert.deepEqual(edges(a), ['loads.first>after', 'loads.inner.second>after']);
      assert.deepEqual(codes(a), []);
    });

    it('refuse a group_id used twice (VX201) and one with a dot (VX207); the same task_id in two groups is fine', () => {
      const a = analyse(`${HEADER}
with DAG("d") as d:
    with TaskGroup("g"):
        EmptyOperator(task_id="run")
    with TaskGroup("h"):
        EmptyOperator(task_id="run")
    with TaskGroup("g"):
        pass
    with TaskGroup("a.b"):
        pass
`);
      assert.deepEqual(codes(a), ['VX201', 'VX207']);
      assert.deepEqual(ids(a), ['g.run', 'h.run']);
    });

    it('with a computed group_id make their tasks dynamic (VX404), never wrongly named', () => {
      const a = analyse(`${HEADER}
with DAG("d") as d:
    for name in ["x", "y"]:
        pass
    with TaskGroup(make_name()):
        EmptyOperator(task_id="run")
`);
      assert.deepEqual(ids(a), []);
      assert.ok(codes(a).every((c) => c === 'VX404') && codes(a).length >= 1);
    });
  });

  describe('TaskFlow', () => {
    it('names tasks after their function, task_id= or .override(), suffixing repeats as get_unique_task_id does', () => {
      const a = analyse(`${HEADER}
@task
def load(x):
    return x

@task(task_id="fetch")
def extract():
    return 1

with DAG("d") as d:
    load(1)
    load(2)
    load.override(task_id="load__7")(3)
    load(4)
    extract()
    with TaskGroup("g"):
        load(5)
        load(6)
`);
      assert.deepEqual(ids(a), ['load', 'load__1', 'load__7', 'load__8', 'fetch', 'g.load', 'g.load__1']);
      assert.ok(a.tasks.every((t) => t.decorated && t.kind === 'python'));
    });

    it("takes only the frameworks' decorators for TaskFlow: another library's `task` decorates nothing Airflow sees", () => {
      const a = analyse(`${HEADER.replace('from airflow.decorators import dag, task, task_group', 'from celery import task')}
@task
def send():
    return 1

with DAG("d") as d:
    send()
    EmptyOperator(task_id="only")
`);
      assert.deepEqual(ids(a), ['only']);
    });

    it('makes an edge for a result passed anywhere in the arguments, op.output, and a templated field of a classic operator', () => {
      const a = analyse(`${HEADER}
@task
def first():
    return 1

@task
def combine(values, options):
    return values

with DAG("d") as d:
    one = first()
    bash = BashOperator(task_id="bash", bash_command="echo 1")
    combine([one, 2], options={"nested": {"from": bash.output}})
    BashOperator(task_id="templated", bash_command=one, env={"X": first()})
    BashOperator(task_id="plain", bash_command="echo", retries=one)
`);
      assert.deepEqual(ids(a), ['first', 'bash', 'combine', 'first__1', 'templated', 'plain']);
      // retries is no template field of BashOperator: no edge from it.
      assert.deepEqual(edges(a), ['bash>combine', 'first>combine', 'first>templated', 'first__1>templated']);
    });

    it('builds a @dag function when it is called, in its own names; one never called is VX107', () => {
      const a = analyse(`${HEADER}
@dag(dag_id="named", schedule="@daily")
def pipeline():
    start = EmptyOperator(task_id="start")
    start >> EmptyOperator(task_id="end")

@dag
def unused():
    EmptyOperator(task_id="x")

other = DAG("other")
start = BashOperator(task_id="outside", bash_command="echo", dag=other)
built = pipeline()
start >> BashOperator(task_id="next", bash_command="echo", dag=other)
`);
      assert.deepEqual(a.dags.map((d) => d.dagId), ['other', 'named']);
      assert.deepEqual(ids(a, 1), ['start', 'end']);
      assert.equal(a.dags[1].schedule, '@daily');
      assert.ok(codes(a).includes('VX107'));
      // The module's "start" is still the task made outside the function: no dependency across DAGs (VX304).
      assert.deepEqual(edges(a, 0), ['outside>next']);
      assert.deepEqual(codes(a), ['VX107']);
    });

    it('makes a group per @task_group call (suffixed), returning what the function returns', () => {
      const a = analyse(`${HEADER}
@task
def step(x):
    return x

@task_group
def section(value):
    done = step(value)
    return done

@task_group(group_id="plain")
def no_return():
    EmptyOperator(task_id="inside")

with DAG("d") as d:
    start = step(0)
    first = section(start)
    second = section(first)
    tail = no_return()
    second >> tail
`);
      assert.deepEqual(ids(a), ['step', 'section.step', 'section__1.step', 'plain.inside']);
      // first is section's step (what the function returns); tail, returning nothing, is the group: its root takes the edge.
      assert.deepEqual(edges(a), ['section.step>section__1.step', 'section__1.step>plain.inside', 'step>section.step']);
    });
  });

  describe('dependencies', () => {
    it('Label: the edge carries its text, lists on either side, set_downstream(edge_modifier=...) too', () => {
      const a = analyse(`${HEADER}
with DAG("d") as d:
    a = EmptyOperator(task_id="a")
    b = EmptyOperator(task_id="b")
    c = EmptyOperator(task_id="c")
    e = EmptyOperator(task_id="e")
    [a, b] >> Label("both") >> c
    c >> Label("fan") >> [e]
    a.set_downstream(e, edge_modifier=Label("direct"))
    c << Label("back") << e
`);
      assert.deepEqual(edges(a), ['a>c:both', 'a>e:direct', 'b>c:both', 'c>e:fan', 'e>c:back']);
    });

    it('chain_linear links every task of an element to every task of the next; chain pairs lists', () => {
      const a = analyse(`${HEADER}
with DAG("d") as d:
    t = [EmptyOperator(task_id=f"t{i}") for i in range(1)]
    a = EmptyOperator(task_id="a")
    b1 = EmptyOperator(task_id="b1")
    b2 = EmptyOperator(task_id="b2")
    c1 = EmptyOperator(task_id="c1")
    c2 = EmptyOperator(task_id="c2")
    chain_linear(a, [b1, b2], [c1, c2])
    x1 = EmptyOperator(task_id="x1")
    x2 = EmptyOperator(task_id="x2")
    chain([c1, c2], [x1, x2])
`);
      assert.deepEqual(edges(a), ['a>b1', 'a>b2', 'b1>c1', 'b1>c2', 'b2>c1', 'b2>c2', 'c1>x1', 'c2>x2']);
    });

    it('.partial(...).expand(...) is one mapped task, the mapped input an upstream task, written inline or through a name', () => {
      const a = analyse(`${HEADER}
@task
def numbers():
    return [1, 2]

@task
def add(x, y):
    return x + y

with DAG("d") as d:
    partial = BashOperator.partial(task_id="echo")
    partial.expand(bash_command=["echo 1", "echo 2"])
    add.partial(y=1).expand(x=numbers())
`);
      assert.deepEqual(ids(a), ['echo', 'numbers', 'add']);
      assert.deepEqual(a.tasks.map((t) => taskStructure(t).mapped), [true, false, true]);
      assert.deepEqual(edges(a), ['numbers>add']);
      assert.deepEqual(codes(a), ['VX402', 'VX402']);
    });
  });

  it('chain(*tasks) over a list of single tasks chains them in order; once the list is changed in place it is not known', () => {
    const a = analyse(`${HEADER}
with DAG("d") as d:
    steps = [EmptyOperator(task_id="a"), EmptyOperator(task_id="b"), EmptyOperator(task_id="c")]
    chain(*steps)
    more = [EmptyOperator(task_id="x"), EmptyOperator(task_id="y")]
    more.append(EmptyOperator(task_id="z"))
    chain(*more)
`);
    assert.deepEqual(edges(a), ['a>b', 'b>c']);
    assert.deepEqual(codes(a), ['VX404']);
  });

  it('an operator class of the file makes tasks, its own template_fields deciding which XComArgs are edges', () => {
    const a = analyse(`${HEADER}
class Greet(BaseOperator):
    template_fields = ("name",)

class LoudGreet(Greet):
    pass

@task
def pick():
    return "x"

with DAG("d") as d:
    who = pick()
    Greet(task_id="greet", name=who)
    LoudGreet(task_id="loud", name="team", config=who)
`.replace('from airflow import DAG', 'from airflow import DAG\nfrom airflow.models import BaseOperator'));
    assert.deepEqual(ids(a), ['pick', 'greet', 'loud']);
    assert.deepEqual(edges(a), ['pick>greet']);
    assert.deepEqual(codes(a), ['VX205', 'VX205']);
  });

  it("takes a trigger rule from TriggerRule's members, in a task's arguments and in a @dag's default_args", () => {
    const a = analyse(`${HEADER}
from airflow.utils.trigger_rule import TriggerRule

@dag(default_args={"trigger_rule": TriggerRule.NONE_FAILED})
def d():
    EmptyOperator(task_id="inherits")
    EmptyOperator(task_id="own", trigger_rule=TriggerRule.ALL_DONE)

d()
`);
    assert.deepEqual(a.tasks.map((t) => [t.taskId, taskStructure(t).triggerRule]), [['inherits', 'none_failed'], ['own', 'all_done']]);
  });

  describe('constants', () => {
    it('reads names bound to literals, f-strings and + of them, DAG(**params), default_args with values it cannot read', () => {
      const a = analyse(`${HEADER}
from datetime import timedelta
NAME = "sales"
VERSION = 2
ARGS = {"owner": "ops", "retry_delay": timedelta(minutes=5), "trigger_rule": "all_done"}
params = {"dag_id": f"{NAME}_v{VERSION}", "schedule": None}
with DAG(**params, default_args=ARGS) as d:
    EmptyOperator(task_id=NAME + "_load")
`);
      assert.equal(a.dags[0].dagId, 'sales_v2');
      assert.equal(a.dags[0].owner, 'ops');
      assert.deepEqual(ids(a), ['sales_load']);
      assert.equal(taskStructure(a.tasks[0]).triggerRule, 'all_done');
      assert.deepEqual(codes(a), []);
    });

    it('does not take a name bound in a branch of if/try for a constant, nor what runs only under __main__', () => {
      const a = analyse(`${HEADER}
import os
if os.environ.get("PROD"):
    NAME = "prod"
else:
    NAME = "dev"
with DAG(dag_id=NAME) as d:
    EmptyOperator(task_id="run")
if __name__ == "__main__":
    with DAG(dag_id="script_only") as s:
        EmptyOperator(task_id="x")
`);
      assert.deepEqual(a.dags.map((dag) => dag.dagId), [null]);
      assert.deepEqual(codes(a), ['VX404']);
    });
  });
});
