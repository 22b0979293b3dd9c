"""``python -m vortex._runner PAYLOAD``: runs one task of a DAG file, for VORTEX's executor, as Airflow runs a task instance.

PAYLOAD is a JSON file the executor writes into a private temporary folder and
deletes when the task ends: what to run, as data (the DAG file, the DAG and
task ids, literal ``op_args`` / ``op_kwargs``, the run's logical date, data
interval, conf and the XComs earlier tasks pushed), so that no value from a
DAG file is ever spliced into code. Secrets reach the task through the
environment only. The shape is ``RunnerPayload`` in the extension's
``core/run/pythonRunner.ts``.

Before the task runs its templated fields are rendered (``vortex._templates``)
with Airflow's context (``vortex._context``). What the task did beyond its exit
status (the XComs it pushed, a branch's choice, a skip, its rendered fields)
goes to the payload's ``result_file`` as JSON, read by the executor.

The task's own output and traceback go to stdout and stderr; the runner's
messages are ``vortex: ...`` lines on stderr, with exit status 1, and the lines
saying what runs are ``[vortex] ...`` lines on stderr.
"""
from __future__ import annotations

import datetime
import inspect
import json
import os
import sys
import traceback
from types import ModuleType
from typing import Any, Callable, Dict, List, NoReturn, Optional, Sequence

from vortex import _standins
from vortex._context import Interval, build_context, data_interval, parse_instant
from vortex._dagfile import import_dag_file
from vortex._templates import Renderer, TemplateError, describe, render_fields, render_value, template_ext
from vortex._xcom import XComError, XComStore
from vortex.exceptions import AirflowFailException, AirflowSkipException
from vortex.models.dag import created_dags
from vortex.models.xcom_arg import XCOM_RETURN_KEY


def _fail(message: str) -> NoReturn:
    sys.stderr.write("vortex: " + message + "\n")
    sys.exit(1)


def _say(message: str) -> None:
    sys.stderr.write("[vortex] " + message + "\n")


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


def _class_names(task: Any) -> List[str]:
    return [c.__name__ for c in type(task).__mro__]


def _decision_kind(task: Any, model_says_branch: bool) -> Optional[str]:
    """``short_circuit``, ``branch`` or None: how the task's return value steers its downstream tasks."""
    names = _class_names(task)
    if any("ShortCircuit" in n for n in names):
        return "short_circuit"
    branch_class = any(n in ("BranchPythonOperator", "BaseBranchOperator", "BranchMixIn") for n in names)
    if model_says_branch or branch_class or getattr(task, "branch", False) is True:
        return "branch"
    return None


def call_kwargs(func: Callable[..., Any], args: Sequence[Any], kwargs: Dict[str, Any], context: Dict[str, Any]) -> Dict[str, Any]:
    """The keyword arguments Airflow passes: the whole context for ``**kwargs``, else the keys the callable names.

    ``op_kwargs`` win over context keys of the same name.
    """
    merged = dict(context)
    merged.update(kwargs)
    try:
        signature = inspect.signature(func)
    except (TypeError, ValueError):
        return dict(kwargs)
    parameters = signature.parameters
    if any(p.kind == inspect.Parameter.VAR_KEYWORD for p in parameters.values()):
        chosen = merged
    else:
        chosen = {k: v for k, v in merged.items() if k in parameters}
    positional = [p.name for p in parameters.values() if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)][: len(args)]
    for name in positional:
        if name in kwargs:
            raise ValueError("The key %r in args is a part of kwargs and therefore reserved." % name)
        chosen.pop(name, None)
    return chosen


def _branch_ids(value: Any) -> List[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, (list, tuple, set)) and all(isinstance(v, str) for v in value):
        return list(value)
    raise TypeError("a branch callable must return a task_id or a list of task_ids, not %s" % type(value).__name__)


def _check_branch_ids(dag: Any, ids: List[str]) -> None:
    known = set(getattr(dag, "task_dict", {}))
    invalid = sorted(i for i in ids if i not in known and not any(k.startswith(i + ".") for k in known))
    if invalid:
        raise ValueError("'branch_task_ids' must contain only valid task_ids. Invalid tasks found: %s." % invalid)


def _signature_text(func: Callable[..., Any], args: Sequence[Any], kwargs: Dict[str, Any], takes_context: bool) -> str:
    shown = [repr(a) for a in args] + ["%s=%r" % (k, v) for k, v in kwargs.items()]
    name = getattr(func, "__qualname__", getattr(func, "__name__", repr(func)))
    return "%s(%s)%s" % (name, ", ".join(shown), " with the task context" if takes_context else "")


def _bash_env(task: Any, context_env: Dict[str, str]) -> Dict[str, str]:
    """Airflow's BashOperator environment: ``env`` replaces the process's unless ``append_env``; AIRFLOW_CTX_* always."""
    own = getattr(task, "env", None)
    if own is None:
        env = dict(os.environ)
    elif getattr(task, "append_env", False):
        env = dict(os.environ)
        env.update({str(k): str(v) for k, v in own.items()})
    else:
        env = {str(k): str(v) for k, v in own.items()}
    env.update(context_env)
    return env


def _context_env(context: Dict[str, Any]) -> Dict[str, str]:
    ti = context["ti"]
    return {
        "AIRFLOW_CTX_DAG_ID": ti.dag_id,
        "AIRFLOW_CTX_TASK_ID": ti.task_id,
        "AIRFLOW_CTX_LOGICAL_DATE": context["logical_date"].isoformat(),
        "AIRFLOW_CTX_EXECUTION_DATE": context["logical_date"].isoformat(),
        "AIRFLOW_CTX_TRY_NUMBER": str(ti.try_number),
        "AIRFLOW_CTX_DAG_RUN_ID": context["run_id"],
    }


class Outcome:
    """What the runner reports to the executor besides its exit status."""

    def __init__(self, path: Optional[str]) -> None:
        self.path = path
        self.data: Dict[str, Any] = {
            "state": "success", "xcom": {}, "rendered": {}, "follow": None, "skip": None, "no_retry": False,
        }

    def write(self) -> None:
        if not self.path:
            return
        with open(self.path, "w", encoding="utf-8") as file:
            json.dump(self.data, file)


def _interval(payload: Dict[str, Any], dag: Any, logical_date: datetime.datetime) -> Interval:
    start, end = payload.get("data_interval_start"), payload.get("data_interval_end")
    given = Interval(parse_instant(start), parse_instant(end)) if isinstance(start, str) and isinstance(end, str) else None
    return data_interval(getattr(dag, "schedule_interval", None), logical_date, given)


def _execute(payload: Dict[str, Any], module: ModuleType, task: Any, outcome: Outcome) -> None:
    dag_file: str = payload["dag_file"]
    dag = task.dag
    run = payload.get("run") or {}
    logical_date = parse_instant(run["logical_date"]) if run.get("logical_date") else datetime.datetime.now(datetime.timezone.utc)
    xcom = XComStore(task.task_id, payload.get("xcoms"))
    context = build_context(
        dag,
        task,
        run.get("run_id") or "manual__" + logical_date.isoformat(),
        logical_date,
        _interval(run, dag, logical_date),
        dict(run.get("conf") or {}),
        int(run.get("try_number") or 1),
        int(run.get("max_tries") or 0),
        xcom,
    )
    renderer = Renderer(dag, dag_file, context, xcom, template_ext(task))

    # Literal op_args / op_kwargs, as the analyser read them, are the task's; others (XComArgs, computed values) the SDK built.
    if payload.get("op_args") is not None:
        task.op_args = list(payload["op_args"])
    if payload.get("op_kwargs") is not None:
        task.op_kwargs = dict(payload["op_kwargs"])
    rendered = render_fields(task, renderer)
    outcome.data["rendered"] = {name: describe(value) for name, value in rendered.items()}
    context["templates_dict"] = getattr(task, "templates_dict", None) or getattr(task, "extra_args", {}).get("templates_dict")

    try:
        if payload["mode"] == "bash":
            _run_bash(task, context, renderer, outcome)
        else:
            _run_callable(payload, module, task, context, outcome)
    finally:
        outcome.data["xcom"] = xcom.pushed


def _run_bash(task: Any, context: Dict[str, Any], renderer: Renderer, outcome: Outcome) -> NoReturn:
    func = getattr(task, "python_callable", None)
    if callable(func):
        # A @task.bash function returns the command, which is then rendered like a bash_command.
        args = list(getattr(task, "op_args", None) or [])
        returned = func(*args, **call_kwargs(func, args, dict(getattr(task, "op_kwargs", None) or {}), context))
        if not isinstance(returned, str) or returned.strip() == "":
            raise TypeError("The returned value from the TaskFlow callable must be a non-empty string.")
        command = render_value(renderer, task, "bash_command", returned)
        outcome.data["rendered"]["bash_command"] = describe(command)
    else:
        command = getattr(task, "bash_command", None)
    if not isinstance(command, str):
        _fail("cannot find the bash_command of task '%s'" % task.task_id)
    env = _bash_env(task, _context_env(context))
    cwd = getattr(task, "cwd", None)
    _say("running: " + command)
    outcome.write()
    sys.stdout.flush()
    sys.stderr.flush()
    if isinstance(cwd, str) and cwd:
        os.chdir(cwd)
    # exec keeps the process (and so its process group) of this runner; the executor reads the command's last line as its XCom.
    os.execvpe("sh", ["sh", "-c", command], env)


def _run_callable(payload: Dict[str, Any], module: ModuleType, task: Any, context: Dict[str, Any], outcome: Outcome) -> None:
    python_callable: Optional[str] = payload["python_callable"]
    func = getattr(task, "python_callable", None)
    if func is None and python_callable:
        try:
            func = _resolve_name(module, python_callable)
        except AttributeError:
            _fail("cannot find python_callable '%s' in %s" % (python_callable, payload["dag_file"]))
    if not callable(func):
        _fail("task '%s' has no callable python_callable" % task.task_id)
    args = list(getattr(task, "op_args", None) or [])
    op_kwargs = dict(getattr(task, "op_kwargs", None) or {})
    kwargs = call_kwargs(func, args, op_kwargs, context)
    _say("calling " + _signature_text(func, args, op_kwargs, len(kwargs) > len(op_kwargs)))
    # The graph was built with stand-ins for modules that are not installed; the task must not compute with them.
    _standins.refuse_use()
    value = func(*args, **kwargs)

    decision = _decision_kind(task, bool(payload.get("branch")))
    if decision == "branch":
        follow = _branch_ids(value)
        _check_branch_ids(task.dag, follow)
        outcome.data["follow"] = follow
        _say("following %s" % (", ".join(follow) if follow else "no task"))
    elif decision == "short_circuit" and not value:
        ignore = getattr(task, "ignore_downstream_trigger_rules", None)
        if ignore is None:
            ignore = getattr(task, "extra_args", {}).get("ignore_downstream_trigger_rules", True)
        outcome.data["skip"] = "all" if ignore else "direct"
        _say("condition is falsy: skipping %s downstream tasks" % ("all" if ignore else "the direct"))

    if value is not None and getattr(task, "do_xcom_push", getattr(task, "extra_args", {}).get("do_xcom_push", True)):
        context["ti"].xcom_push(XCOM_RETURN_KEY, value)
        if getattr(task, "multiple_outputs", False) and isinstance(value, dict):
            for key, item in value.items():
                context["ti"].xcom_push(str(key), item)


def run(payload: Dict[str, Any]) -> None:
    """Imports the DAG file and runs the task the payload names; exits 1 with a message when it cannot."""
    dag_file: str = payload["dag_file"]
    dag_id: str = payload["dag_id"]
    task_id: str = payload["task_id"]
    module = import_dag_file(dag_file)
    task = _find_task(module, dag_id, task_id)
    if task is None:
        _fail("cannot find task '%s' of DAG '%s' in %s" % (task_id, dag_id, dag_file))
    outcome = Outcome(payload.get("result_file"))
    try:
        _execute(payload, module, task, outcome)
    except AirflowSkipException as error:
        outcome.data["state"] = "skipped"
        _say("skipped: %s" % error if str(error) else "skipped")
    except AirflowFailException:
        outcome.data["no_retry"] = True
        outcome.data["state"] = "failed"
        outcome.write()
        traceback.print_exc()
        _fail("the task raised AirflowFailException: it fails without retrying")
    except (TemplateError, XComError) as error:
        outcome.data["state"] = "failed"
        outcome.write()
        _fail(str(error))
    except Exception:  # noqa: BLE001 - whatever the task raised fails it, with its traceback
        outcome.data["state"] = "failed"
        outcome.write()
        _print_task_traceback()
        sys.exit(1)
    outcome.write()


def _print_task_traceback() -> None:
    """The exception being handled, as Python prints it, from the task's own code on (the runner's frames say nothing)."""
    kind, error, tb = sys.exc_info()
    here = os.path.abspath(__file__)
    while tb is not None and tb.tb_next is not None and os.path.abspath(tb.tb_frame.f_code.co_filename) == here:
        tb = tb.tb_next
    traceback.print_exception(kind, error, tb)


def main(argv: Sequence[str]) -> None:
    if len(argv) != 1:
        _fail("usage: python -m vortex._runner PAYLOAD.json")
    run(_read_payload(argv[0]))


if __name__ == "__main__":
    main(sys.argv[1:])
