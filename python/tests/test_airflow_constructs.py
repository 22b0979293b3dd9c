# mypy: disable-error-code="untyped-decorator"
"""Airflow's constructs as the SDK imitates them: TaskGroups, TaskFlow, labels, mapping, branch operators,
trigger rules, Variables and Connections, each behaving as Airflow's own does."""
from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any, Dict, List, Tuple

import pytest

from tests.support import run_python
from vortex import _airflow
from vortex.decorators import dag as dag_decorator
from vortex.decorators import task, task_group
from vortex.exceptions import AirflowNotFoundException, DuplicateTaskIdFound, StandInUsed, UnsupportedAirflowFeature
from vortex.models.baseoperator import BaseOperator, chain, chain_linear
from vortex.models.connection import BaseHook, Connection
from vortex.models.dag import DAG
from vortex.models.edges import Label
from vortex.models.mappedoperator import MappedOperator
from vortex.models.taskgroup import TaskGroup
from vortex.models.variable import Variable
from vortex.models.xcom_arg import XComArg
from vortex.operators.bash import BashOperator
from vortex.operators.empty import EmptyOperator
from vortex.operators.python import BranchPythonOperator, PythonOperator, ShortCircuitOperator
from vortex.utils.dates import days_ago
from vortex.utils.trigger_rule import TriggerRule


@pytest.fixture(autouse=True)
def airflow_modules() -> None:
    _airflow.install()


def edges(dag: DAG) -> List[Tuple[str, str]]:
    return sorted((u, d) for u in dag.task_ids for d in dag.get_task(u).downstream_task_ids)


def test_task_groups_prefix_ids_nest_and_link_to_their_roots_and_leaves_as_written() -> None:
    with DAG("groups") as dag:
        start = EmptyOperator(task_id="start")
        with TaskGroup("section_1") as section_1:
            a = EmptyOperator(task_id="task_1")
            a >> [EmptyOperator(task_id="task_2"), EmptyOperator(task_id="task_3")]
        with TaskGroup("section_2") as section_2:
            EmptyOperator(task_id="task_1")
            with TaskGroup("inner") as inner:
                [EmptyOperator(task_id="task_2"), EmptyOperator(task_id="task_3")] >> EmptyOperator(task_id="task_4")
        end = EmptyOperator(task_id="end")
        start >> section_1 >> section_2 >> end
        late = EmptyOperator(task_id="late", task_group=section_2)
    assert (inner.group_id, inner.label, inner.parent_group) == ("section_2.inner", "inner", section_2)
    assert (a.task_id, a.label, a.task_group) == ("section_1.task_1", "task_1", section_1)
    assert edges(dag) == sorted([
        ("start", "section_1.task_1"),
        ("section_1.task_1", "section_1.task_2"), ("section_1.task_1", "section_1.task_3"),
        *[(u, d) for u in ("section_1.task_2", "section_1.task_3")
          for d in ("section_2.task_1", "section_2.inner.task_2", "section_2.inner.task_3")],
        ("section_2.inner.task_2", "section_2.inner.task_4"), ("section_2.inner.task_3", "section_2.inner.task_4"),
        ("section_2.task_1", "end"), ("section_2.inner.task_4", "end"),
    ])
    # Made after the dependency was written: not linked.
    assert late.task_id == "section_2.late"
    assert not late.upstream_task_ids
    assert not late.downstream_task_ids
    assert sorted(g for g in dag.task_group_dict if g) == ["section_1", "section_2", "section_2.inner"]


def test_unprefixed_groups_parent_group_dag_argument_and_a_repeated_group_id() -> None:
    dag = DAG("explicit")
    outer = TaskGroup("outer", dag=dag)
    plain = TaskGroup("plain", prefix_group_id=False, parent_group=outer)
    task_in_plain = EmptyOperator(task_id="t", task_group=plain)
    assert (plain.group_id, task_in_plain.task_id, task_in_plain.dag) == ("outer.plain", "t", dag)
    with outer:
        in_context = EmptyOperator(task_id="in_context")
    assert (in_context.task_id, in_context.dag) == ("outer.in_context", dag)
    with pytest.raises(DuplicateTaskIdFound):
        TaskGroup("outer", dag=dag)
    with pytest.raises(RuntimeError):
        TaskGroup("nowhere")


def test_taskflow_calls_make_tasks_numbered_as_airflow_and_xcomargs_anywhere_make_edges() -> None:
    @task
    def extract() -> Dict[str, int]:
        return {"total": 1}

    @task(task_id="load_it", retries=2)
    def load(value: Any, extra: Any = None) -> None:
        return None

    with DAG("taskflow") as dag:
        first = extract()
        second = extract()
        load(first, extra={"nested": [second["total"]]})
        load.override(task_id="load_again")(first)
        third = extract()
    assert isinstance(first, XComArg)
    assert first.key == "return_value"
    assert dag.task_ids == ["extract", "extract__1", "load_it", "load_again", "extract__2"]
    assert edges(dag) == [("extract", "load_again"), ("extract", "load_it"), ("extract__1", "load_it")]
    op = dag.get_task("load_it")
    assert isinstance(op, PythonOperator)
    assert op.python_callable.__name__ == "load"
    assert op.retries == 2
    assert op.op_args == [first]
    assert op.op_kwargs == {"extra": {"nested": [second["total"]]}}
    assert vars(first.operator)["multiple_outputs"] is True
    assert third.operator.task_id == "extract__2"


def test_taskflow_inside_a_group_numbers_with_the_groups_prefix_and_task_group_functions_get_suffixes() -> None:
    @task
    def step() -> int:
        return 1

    @task_group
    def stage() -> None:
        step() >> step()

    with DAG("staged") as dag:
        first = stage()
        second = stage()
        first >> second
    assert dag.task_ids == ["stage.step", "stage.step__1", "stage__1.step", "stage__1.step__1"]
    assert ("stage.step__1", "stage__1.step") in edges(dag)


def test_a_task_group_function_returns_what_its_function_returns() -> None:
    @task
    def step() -> int:
        return 1

    @task_group(group_id="named")
    def stage() -> Any:
        return step()

    with DAG("returned") as dag:
        last = stage()
        after = EmptyOperator(task_id="after")
        last >> after
    assert isinstance(last, XComArg)
    assert last.operator.task_id == "named.step"
    assert edges(dag) == [("named.step", "after")]


def test_output_and_templated_fields_make_edges_after_init_and_other_fields_do_not() -> None:
    class Greet(BaseOperator):
        template_fields = ("name",)

        def __init__(self, name: Any, config: Any = None, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.name = name
            self.config = config

    with DAG("templated") as dag:
        source = PythonOperator(task_id="source", python_callable=lambda: "x")
        other = PythonOperator(task_id="other", python_callable=lambda: "y")
        Greet(task_id="greet", name=source.output, config=other.output)
        BashOperator(task_id="bash", bash_command="echo %s" % source.output)
        BashOperator(task_id="bash_env", bash_command="echo $X", env={"X": other.output})
    assert edges(dag) == [("other", "bash_env"), ("source", "greet")]
    bash = dag.get_task("bash")
    assert isinstance(bash, BashOperator)
    assert bash.bash_command == (
        "echo {{ task_instance.xcom_pull(task_ids='source', dag_id='templated', key='return_value') }}"
    )


def test_dag_decorator_builds_when_called_named_after_the_function() -> None:
    @dag_decorator(schedule="@daily")
    def nightly() -> None:
        EmptyOperator(task_id="only")

    @dag_decorator(dag_id="renamed")
    def other() -> None:
        EmptyOperator(task_id="only")

    built, renamed = nightly(), other()
    assert (built.dag_id, built.schedule, built.task_ids, renamed.dag_id) == ("nightly", "@daily", ["only"], "renamed")


def test_decorated_kinds_are_the_operators_airflow_makes() -> None:
    @task.bash
    def command(word: str) -> str:
        return "echo " + word

    @task.branch
    def choose() -> str:
        return "a"

    @task.short_circuit()
    def gate() -> bool:
        return True

    @task.virtualenv(requirements=["x"])
    def isolated() -> None:
        return None

    with DAG("kinds") as dag:
        command("hi")
        choose()
        gate()
        isolated()
    ops = dag.tasks
    assert isinstance(ops[0], BashOperator)
    assert ops[0].bash_command == "echo hi"
    assert isinstance(ops[1], BranchPythonOperator)
    assert isinstance(ops[2], ShortCircuitOperator)
    assert [vars(o)["decorator_name"] for o in ops] == ["task.bash", "task.branch", "task.short_circuit", "task.virtualenv"]


def test_labels_on_lists_either_side_and_chain_linear() -> None:
    with DAG("labels") as dag:
        a, b, c, d = (EmptyOperator(task_id=x) for x in "abcd")
        [a, b] >> Label("both") >> [c, d]
        e, f, g = (EmptyOperator(task_id=x) for x in "efg")
        chain_linear(a, [e, f], g)
        chain(e, Label("chained"), d)
    assert dag.get_edge_info("a", "c") == {"label": "both"}
    assert dag.get_edge_info("b", "d") == {"label": "both"}
    assert dag.get_edge_info("e", "d") == {"label": "chained"}
    assert {("a", "e"), ("a", "f"), ("e", "g"), ("f", "g")} <= set(edges(dag))
    with pytest.raises(ValueError, match="No dependencies were set"):
        chain_linear(a)


def test_partial_expand_is_one_mapped_task_upstream_of_its_xcomargs() -> None:
    @task
    def numbers() -> List[int]:
        return [1, 2]

    @task
    def double(x: int, factor: int) -> int:
        return x * factor

    with DAG("mapped") as dag:
        listed = numbers()
        doubled = double.partial(factor=2).expand(x=listed)
        shards = BashOperator.partial(task_id="shard", trigger_rule="all_done").expand(bash_command=["a", "b"])
    assert isinstance(doubled.operator, MappedOperator)
    assert isinstance(shards, MappedOperator)
    assert shards.trigger_rule == "all_done"
    assert shards.operator_name == "BashOperator"
    assert edges(dag) == [("numbers", "double")]
    with pytest.raises(TypeError):
        BashOperator.partial(bash_command="x")


def test_trigger_rules_are_airflows_strings_and_unknown_ones_are_refused() -> None:
    assert str(TriggerRule.NONE_FAILED_MIN_ONE_SUCCESS) == "none_failed_min_one_success"
    assert TriggerRule("all_done") is TriggerRule.ALL_DONE
    with DAG("rules", default_args={"trigger_rule": TriggerRule.ALL_DONE}):
        defaulted = EmptyOperator(task_id="defaulted")
        given = EmptyOperator(task_id="given", trigger_rule="one_failed")
    assert (defaulted.trigger_rule, given.trigger_rule) == ("all_done", "one_failed")
    with pytest.raises(ValueError, match="trigger_rule must be one of"):
        EmptyOperator(task_id="bad", trigger_rule="sometimes")


def test_variables_and_connections_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIRFLOW_VAR_REGIONS", json.dumps(["eu", "us"]))
    monkeypatch.setenv("AIRFLOW_CONN_WAREHOUSE", "postgres://user:p%40ss@db.example:5432/sales?sslmode=require")
    monkeypatch.setenv("AIRFLOW_CONN_API", json.dumps({"conn_type": "http", "host": "api.example", "login": "bot"}))
    assert Variable.get("regions", deserialize_json=True) == ["eu", "us"]
    assert Variable.get("missing", default_var="fallback") == "fallback"
    with pytest.raises(KeyError):
        Variable.get("missing")
    warehouse = BaseHook.get_connection("warehouse")
    assert (warehouse.conn_type, warehouse.host, warehouse.login, warehouse.password, warehouse.port, warehouse.schema) == (
        "postgres", "db.example", "user", "p@ss", 5432, "sales",
    )
    assert warehouse.extra_dejson == {"sslmode": "require"}
    assert "p@ss" not in repr(warehouse)
    assert Connection.get_connection_from_secrets("api").host == "api.example"
    with pytest.raises(AirflowNotFoundException):
        BaseHook.get_connection("nowhere")


def test_days_ago_is_utc_midnight() -> None:
    value = days_ago(2)
    today = datetime.datetime.now(datetime.timezone.utc).date()
    assert value.tzinfo is not None
    assert (value.hour, value.minute) == (0, 0)
    assert value.date() == today - datetime.timedelta(days=2)


def test_every_airflow_path_resolves() -> None:
    from airflow import models  # type: ignore[import-not-found]
    from airflow.decorators import task as airflow_task  # type: ignore[import-not-found]
    from airflow.exceptions import AirflowSkipException, SomethingNewError  # type: ignore[import-not-found]
    from airflow.macros import ds_add  # type: ignore[import-not-found]
    from airflow.providers.amazon.aws.hooks.s3 import S3Hook  # type: ignore[import-not-found]
    from airflow.providers.amazon.aws.operators.s3 import S3CopyObjectOperator  # type: ignore[import-not-found]
    from airflow.sdk import TaskGroup as SdkTaskGroup  # type: ignore[import-not-found]
    from airflow.sensors.external_task import ExternalTaskSensor  # type: ignore[import-not-found]

    assert models.DAG is DAG
    assert airflow_task is task
    assert SdkTaskGroup is TaskGroup
    assert issubclass(SomethingNewError, Exception)
    assert AirflowSkipException.__name__ == "AirflowSkipException"
    with DAG("providers") as dag:
        source = PythonOperator(task_id="source", python_callable=lambda: "k")
        copy = S3CopyObjectOperator(task_id="copy", source_bucket_key=source.output, dest_bucket_key="b")
        wait = ExternalTaskSensor(task_id="wait", external_dag_id="other", poke_interval=10)
    assert edges(dag) == [("source", "copy")]
    assert type(copy).__module__ == "airflow.providers.amazon.aws.operators.s3"
    assert copy.dest_bucket_key == "b"
    assert isinstance(wait, BaseOperator)
    assert vars(wait)["poke_interval"] == 10

    class MyHook(S3Hook):  # type: ignore[misc]
        pass

    hook = MyHook(aws_conn_id="x")
    hook.get_key("k").load()
    ds_add("2024-01-01", 1)
    listed = r"airflow\.providers\.amazon\.aws\.hooks\.s3\.S3Hook\.list_keys\(\.\.\.\) as a sequence"
    with pytest.raises(StandInUsed, match=listed):
        for _ in S3Hook.list_keys(bucket_name="b"):
            pass


def test_a_value_an_inert_stand_in_cannot_give_names_it() -> None:
    from airflow.configuration import conf  # type: ignore[import-not-found]

    with pytest.raises(StandInUsed) as raised:
        "dags/%s" % conf.get("core", "dags_folder")
    assert raised.value.name == "airflow.configuration.conf.get(...)"


def test_a_task_without_a_dag_joins_its_groups_and_the_root_group_once_added() -> None:
    dag = DAG("later")
    orphan = EmptyOperator(task_id="orphan")
    assert "orphan" not in dag.task_group.children
    dag.add_task(orphan)
    assert orphan.task_group is dag.task_group
    assert dag.task_group.children["orphan"] is orphan


def test_branch_operators_by_name_setup_teardown_version_and_dataset_conditions() -> None:
    import airflow
    from airflow.datasets import Dataset  # type: ignore[import-not-found]
    from airflow.decorators import setup, teardown
    from airflow.operators.datetime import BranchDateTimeOperator  # type: ignore[import-not-found]

    @setup
    def create() -> None:
        return None

    @teardown
    def delete() -> None:
        return None

    with DAG("lifecycle", schedule=Dataset("s3://a") | Dataset("s3://b")) as dag:
        when = BranchDateTimeOperator(task_id="when", follow_task_ids_if_true=["x"], follow_task_ids_if_false=["y"])
        create() >> when >> delete()
    assert type(when).branch is True
    assert edges(dag) == [("create", "when"), ("when", "delete")]
    assert airflow.__version__.startswith("2.")


def test_an_operator_of_a_package_that_is_not_installed_still_makes_its_task(dag_folder: Path) -> None:
    dag_file = dag_folder / "uses_missing_provider.py"
    dag_file.write_text(
        "from airflow import DAG\n"
        "from vortex_missing_provider.operators import WarehouseLoadOperator\n"
        "from airflow.operators.empty import EmptyOperator\n"
        "with DAG('missing_provider') as dag:\n"
        "    EmptyOperator(task_id='start') >> WarehouseLoadOperator(task_id='load', table='t')\n"
    )
    result = run_python(["-m", "vortex._inspector", str(dag_file)], cwd=dag_folder)
    report = json.loads(result.stdout)["files"][0]
    assert [d["code"] for d in report["diagnostics"]] == ["VX508"]
    tasks = report["dags"][0]["tasks"]
    assert [(t["task_id"], t["operator"], t["kind"]) for t in tasks] == [
        ("start", "EmptyOperator", "dummy"),
        ("load", "WarehouseLoadOperator", "other"),
    ]
    assert tasks[1]["upstream"] == ["start"]


def test_the_report_names_decorators_functions_groups_marks_and_labels(dag_folder: Path) -> None:
    dag_file = dag_folder / "reported.py"
    dag_file.write_text(
        "from airflow.decorators import dag, task\n"
        "from airflow.operators.empty import EmptyOperator\n"
        "from airflow.utils.edgemodifier import Label\n"
        "from airflow.utils.task_group import TaskGroup\n"
        "@task.branch\n"
        "def pick():\n"
        "    return 'a'\n"
        "@task\n"
        "def double(x):\n"
        "    return 2 * x\n"
        "@dag(schedule=None)\n"
        "def reported():\n"
        "    with TaskGroup('g'):\n"
        "        chosen = pick()\n"
        "        chosen >> Label('yes') >> EmptyOperator(task_id='a', trigger_rule='none_failed')\n"
        "    double.expand(x=[1, 2])\n"
        "reported()\n"
    )
    result = run_python(["-m", "vortex._inspector", str(dag_file)], cwd=dag_folder)
    dag = json.loads(result.stdout)["files"][0]["dags"][0]
    fields = ("task_id", "operator", "kind", "python_callable", "group_id", "decorated", "mapped", "branch", "trigger_rule")
    assert [tuple(t[f] for f in fields) for t in dag["tasks"]] == [
        ("g.pick", "task.branch", "python", "pick", "g", True, False, True, None),
        ("g.a", "EmptyOperator", "dummy", None, "g", False, False, False, "none_failed"),
        ("double", "task", "other", "double", None, True, True, False, None),
    ]
    assert dag["edges"] == [{"upstream": "g.pick", "downstream": "g.a", "label": "yes"}]
    assert dag["groups"] == [{"id": "g", "parent_id": None, "label": "g", "line": 13}]


def test_setup_and_teardown_tasks_link_and_take_airflows_trigger_rule() -> None:
    from airflow.decorators import setup, teardown

    @task
    def work() -> None:
        return None

    @setup
    def create() -> str:
        return "cluster"

    @teardown
    def delete(cluster: str) -> None:
        return None

    with DAG("lifecycle_rules") as dag:
        first, second, third = work(), work(), work()
        first >> second >> third.as_teardown(setups=first)
        cluster = create()
        deleted = delete(cluster)
    assert ("work", "work__2") in edges(dag)
    assert (third.operator.trigger_rule, deleted.operator.trigger_rule) == ("all_done_setup_success",) * 2
    assert (first.operator.is_setup, cluster.operator.is_setup, deleted.operator.is_teardown) == (True, True, True)
    with pytest.raises(UnsupportedAirflowFeature, match="context manager"), deleted:
        work()
