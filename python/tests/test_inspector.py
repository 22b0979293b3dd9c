"""``python -m vortex._inspector``: what DAG files build when they run, as one JSON report on stdout."""
from __future__ import annotations

import json
import sys
from pathlib import Path

from tests.support import SDK, run_python
from vortex._dagfile import module_name_for
from vortex._inspector import find_cycle


def test_reports_the_tasks_a_file_builds_in_a_loop_keeping_stdout_for_the_report(tmp_path: Path, dag_folder: Path) -> None:
    dag_file = dag_folder / "loop_dag.py"
    dag_file.write_text(
        "from vortex import DAG\n"
        "from vortex.operators.bash import BashOperator\n"
        "print('the file prints')\n"
        "class MyOperator(BashOperator):\n"
        "    pass\n"
        "with DAG('loop') as dag:\n"
        "    for region in ['eu', 'us']:\n"
        "        MyOperator(task_id='load_' + region, bash_command='echo ' + region)\n"
    )
    r = run_python(["-m", "vortex._inspector", str(dag_file)], cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "the file prints" in r.stderr
    [report] = json.loads(r.stdout)["files"]
    assert report["path"] == str(dag_file)
    assert report["diagnostics"] == []
    [dag] = report["dags"]
    assert [(t["task_id"], t["line"], t["bash_command"]) for t in dag["tasks"]] == [
        ("load_eu", 8, "echo eu"),
        ("load_us", 8, "echo us"),
    ]
    # The module name the task runner imports the file under too.
    assert dag["tasks"][0]["qualified_operator"] == "vortex_dag_loop_dag.MyOperator"


def test_an_error_while_executing_is_a_diagnostic_on_its_line_and_exit_status_1(tmp_path: Path, dag_folder: Path) -> None:
    dag_file = dag_folder / "broken.py"
    dag_file.write_text("from vortex import DAG\n\nraise RuntimeError('no database')\n")
    r = run_python(["-m", "vortex._inspector", str(dag_file)], cwd=tmp_path)
    assert r.returncode == 1, r.stderr
    [diagnostic] = json.loads(r.stdout)["files"][0]["diagnostics"]
    assert (diagnostic["code"], diagnostic["severity"], diagnostic["line"]) == ("VX501", "error", 3)
    assert diagnostic["message"].startswith("RuntimeError: no database.")


def test_bad_usage_exits_2(tmp_path: Path) -> None:
    r = run_python(["-m", "vortex._inspector", "--timeout", "0", "x.py"], cwd=tmp_path)
    assert r.returncode == 2
    assert "--timeout must be a positive number of seconds" in r.stderr


def test_does_not_shadow_the_standard_librarys_inspect() -> None:
    # A script run from inside the SDK's package folder has that folder first on sys.path.
    script = "import inspect, os, sysconfig; print(os.path.relpath(inspect.__file__, sysconfig.get_paths()['stdlib']))"
    r = run_python(["-c", script], cwd=SDK / "vortex")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "inspect.py"


def test_module_names_are_the_files_stem_and_unique_in_the_process() -> None:
    name = module_name_for("/dags/my-dag.v2.py")
    assert name == "vortex_dag_my_dag_v2"
    sys.modules[name] = sys.modules[__name__]
    try:
        assert module_name_for("/other/my-dag.v2.py") == "vortex_dag_my_dag_v2_2"
    finally:
        del sys.modules[name]


def test_find_cycle_names_a_cycle_from_the_task_made_first() -> None:
    assert find_cycle(["a", "b", "c"], [("a", "b"), ("b", "c")]) is None
    assert find_cycle(["a", "b", "c", "d"], [("a", "b"), ("c", "b"), ("b", "d"), ("d", "c")]) == ["b", "d", "c", "b"]
    assert find_cycle(["solo"], [("solo", "solo")]) == ["solo", "solo"]


def test_reports_run_settings_with_default_args_merged_as_airflow_merges_them(tmp_path: Path, dag_folder: Path) -> None:
    dag_file = dag_folder / "settings_dag.py"
    dag_file.write_text(
        "from datetime import timedelta\n"
        "from airflow import DAG\n"
        "from airflow.operators.bash import BashOperator\n"
        "from airflow.utils.task_group import TaskGroup\n"
        "def group_defaults():\n"
        "    return {'retries': 4, 'do_xcom_push': False}\n"
        "with DAG('settings', default_args={'retries': 2, 'retry_delay': timedelta(seconds=5)}) as dag:\n"
        "    BashOperator(task_id='inherits', bash_command='true')\n"
        "    BashOperator(task_id='own', bash_command='true', retries=0, retry_delay=30)\n"
        "    with TaskGroup('g', default_args=group_defaults()):\n"
        "        BashOperator(task_id='grouped', bash_command='true')\n"
        "    BashOperator(task_id='plain', bash_command='true', default_args={'retry_delay': None})\n"
    )
    r = run_python(["-m", "vortex._inspector", str(dag_file)], cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    [dag] = json.loads(r.stdout)["files"][0]["dags"]
    assert [(t["task_id"], t["retries"], t["retry_delay"], t["do_xcom_push"]) for t in dag["tasks"]] == [
        ("inherits", 2, 5, True),
        ("own", 0, 30, True),
        ("g.grouped", 4, 5, False),
        ("plain", 2, None, True),
    ]
