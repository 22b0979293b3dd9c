"""``python -m vortex._runner PAYLOAD``, as the executor runs it: a real process on a real DAG file."""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Dict, Optional

import pytest

from tests.support import run_python

DAG_FILE = '''
import json
import os
import sys

from helpers import greeting  # a sibling module: the DAG's folder must be importable

from vortex import DAG
from vortex.operators.bash import BashOperator
from vortex.operators.python import PythonOperator

sys.stderr.write("imported as %s, argv %s, pid %d\\n" % (__name__, sys.argv, os.getpid()))


def show(*args, three=None, k=None):
    # Named keyword parameters: a callable taking **kwargs would get Airflow's whole context too.
    kwargs = {name: value for name, value in (("three", three), ("k", k)) if value is not None}
    print(json.dumps({"args": list(args), "kwargs": kwargs}, sort_keys=True))


def greet(name):
    print(greeting(name))


def boom():
    raise ValueError("boom from the task")


def make_dag():
    with DAG("made_in_a_function") as dag:
        PythonOperator(task_id="inner", python_callable=lambda: print("inner ran"))
    return None


make_dag()

with DAG(dag_id="tasks") as dag:
    PythonOperator(task_id="show", python_callable=show, op_args=[1, "two"], op_kwargs={"three": 3})
    PythonOperator(task_id="greet", python_callable=greet, op_args=["sibling"])
    PythonOperator(task_id="boom", python_callable=boom)
    PythonOperator(task_id="t" * 250, python_callable=show)
    BashOperator(task_id="computed_bash", bash_command="echo " + greeting("bash") + " from $$")
'''


@pytest.fixture
def dag_file(dag_folder: Path) -> Path:
    (dag_folder / "helpers.py").write_text("def greeting(name):\n    return 'hello, ' + name\n")
    path = dag_folder / "my_dag.py"
    path.write_text(DAG_FILE)
    return path


def payload(dag_file: Path, task_id: str, **fields: Any) -> Dict[str, Any]:
    data: Dict[str, Any] = {
        "mode": "call",
        "dag_file": str(dag_file),
        "dag_id": "tasks",
        "task_id": task_id,
        "python_callable": None,
        "op_args": None,
        "op_kwargs": None,
    }
    data.update(fields)
    return data


def run_runner(tmp_path: Path, data: Optional[Any], cwd: Optional[Path] = None) -> Any:
    """Runs the runner as the executor does: the payload in a file, started from another folder than the DAG's."""
    args = ["-u", "-m", "vortex._runner"]
    if data is not None:
        file = tmp_path / "payload.json"
        file.write_text(json.dumps(data))
        args.append(str(file))
    return run_python(args, cwd=cwd or tmp_path)


def test_calls_the_callable_with_the_payloads_arguments_as_data(tmp_path: Path, dag_file: Path) -> None:
    tricky = "\"); import os; os._exit(9) #\n'''"
    r = run_runner(tmp_path, payload(dag_file, "show", op_args=[1, tricky, None], op_kwargs={"k": {"nested": [True]}}))
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == {"args": [1, tricky, None], "kwargs": {"k": {"nested": [True]}}}


def test_without_arguments_in_the_payload_takes_the_tasks_own(tmp_path: Path, dag_file: Path) -> None:
    r = run_runner(tmp_path, payload(dag_file, "show"))
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == {"args": [1, "two"], "kwargs": {"three": 3}}


def test_imports_the_dag_file_as_the_inspector_does(tmp_path: Path, dag_file: Path) -> None:
    r = run_runner(tmp_path, payload(dag_file, "greet"))
    assert r.returncode == 0, r.stderr
    assert r.stdout == "hello, sibling\n"
    assert "imported as vortex_dag_my_dag, argv ['%s']" % dag_file in r.stderr


def test_the_working_directory_is_not_importable(tmp_path: Path, dag_file: Path) -> None:
    # A module in the folder the task starts in must not stand in for the DAG folder's own.
    (tmp_path / "helpers.py").write_text("def greeting(name):\n    return 'the wrong helpers'\n")
    r = run_runner(tmp_path, payload(dag_file, "greet"))
    assert r.returncode == 0, r.stderr
    assert r.stdout == "hello, sibling\n"


def test_finds_tasks_of_dags_built_inside_functions(tmp_path: Path, dag_file: Path) -> None:
    r = run_runner(tmp_path, payload(dag_file, "inner", dag_id="made_in_a_function"))
    assert r.returncode == 0, r.stderr
    assert r.stdout == "inner ran\n"


def test_runs_a_task_whose_id_is_250_characters_long(tmp_path: Path, dag_file: Path) -> None:
    r = run_runner(tmp_path, payload(dag_file, "t" * 250, op_args=["long"]))
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == {"args": ["long"], "kwargs": {}}


def test_bash_mode_execs_the_computed_command_in_the_runners_own_process(tmp_path: Path, dag_file: Path) -> None:
    r = run_runner(tmp_path, payload(dag_file, "computed_bash", mode="bash"))
    assert r.returncode == 0, r.stderr
    match = re.search(r"pid (\d+)", r.stderr)
    assert match, r.stderr
    pid = match.group(1)
    assert r.stdout == "hello, bash from %s\n" % pid


def test_a_callable_that_raises_fails_with_its_traceback(tmp_path: Path, dag_file: Path) -> None:
    r = run_runner(tmp_path, payload(dag_file, "boom"))
    assert r.returncode == 1
    assert "Traceback (most recent call last)" in r.stderr
    assert "ValueError: boom from the task" in r.stderr


def test_an_airflow_dag_file_runs_with_the_sdk_standing_in(tmp_path: Path, dag_folder: Path) -> None:
    dag_file = dag_folder / "airflow_dag.py"
    dag_file.write_text(
        "from airflow import DAG\n"
        "from airflow.operators.python import PythonOperator\n"
        "with DAG('tasks') as dag:\n"
        "    PythonOperator(task_id='hi', python_callable=lambda: print(type(dag).__module__))\n"
    )
    r = run_runner(tmp_path, payload(dag_file, "hi"))
    assert r.returncode == 0, r.stderr
    assert r.stdout == "vortex.models.dag\n"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"task_id": "nope", "python_callable": "missing"}, "vortex: cannot find task 'nope' of DAG 'tasks' in "),
        ({"task_id": "nope"}, "vortex: cannot find task 'nope' of DAG 'tasks' in "),
        ({"task_id": "nope", "mode": "bash"}, "vortex: cannot find task 'nope' of DAG 'tasks' in "),
    ],
)
def test_says_what_it_cannot_find(tmp_path: Path, dag_file: Path, fields: Dict[str, Any], message: str) -> None:
    r = run_runner(tmp_path, payload(dag_file, **fields))
    assert r.returncode == 1
    assert message in r.stderr


def test_refuses_a_payload_that_is_no_json_object_and_a_missing_payload(tmp_path: Path) -> None:
    r = run_runner(tmp_path, ["not", "an", "object"])
    assert r.returncode == 1
    assert "is not a JSON object" in r.stderr
    r = run_runner(tmp_path, None)
    assert r.returncode == 1
    assert "vortex: usage: python -m vortex._runner PAYLOAD.json" in r.stderr
