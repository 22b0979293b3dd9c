/**
 * The bundled Python SDK, exercised by running python3 on small DAG scripts:
 * each script prints JSON about what it built, and the test reads it.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { SDK } from '../support/execution';

interface PyRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

function python(source: string): PyRun {
  const r = spawnSync('python3', ['-c', source], {
    encoding: 'utf8',
    env: { ...process.env, PYTHONPATH: SDK, PYTHONDONTWRITEBYTECODE: '1' },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs the script, which must print one JSON value last. */
function pythonJson(source: string): unknown {
  const r = python(`import json\n${source}`);
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]);
}

const EDGES = `
def edges(dag):
    return sorted([u, d] for u in dag.task_ids for d in dag.get_task(u).downstream_task_ids)
`;

describe('Python SDK', () => {
  it('runs the seed example: imports, DAG attributes, the context manager and >> with lists', () => {
    const out = pythonJson(`${EDGES}
from vortex import DAG
from vortex.operators.bash import BashOperator
from vortex.operators.python import PythonOperator
from vortex.operators.dummy import DummyOperator

def my_python_logic():
    print("Executing custom logic!")

with DAG(dag_id="example_vortex_dag", schedule_interval="0 12 * * *", owner="vortex_team",
         description="An example DAG", tags=["example", "python"], secrets=["API_TOKEN"]) as dag:
    start = DummyOperator(task_id="start")
    run_script = BashOperator(task_id="run_script", bash_command="echo 'Hello from VORTEX!'")
    process_data = PythonOperator(task_id="process_data", python_callable=my_python_logic)
    end = DummyOperator(task_id="end")
    start >> [run_script, process_data] >> end

print(json.dumps({
    "dag": [dag.dag_id, dag.schedule_interval, dag.schedule, dag.owner, dag.description, dag.tags, dag.secrets],
    "tasks": dag.task_ids,
    "edges": edges(dag),
    "dags": [t.dag.dag_id for t in dag.tasks],
    "bash": run_script.bash_command,
    "callable": process_data.python_callable.__name__,
    "order": [t.task_id for t in dag.topological_sort()],
    "roots": [t.task_id for t in dag.roots], "leaves": [t.task_id for t in dag.leaves],
}))
`);
    assert.deepEqual(out, {
      dag: ['example_vortex_dag', '0 12 * * *', '0 12 * * *', 'vortex_team', 'An example DAG', ['example', 'python'], ['API_TOKEN']],
      tasks: ['start', 'run_script', 'process_data', 'end'],
      edges: [['process_data', 'end'], ['run_script', 'end'], ['start', 'process_data'], ['start', 'run_script']],
      dags: ['example_vortex_dag', 'example_vortex_dag', 'example_vortex_dag', 'example_vortex_dag'],
      bash: "echo 'Hello from VORTEX!'",
      callable: 'my_python_logic',
      order: ['start', 'run_script', 'process_data', 'end'],
      roots: ['start'],
      leaves: ['end'],
    });
  });

  it('supports dag= without a context, <<, lists on either side, set_upstream and set_downstream', () => {
    const out = pythonJson(`${EDGES}
from vortex.models.dag import DAG
from vortex.operators.empty import EmptyOperator as E

dag = DAG("plain", schedule="@daily")
a, b, c, d, e, f = (E(task_id=x, dag=dag) for x in "abcdef")
a << b            # b >> a
[c, d] << a       # a >> c, a >> d
[e] >> f
c.set_downstream(e)
f.set_upstream([d])
r1 = a >> c
print(json.dumps({"edges": edges(dag), "r1": r1.task_id, "schedule": dag.schedule,
                  "up_f": sorted(f.upstream_task_ids), "down_a": sorted(a.downstream_task_ids)}))
`);
    assert.deepEqual(out, {
      edges: [['a', 'c'], ['a', 'd'], ['b', 'a'], ['c', 'e'], ['d', 'f'], ['e', 'f']],
      r1: 'c',
      schedule: '@daily',
      up_f: ['d', 'e'],
      down_a: ['c', 'd'],
    });
  });

  it('offers chain and cross_downstream from vortex and vortex.models.baseoperator', () => {
    const out = pythonJson(`${EDGES}
from vortex import DAG, chain
from vortex.models.baseoperator import cross_downstream, chain as chain2
from vortex.operators.empty import EmptyOperator as E
assert chain is chain2

with DAG("chained") as dag:
    t = {x: E(task_id=x) for x in ["a", "b1", "b2", "c1", "c2", "d", "x1", "x2", "y1", "y2"]}
    chain(t["a"], [t["b1"], t["b2"]], [t["c1"], t["c2"]], t["d"])
    cross_downstream([t["x1"], t["x2"]], [t["y1"], t["y2"]])
try:
    chain([t["a"]], [t["b1"], t["b2"]])
    err = None
except ValueError as e:
    err = str(e)
print(json.dumps({"edges": edges(dag), "err": err}))
`) as { edges: string[][]; err: string };
    assert.deepEqual(out.edges, [
      ['a', 'b1'], ['a', 'b2'], ['b1', 'c1'], ['b2', 'c2'], ['c1', 'd'], ['c2', 'd'],
      ['x1', 'y1'], ['x1', 'y2'], ['x2', 'y1'], ['x2', 'y2'],
    ]);
    assert.match(out.err, /different lengths: 1 and 2/);
  });

  it('keeps operator attributes, secrets, timeouts and default_args', () => {
    const out = pythonJson(`
from datetime import timedelta
from vortex import DAG
from vortex.operators.bash import BashOperator
from vortex.operators.python import PythonOperator

with DAG("attrs", default_args={"owner": "ops", "execution_timeout": timedelta(minutes=2), "retries": 1},
         max_active_runs=1) as dag:
    b = BashOperator(task_id="b", bash_command="echo hi", secrets=["DB"], execution_timeout=30, pool="x")
    p = PythonOperator(task_id="p", python_callable=print, op_args=[1], op_kwargs={"sep": "-"})
print(json.dumps({
    "owner": [dag.owner, b.owner, p.owner],
    "timeout": [b.execution_timeout.total_seconds(), p.execution_timeout.total_seconds()],
    "retries": p.retries, "secrets": [b.secrets, p.secrets],
    "op": [p.op_args, p.op_kwargs], "extra": [b.extra_args, dag.extra_args],
}))
`);
    assert.deepEqual(out, {
      owner: ['ops', 'ops', 'ops'],
      timeout: [30, 120],
      retries: 1,
      secrets: [['DB'], []],
      op: [[1], { sep: '-' }],
      extra: [{ pool: 'x' }, { max_active_runs: 1 }],
    });
  });

  it('runs tasks directly with execute()', () => {
    const r = python(`
from vortex import DAG
from vortex.operators.bash import BashOperator
from vortex.operators.python import PythonOperator
from vortex.operators.dummy import DummyOperator
with DAG("exec"):
    b = BashOperator(task_id="b", bash_command="echo from-bash")
    p = PythonOperator(task_id="p", python_callable=lambda x, y: x + y, op_args=[2], op_kwargs={"y": 3})
    d = DummyOperator(task_id="d")
b.execute()
print(p.execute(), d.execute())
`);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, 'from-bash\n5 None\n');
  });

  it('refuses what Airflow refuses: duplicate task ids, bad ids, tasks of two DAGs, cycles', () => {
    const out = pythonJson(`
from vortex import DAG
from vortex.exceptions import DuplicateTaskIdFound, DagCycleException
from vortex.operators.empty import EmptyOperator as E
from vortex.operators.python import PythonOperator

def error_of(f):
    try:
        f()
    except Exception as e:
        return type(e).__name__
    return None

d1, d2 = DAG("one"), DAG("two")
a = E(task_id="a", dag=d1)
b = E(task_id="b", dag=d2)
c = E(task_id="c", dag=d1)
a >> c >> a
print(json.dumps([
    error_of(lambda: E(task_id="a", dag=d1)),
    error_of(lambda: E(task_id="bad id", dag=d1)),
    error_of(lambda: DAG("")),
    error_of(lambda: a >> b),
    error_of(lambda: d1.topological_sort()),
    error_of(lambda: d1.get_task("zz")),
    error_of(lambda: PythonOperator(task_id="p", python_callable="not callable")),
    error_of(lambda: DAG("both", schedule="@daily", schedule_interval="@daily")),
]))
`);
    assert.deepEqual(out, [
      'DuplicateTaskIdFound', 'ValueError', 'ValueError', 'ValueError',
      'DagCycleException', 'TaskNotFound', 'TypeError', 'ValueError',
    ]);
  });

  it('lets a task made without a DAG join the DAG it is linked to, and records every DAG built', () => {
    const out = pythonJson(`
from vortex import DAG
from vortex.models.dag import created_dags
from vortex.operators.empty import EmptyOperator as E

def factory(name):
    with DAG(name) as d:
        E(task_id="inner")
    return None

factory("made_in_a_function")
loose = E(task_id="loose")
with DAG("host") as host:
    anchor = E(task_id="anchor")
anchor >> loose
print(json.dumps({"loose": loose.dag.dag_id, "host": host.task_ids,
                  "created": [d.dag_id for d in created_dags()]}))
`);
    assert.deepEqual(out, { loose: 'host', host: ['anchor', 'loose'], created: ['made_in_a_function', 'host'] });
  });

  it('ships type information (py.typed) and imports under python -W error', () => {
    const r = spawnSync('python3', ['-W', 'error', '-c', 'import vortex, vortex.operators.bash, vortex.operators.python, vortex.operators.dummy, vortex.operators.empty, vortex.models, os; print(os.path.exists(os.path.join(os.path.dirname(vortex.__file__), "py.typed")))'], {
      encoding: 'utf8',
      env: { ...process.env, PYTHONPATH: SDK, PYTHONDONTWRITEBYTECODE: '1' },
    });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, 'True\n');
  });
});
