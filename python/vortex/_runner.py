"""``python -m vortex._runner PAYLOAD``: runs one task of a DAG file, for VORTEX's executor.

PAYLOAD is a JSON file the executor writes into a private temporary folder and
deletes when the task ends: what to run, as data (the DAG file, the DAG and
task ids, literal ``op_args`` / ``op_kwargs``), so that no value from a DAG file
is ever spliced into code. Secrets reach the task through the environment
only. The shape is ``RunnerPayload`` in the extension's
``core/run/pythonRunner.ts``.

The task's own output and traceback go to stdout and stderr; the runner's
messages are ``vortex: ...`` lines on stderr, with exit status 1.
"""
from __future__ import annotations

import json
import os
import sys
from types import ModuleType
from typing import Any, Dict, List, NoReturn, Optional, Sequence

from vortex import _standins
from vortex._dagfile import import_dag_file
from vortex.models.dag import created_dags


def _fail(message: str) -> NoReturn:
    sys.stderr.write("vortex: " + message + "\n")
    sys.exit(1)


def _find_task(module: ModuleType, dag_id: str, task_id: str) -> Any:
    """The task object, from the DAGs the file made (those built inside functions are no module globals)."""
    candidates: List[Any] = list(vars(module).values())
    candidates.extend(created_dags())
    for dag in candidates:
        task_dict = getattr(dag, "task_dict", None)
        if getattr(dag, "dag_id", None) == dag_id and isinstance(task_dict, dict) and task_id in task_dict:
            return task_dict[task_id]
    return None


def _resolve_name(module: ModuleType, dotted: str) -> Any:
    value: Any = module
    for part in dotted.split("."):
        value = getattr(value, part)
    return value


def _read_payload(path: str) -> Dict[str, Any]:
    with open(path, encoding="utf-8") as file:
        payload = json.load(file)
    if not isinstance(payload, dict):
        _fail("the payload %s is not a JSON object" % path)
    return payload


def run(payload: Dict[str, Any]) -> None:
    """Imports the DAG file and runs the task the payload names; exits 1 with a message when it cannot."""
    dag_file: str = payload["dag_file"]
    dag_id: str = payload["dag_id"]
    task_id: str = payload["task_id"]
    module = import_dag_file(dag_file)
    task = _find_task(module, dag_id, task_id)

    if payload["mode"] == "bash":
        command = getattr(task, "bash_command", None)
        if not isinstance(command, str):
            _fail("cannot find the bash_command of task '%s' in DAG '%s'" % (task_id, dag_id))
        sys.stdout.flush()
        sys.stderr.flush()
        # exec keeps the process (and so its process group) of this runner.
        os.execvp("sh", ["sh", "-c", command])

    python_callable: Optional[str] = payload["python_callable"]
    func = getattr(task, "python_callable", None)
    if func is None and python_callable:
        try:
            func = _resolve_name(module, python_callable)
        except AttributeError:
            _fail("cannot find python_callable '%s' in %s" % (python_callable, dag_file))
    if not callable(func):
        _fail("task '%s' has no callable python_callable" % task_id)
    op_args: Optional[Sequence[Any]] = payload["op_args"]
    op_kwargs: Optional[Dict[str, Any]] = payload["op_kwargs"]
    args = list(op_args) if op_args is not None else list(getattr(task, "op_args", None) or [])
    kwargs = dict(op_kwargs) if op_kwargs is not None else dict(getattr(task, "op_kwargs", None) or {})
    # The graph was built with stand-ins for modules that are not installed; the task must not compute with them.
    _standins.refuse_use()
    func(*args, **kwargs)


def main(argv: Sequence[str]) -> None:
    if len(argv) != 1:
        _fail("usage: python -m vortex._runner PAYLOAD.json")
    run(_read_payload(argv[0]))


if __name__ == "__main__":
    main(sys.argv[1:])
