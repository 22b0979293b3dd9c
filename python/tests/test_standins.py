"""Modules a DAG file imports that are not installed: stood in for while the graph is built (VX508), never for libraries."""
from __future__ import annotations

import datetime
import importlib.util
import json
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest

from tests.support import run_python, sdk_env

# Names no interpreter has, so the tests hold wherever they run.
ABSENT = "vortex_test_absent_pkg"
ABSENT_TOO = "vortex_test_absent_too"


def inspect(file: Path, cwd: Path, env: Optional[Dict[str, str]] = None) -> Dict[str, Any]:
    r = run_python(["-m", "vortex._inspector", str(file)], cwd=cwd, env=env)
    assert r.stdout, r.stderr
    report: Dict[str, Any] = json.loads(r.stdout)["files"][0]
    report["returncode"] = r.returncode
    return report


def diagnostics(report: Dict[str, Any]) -> List[Any]:
    return [(d["code"], d["severity"], d["line"]) for d in report["diagnostics"]]


def test_the_dag_files_and_its_folders_missing_imports_are_stood_in_for(tmp_path: Path, dag_folder: Path) -> None:
    (dag_folder / "helpers.py").write_text(
        "import %s\nfrom %s.sub import thing\n\ndef suffix():\n    return '_x'\n" % (ABSENT_TOO, ABSENT_TOO)
    )
    dag_file = dag_folder / "dag.py"
    dag_file.write_text(
        "import os\n"
        "import %(a)s as pd\n"
        "from %(a)s.io.deep import a, b\n"
        "from helpers import suffix\n"
        "from vortex import DAG\n"
        "from vortex.operators.python import PythonOperator\n"
        "\n"
        "class Loader(pd.BaseLoader):\n"
        "    def __init__(self, table, **kwargs):\n"
        "        super().__init__(table, **kwargs)\n"
        "        self.table = table\n"
        "\n"
        "assert Loader('t').table == 't'\n"
        "assert list(pd.read_csv('x')['col']) == [] and bool(pd) and len(a) == 0\n"
        "assert 'is not installed' in repr(b(1).c)\n"
        "with pd.connect() as connection:\n"
        "    pass\n"
        "\n"
        "def use():\n"
        "    return pd.DataFrame()\n"
        "\n"
        "with DAG('stood_in') as dag:\n"
        "    PythonOperator(task_id='use' + suffix(), python_callable=use)\n" % {"a": ABSENT}
    )
    report = inspect(dag_file, tmp_path)
    assert report["returncode"] == 0, report
    assert [t["task_id"] for d in report["dags"] for t in d["tasks"]] == ["use_x"]
    assert report["missing_modules"] == [ABSENT, ABSENT_TOO]
    # Each on the DAG file's line that imported it: the sibling's own on the line importing the sibling.
    assert diagnostics(report) == [("VX508", "info", 2), ("VX508", "info", 4)]
    message = report["diagnostics"][0]["message"]
    assert "%s is not installed in " % ABSENT in message
    assert "tasks that use it will fail when they run" in message
    assert '-m pip install %s (or the package that provides %s' % (ABSENT, ABSENT) in message
    assert report["diagnostics"][0]["column"] == 1
    assert report["diagnostics"][0]["endColumn"] == len("import %s as pd" % ABSENT) + 1


def test_well_known_modules_are_installed_by_their_package_names() -> None:
    from vortex._standins import install_command

    assert install_command("sklearn").endswith(" -m pip install scikit-learn")
    assert install_command("yaml").endswith(" -m pip install PyYAML")
    assert install_command("PIL").endswith(" -m pip install Pillow")


def test_installed_libraries_imports_are_never_stood_in_for(tmp_path: Path, dag_folder: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "guarded_lib.py").write_text(
        "try:\n    import %s\n    HAVE = True\nexcept ImportError:\n    HAVE = False\n" % ABSENT
    )
    (site / "needy_lib.py").write_text("import %s\n" % ABSENT)
    guarded = dag_folder / "guarded.py"
    guarded.write_text(
        "import guarded_lib\n"
        "from vortex import DAG\n"
        "from vortex.operators.bash import BashOperator\n"
        "with DAG('guarded') as dag:\n"
        "    BashOperator(task_id='have_%s' % guarded_lib.HAVE, bash_command='true')\n"
    )
    env = sdk_env()
    env["PYTHONPATH"] += ":" + str(site)
    report = inspect(guarded, tmp_path, env)
    assert report["diagnostics"] == []
    assert [t["task_id"] for d in report["dags"] for t in d["tasks"]] == ["have_False"]

    needy = dag_folder / "needy.py"
    needy.write_text("import os\nimport needy_lib\n")
    report = inspect(needy, tmp_path, env)
    assert report["returncode"] == 1
    assert diagnostics(report) == [("VX503", "error", 2)]
    assert "No module named '%s' (raised in needy_lib.py, line 1)" % ABSENT in report["diagnostics"][0]["message"]
    assert report["missing_modules"] == []

    # A namespace package's missing portion (google.cloud beside google.protobuf) is, for the file's own imports only.
    (site / "vortex_test_ns" / "present").mkdir(parents=True)
    (site / "vortex_test_ns" / "present" / "__init__.py").write_text("")
    (site / "ns_lib.py").write_text(
        "try:\n    import vortex_test_ns.absent\n    HAVE = True\nexcept ImportError:\n    HAVE = False\n"
    )
    namespace = dag_folder / "namespace.py"
    namespace.write_text(
        "import vortex_test_ns.present\n"
        "import ns_lib\n"
        "from vortex_test_ns.absent import storage\n"
        "assert not ns_lib.HAVE\n"
        "client = storage.Client()\n"
    )
    report = inspect(namespace, tmp_path, env)
    assert diagnostics(report) == [("VX508", "info", 3)]
    assert report["missing_modules"] == ["vortex_test_ns.absent"]
    assert report["diagnostics"][0]["message"].startswith("vortex_test_ns.absent is not installed in ")

    # Nor is a missing submodule of an installed package.
    submodule = dag_folder / "submodule.py"
    submodule.write_text("import json.vortex_test_absent\n")
    report = inspect(submodule, tmp_path)
    assert diagnostics(report) == [("VX503", "error", 1)]
    assert report["missing_modules"] == []


@pytest.mark.skipif(importlib.util.find_spec("pendulum") is not None, reason="pendulum is installed: the real one is used")
def test_pendulum_is_served_when_missing_and_not_reported(tmp_path: Path, dag_folder: Path) -> None:
    dag_file = dag_folder / "tutorial.py"
    dag_file.write_text(
        "import datetime\n"
        "import pendulum\n"
        "from airflow import DAG\n"
        "from airflow.operators.bash import BashOperator\n"
        "start = pendulum.datetime(2021, 1, 1, tz='UTC')\n"
        "assert start == datetime.datetime(2021, 1, 1, tzinfo=datetime.timezone.utc)\n"
        "with DAG('tutorial', start_date=start, dagrun_timeout=pendulum.duration(hours=1)) as dag:\n"
        "    BashOperator(task_id='print_date', bash_command='date')\n"
    )
    report = inspect(dag_file, tmp_path)
    assert report["diagnostics"] == []
    assert report["missing_modules"] == []
    assert [t["task_id"] for d in report["dags"] for t in d["tasks"]] == ["print_date"]

    # What the stand-in lacks is stood in for too, and then reported.
    with dag_file.open("a") as file:
        file.write("\nzone = pendulum.local_timezone()\n")
    report = inspect(dag_file, tmp_path)
    assert diagnostics(report) == [("VX508", "info", 10)]
    assert report["missing_modules"] == ["pendulum"]


def test_the_pendulum_stand_in_gives_standard_library_values() -> None:
    from vortex import _pendulum

    utc = datetime.timezone.utc
    assert _pendulum.datetime(2021, 1, 2, 3, 4, tz="UTC") == datetime.datetime(2021, 1, 2, 3, 4, tzinfo=utc)
    paris = _pendulum.datetime(2021, 6, 1, tz="Europe/Paris")
    assert paris.tzinfo is not None
    assert _pendulum.duration(days=1, hours=2) == datetime.timedelta(days=1, hours=2)
    assert _pendulum.timezone("UTC") is utc
    today = _pendulum.today("UTC")
    assert (today.hour, today.minute, today.tzinfo) == (0, 0, utc)
    assert _pendulum.yesterday() == today - datetime.timedelta(days=1)
    assert _pendulum.now().tzinfo is utc
    assert _pendulum.parse("2021-01-01") == datetime.datetime(2021, 1, 1, tzinfo=utc)
    assert _pendulum.parse("2021-01-01T10:00:00Z") == datetime.datetime(2021, 1, 1, 10, tzinfo=utc)


RUNNER_DAG = """
import %(a)s as pd
from vortex import DAG
from vortex.operators.python import PythonOperator

def plain():
    print("plain ran")

def uses_it():
    return pd.DataFrame()

with DAG(dag_id="tasks") as dag:
    PythonOperator(task_id="plain", python_callable=plain)
    PythonOperator(task_id="uses_it", python_callable=uses_it)
""" % {"a": ABSENT}


@pytest.mark.parametrize(("task_id", "ok"), [("plain", True), ("uses_it", False)])
def test_the_runner_runs_tasks_that_do_not_use_a_stand_in_and_fails_those_that_do(
    tmp_path: Path, dag_folder: Path, task_id: str, ok: bool
) -> None:
    dag_file = dag_folder / "runner_dag.py"
    dag_file.write_text(RUNNER_DAG)
    payload = tmp_path / "payload.json"
    payload.write_text(
        json.dumps(
            {
                "mode": "call",
                "dag_file": str(dag_file),
                "dag_id": "tasks",
                "task_id": task_id,
                "python_callable": None,
                "op_args": None,
                "op_kwargs": None,
            }
        )
    )
    r = run_python(["-u", "-m", "vortex._runner", str(payload)], cwd=tmp_path)
    if ok:
        assert r.returncode == 0, r.stderr
        assert r.stdout == "plain ran\n"
    else:
        assert r.returncode == 1
        assert "ModuleNotFoundError: module %s is not installed in " % ABSENT in r.stderr
        assert "-m pip install %s" % ABSENT in r.stderr
