"""The task runner as Airflow runs a task instance: templates, the context, XCom, branches and skips.

Each test runs ``python -m vortex._runner`` as a real process on a real DAG
file, with the payload the executor writes, and reads the result file it
leaves.
"""
from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any, Dict, Optional

import pytest

from tests.support import run_python, sdk_env
from vortex import _xcom

DAG_FILE = '''
import json

from vortex import DAG
from vortex.exceptions import AirflowSkipException
from vortex.models.xcom_arg import XComArg
from vortex.operators.bash import BashOperator
from vortex.operators.python import PythonOperator


class BranchPythonOperator(PythonOperator):
    """Airflow's branch operator, as a DAG file's SDK without one would define it."""


class ShortCircuitOperator(PythonOperator):
    def __init__(self, *, ignore_downstream_trigger_rules=True, **kwargs):
        super().__init__(**kwargs)
        self.ignore_downstream_trigger_rules = ignore_downstream_trigger_rules


def with_context(ti, ds, **context):
    ti.xcom_push(key="seen", value={"ds": ds, "run_id": context["run_id"], "try": ti.try_number})
    print("pulled", ti.xcom_pull(task_ids="upstream"), ti.xcom_pull(task_ids=["upstream", "nothing"]))
    print("params", json.dumps(context["params"], sort_keys=True))
    return datetime_of(context["data_interval_start"])


def datetime_of(value):
    return value


def only_named(ds, extra):
    print(ds, extra)


def add_one(value):
    print(value + 1)
    return value + 1


def choose():
    return ["left"]


def falsy():
    return 0


def skip():
    raise AirflowSkipException("nothing new")


with DAG(dag_id="semantics", schedule="@daily", params={"region": "emea"},
         user_defined_macros={"shout": lambda text: text.upper()}) as dag:
    upstream = PythonOperator(task_id="upstream", python_callable=lambda: 41)
    PythonOperator(task_id="with_context", python_callable=with_context, params={"limit": 5})
    PythonOperator(
        task_id="only_named", python_callable=only_named, op_kwargs={"extra": "{{ ds_nodash }}-{{ params.region }}"}
    )
    PythonOperator(task_id="from_xcom", python_callable=add_one, op_args=[XComArg(upstream)])
    BashOperator(
        task_id="templated",
        bash_command="echo {{ ds }} {{ macros.ds_add(ds, -1) }} {{ shout(params.region) }}"
        " {{ var.value.color }} {{ conn.db.host }}",
    )
    BashOperator(task_id="from_file", bash_command="report.sh")
    BashOperator(task_id="undefined", bash_command="echo {{ no_such_name }}")
    sides = [BashOperator(task_id=t, bash_command="true") for t in ("left", "right")]
    BranchPythonOperator(task_id="branch", python_callable=choose) >> sides
    ShortCircuitOperator(task_id="gate", python_callable=falsy, ignore_downstream_trigger_rules=False)
    PythonOperator(task_id="skip", python_callable=skip)
'''

RUN = {
    "run_id": "manual__2024-03-05T00:00:00+00:00",
    "logical_date": "2024-03-05T00:00:00+00:00",
    "data_interval_start": "2024-03-04T00:00:00+00:00",
    "data_interval_end": "2024-03-05T00:00:00+00:00",
    "conf": {},
    "try_number": 1,
    "max_tries": 0,
}


@pytest.fixture
def dag_file(dag_folder: Path) -> Path:
    (dag_folder / "report.sh").write_text("echo report for {{ ds }}\n")
    path = dag_folder / "semantics.py"
    path.write_text(DAG_FILE)
    return path


def run_task(
    tmp_path: Path,
    dag_file: Path,
    task_id: str,
    mode: str = "call",
    env: Optional[Dict[str, str]] = None,
    **fields: Any,
) -> "tuple[Any, Dict[str, Any]]":
    result_file = tmp_path / "result.json"
    data: Dict[str, Any] = {
        "mode": mode,
        "dag_file": str(dag_file),
        "dag_id": "semantics",
        "task_id": task_id,
        "python_callable": None,
        "op_args": None,
        "op_kwargs": None,
        "branch": False,
        "result_file": str(result_file),
        "run": dict(RUN),
        "xcoms": {"upstream": {"return_value": 41}},
    }
    data.update(fields)
    payload = tmp_path / "payload.json"
    payload.write_text(json.dumps(data))
    r = run_python(["-u", "-m", "vortex._runner", str(payload)], cwd=tmp_path, env=sdk_env(env))
    result = json.loads(result_file.read_text()) if result_file.exists() else {}
    return r, result


def test_a_callable_taking_context_gets_it_and_pushes_and_pulls_xcom(tmp_path: Path, dag_file: Path) -> None:
    r, result = run_task(tmp_path, dag_file, "with_context", run=dict(RUN, conf={"region": "apac"}))
    assert r.returncode == 0, r.stderr
    assert "pulled 41 [41, None]\n" in r.stdout
    # DAG params, then the task's, then the run's conf over them.
    assert "params {\"limit\": 5, \"region\": \"apac\"}\n" in r.stdout
    assert result["state"] == "success"
    assert result["xcom"]["seen"] == {"ds": "2024-03-05", "run_id": RUN["run_id"], "try": 1}
    assert _xcom.decode(result["xcom"]["return_value"]) == datetime.datetime(2024, 3, 4, tzinfo=datetime.timezone.utc)
    assert "[vortex] calling with_context() with the task context" in r.stderr


def test_a_callable_gets_only_the_context_keys_it_names_and_templated_op_kwargs(tmp_path: Path, dag_file: Path) -> None:
    r, result = run_task(tmp_path, dag_file, "only_named")
    assert r.returncode == 0, r.stderr
    assert r.stdout == "2024-03-05 20240305-emea\n"
    assert result["rendered"]["op_kwargs"] == "{'extra': '20240305-emea'}"


def test_an_xcomarg_argument_is_the_value_its_task_pushed(tmp_path: Path, dag_file: Path) -> None:
    r, result = run_task(tmp_path, dag_file, "from_xcom")
    assert r.returncode == 0, r.stderr
    assert r.stdout == "42\n"
    assert result["xcom"] == {"return_value": 42}
    r, _ = run_task(tmp_path, dag_file, "from_xcom", xcoms={})
    assert r.returncode == 1
    assert "vortex: XComArg result from upstream with key='return_value' is not found" in r.stderr


def test_a_bash_command_is_rendered_with_macros_variables_and_connections_then_run(tmp_path: Path, dag_file: Path) -> None:
    env = {"AIRFLOW_VAR_COLOR": "teal", "AIRFLOW_CONN_DB": "postgresql://user:pw@db.example.com:5432/sales"}
    r, result = run_task(tmp_path, dag_file, "templated", mode="bash", env=env)
    assert r.returncode == 0, r.stderr
    assert r.stdout == "2024-03-05 2024-03-04 EMEA teal db.example.com\n"
    assert result["rendered"]["bash_command"] == "echo 2024-03-05 2024-03-04 EMEA teal db.example.com"
    assert "[vortex] running: echo 2024-03-05 2024-03-04 EMEA teal db.example.com" in r.stderr


def test_a_command_naming_a_template_file_runs_the_file_rendered(tmp_path: Path, dag_file: Path) -> None:
    r, _ = run_task(tmp_path, dag_file, "from_file", mode="bash")
    assert r.returncode == 0, r.stderr
    assert r.stdout == "report for 2024-03-05\n"


def test_an_undefined_name_fails_the_task_naming_the_field(tmp_path: Path, dag_file: Path) -> None:
    r, result = run_task(tmp_path, dag_file, "undefined", mode="bash")
    assert r.returncode == 1
    assert "vortex: cannot render bash_command of task 'undefined': UndefinedError: 'no_such_name' is undefined" in r.stderr
    assert result["state"] == "failed"


def test_without_jinja2_a_templated_task_says_how_to_install_it(tmp_path: Path, dag_file: Path) -> None:
    blocker = tmp_path / "no_jinja"
    (blocker / "jinja2").mkdir(parents=True)
    (blocker / "jinja2" / "__init__.py").write_text("raise ImportError('No module named jinja2')\n")
    env = sdk_env()
    env["PYTHONPATH"] = str(blocker) + ":" + env["PYTHONPATH"]
    r, _ = run_task(tmp_path, dag_file, "templated", mode="bash", env=env)
    assert r.returncode == 1
    assert "has no jinja2 library: install it with `pip install jinja2`" in r.stderr
    # A task without templates runs there all the same.
    r, _ = run_task(tmp_path, dag_file, "from_xcom", env=env)
    assert r.returncode == 0, r.stderr


def test_a_branch_reports_the_tasks_to_follow(tmp_path: Path, dag_file: Path) -> None:
    r, result = run_task(tmp_path, dag_file, "branch")
    assert r.returncode == 0, r.stderr
    assert result["follow"] == ["left"]
    assert result["xcom"] == {"return_value": ["left"]}


def test_a_short_circuit_reports_its_skip(tmp_path: Path, dag_file: Path) -> None:
    r, result = run_task(tmp_path, dag_file, "gate")
    assert r.returncode == 0, r.stderr
    assert result["skip"] == "direct"


def test_airflow_skip_exception_ends_the_task_skipped(tmp_path: Path, dag_file: Path) -> None:
    r, result = run_task(tmp_path, dag_file, "skip")
    assert r.returncode == 0, r.stderr
    assert result["state"] == "skipped"
    assert "[vortex] skipped: nothing new" in r.stderr


def test_xcom_values_keep_their_types_through_json() -> None:
    when = datetime.datetime(2024, 3, 5, 6, tzinfo=datetime.timezone.utc)
    value = {"when": when, "day": datetime.date(2024, 3, 5), "n": (1, 2)}
    assert _xcom.decode(json.loads(json.dumps(_xcom.encode(value)))) == {
        "when": datetime.datetime(2024, 3, 5, 6, tzinfo=datetime.timezone.utc),
        "day": datetime.date(2024, 3, 5),
        "n": [1, 2],
    }
    with pytest.raises(_xcom.XComError, match="must be JSON serializable"):
        _xcom.encode(object())
