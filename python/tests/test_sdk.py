"""The SDK as DAG files use it: building DAGs, tasks and dependencies, and running tasks directly."""
from __future__ import annotations

import ast
import datetime
from pathlib import Path
from typing import Any, Callable, List, Optional

import pytest

import vortex
from tests.support import SDK, run_python
from vortex import DAG, chain, cross_downstream
from vortex.exceptions import DagCycleException, DuplicateTaskIdFound, TaskNotFound
from vortex.models.baseoperator import chain as chain_from_models
from vortex.models.dag import created_dags
from vortex.operators.bash import BashOperator
from vortex.operators.dummy import DummyOperator
from vortex.operators.empty import EmptyOperator
from vortex.operators.python import PythonOperator


def edges(dag: DAG) -> List[List[str]]:
    return sorted([u, d] for u in dag.task_ids for d in dag.get_task(u).downstream_task_ids)


def error_of(build: Callable[[], object]) -> Optional[str]:
    try:
        build()
    except Exception as error:  # noqa: BLE001 - the test reports which error it was
        return type(error).__name__
    return None


def test_the_seed_example_builds_its_dag_with_the_context_manager_and_lists() -> None:
    def my_python_logic() -> None:
        print("Executing custom logic!")

    with DAG(
        dag_id="example_vortex_dag",
        schedule_interval="0 12 * * *",
        owner="vortex_team",
        description="An example DAG",
        tags=["example", "python"],
        secrets=["API_TOKEN"],
    ) as dag:
        start = DummyOperator(task_id="start")
        run_script = BashOperator(task_id="run_script", bash_command="echo 'Hello from VORTEX!'")
        process_data = PythonOperator(task_id="process_data", python_callable=my_python_logic)
        end = DummyOperator(task_id="end")
        start >> [run_script, process_data] >> end

    assert [dag.dag_id, dag.schedule_interval, dag.schedule, dag.owner, dag.description, dag.tags, dag.secrets] == [
        "example_vortex_dag", "0 12 * * *", "0 12 * * *", "vortex_team", "An example DAG", ["example", "python"], ["API_TOKEN"],
    ]
    assert dag.task_ids == ["start", "run_script", "process_data", "end"]
    assert edges(dag) == [["process_data", "end"], ["run_script", "end"], ["start", "process_data"], ["start", "run_script"]]
    assert all(t.dag is dag for t in dag.tasks)
    assert run_script.bash_command == "echo 'Hello from VORTEX!'"
    assert process_data.python_callable is my_python_logic
    assert [t.task_id for t in dag.topological_sort()] == ["start", "run_script", "process_data", "end"]
    assert [t.task_id for t in dag.roots] == ["start"]
    assert [t.task_id for t in dag.leaves] == ["end"]


def test_dag_without_a_context_shift_operators_both_ways_and_set_relatives() -> None:
    dag = DAG("plain", schedule="@daily")
    a, b, c, d, e, f = (EmptyOperator(task_id=x, dag=dag) for x in "abcdef")
    a << b  # b >> a
    [c, d] << a  # a >> c, a >> d
    [e] >> f
    c.set_downstream(e)
    f.set_upstream([d])
    returned = a >> c
    assert edges(dag) == [["a", "c"], ["a", "d"], ["b", "a"], ["c", "e"], ["d", "f"], ["e", "f"]]
    assert returned is c
    assert dag.schedule == "@daily"
    assert sorted(f.upstream_task_ids) == ["d", "e"]
    assert sorted(a.downstream_task_ids) == ["c", "d"]


def test_chain_and_cross_downstream() -> None:
    assert chain is chain_from_models
    with DAG("chained") as dag:
        t = {x: EmptyOperator(task_id=x) for x in ["a", "b1", "b2", "c1", "c2", "d", "x1", "x2", "y1", "y2"]}
        chain(t["a"], [t["b1"], t["b2"]], [t["c1"], t["c2"]], t["d"])
        cross_downstream([t["x1"], t["x2"]], [t["y1"], t["y2"]])
    assert edges(dag) == [
        ["a", "b1"], ["a", "b2"], ["b1", "c1"], ["b2", "c2"], ["c1", "d"], ["c2", "d"],
        ["x1", "y1"], ["x1", "y2"], ["x2", "y1"], ["x2", "y2"],
    ]
    with pytest.raises(ValueError, match="different lengths: 1 and 2"):
        chain([t["a"]], [t["b1"], t["b2"]])


def test_operator_attributes_secrets_timeouts_and_default_args() -> None:
    default_args = {"owner": "ops", "execution_timeout": datetime.timedelta(minutes=2), "retries": 1}
    with DAG("attrs", default_args=default_args, max_active_runs=1) as dag:
        b = BashOperator(task_id="b", bash_command="echo hi", secrets=["DB"], execution_timeout=30, pool="x")
        p = PythonOperator(task_id="p", python_callable=print, op_args=[1], op_kwargs={"sep": "-"})
    assert [dag.owner, b.owner, p.owner] == ["ops", "ops", "ops"]
    assert b.execution_timeout == datetime.timedelta(seconds=30)
    assert p.execution_timeout == datetime.timedelta(minutes=2)
    assert p.retries == 1
    assert [b.secrets, p.secrets] == [["DB"], []]
    assert [p.op_args, p.op_kwargs] == [[1], {"sep": "-"}]
    assert [b.extra_args, dag.extra_args] == [{"pool": "x"}, {"max_active_runs": 1}]


def test_tasks_run_directly_with_execute(capfd: pytest.CaptureFixture[str]) -> None:
    with DAG("exec"):
        b = BashOperator(task_id="b", bash_command="echo from-bash")
        p = PythonOperator(task_id="p", python_callable=lambda x, y: x + y, op_args=[2], op_kwargs={"y": 3})
        d = DummyOperator(task_id="d")
    assert b.execute() == 0
    assert p.execute() == 5
    d.execute()
    assert capfd.readouterr().out == "from-bash\n"
    failing = BashOperator(task_id="failing", bash_command="exit 4")
    with pytest.raises(RuntimeError, match="exited with code 4"):
        failing.execute()


def test_refuses_what_airflow_refuses() -> None:
    d1, d2 = DAG("one"), DAG("two")
    a = EmptyOperator(task_id="a", dag=d1)
    b = EmptyOperator(task_id="b", dag=d2)
    c = EmptyOperator(task_id="c", dag=d1)
    a >> c >> a
    not_callable: Any = "not callable"
    assert [
        error_of(lambda: EmptyOperator(task_id="a", dag=d1)),
        error_of(lambda: EmptyOperator(task_id="bad id", dag=d1)),
        error_of(lambda: EmptyOperator(task_id="t" * 251, dag=d1)),
        error_of(lambda: DAG("")),
        error_of(lambda: a >> b),
        error_of(lambda: d1.topological_sort()),
        error_of(lambda: d1.get_task("zz")),
        error_of(lambda: PythonOperator(task_id="p", python_callable=not_callable)),
        error_of(lambda: DAG("both", schedule="@daily", schedule_interval="@daily")),
    ] == [
        DuplicateTaskIdFound.__name__, "ValueError", "ValueError", "ValueError", "ValueError",
        DagCycleException.__name__, TaskNotFound.__name__, "TypeError", "ValueError",
    ]
    assert EmptyOperator(task_id="t" * 250, dag=d1).task_id == "t" * 250


def test_a_loose_task_joins_the_dag_it_is_linked_to_and_every_dag_built_is_recorded() -> None:
    known = len(created_dags())

    def factory(name: str) -> None:
        with DAG(name):
            EmptyOperator(task_id="inner")

    factory("made_in_a_function")
    loose = EmptyOperator(task_id="loose")
    with DAG("host") as host:
        anchor = EmptyOperator(task_id="anchor")
    anchor >> loose
    assert loose.dag is host
    assert host.task_ids == ["anchor", "loose"]
    assert [d.dag_id for d in created_dags()[known:]] == ["made_in_a_function", "host"]


def test_the_operators_package_offers_every_operator_as_airflow_operators_did() -> None:
    from vortex.operators import BashOperator as Bash
    from vortex.operators import DummyOperator as Dummy
    from vortex.operators import EmptyOperator as Empty
    from vortex.operators import PythonOperator as Python

    assert (Bash, Dummy, Empty, Python) == (BashOperator, DummyOperator, EmptyOperator, PythonOperator)


def test_ships_type_information_and_imports_under_warnings_as_errors(tmp_path: Path) -> None:
    assert (SDK / "vortex" / "py.typed").is_file()
    r = run_python(
        ["-W", "error", "-c", "import vortex, vortex.operators, vortex.models, vortex._inspector, vortex._runner; "
         "print(vortex.__version__)"],
        cwd=tmp_path,
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == vortex.__version__


@pytest.mark.parametrize("path", sorted((SDK / "vortex").rglob("*.py")), ids=lambda p: str(p.relative_to(SDK)))
def test_every_module_parses_as_python_3_8(path: Path) -> None:
    ast.parse(path.read_text(encoding="utf-8"), filename=str(path), feature_version=(3, 8))
