"""What executing a DAG file built, recorded as it is built and reported in ``RuntimeReport``'s shape.

The shape is ``RuntimeDag`` in the extension's ``core/runtime/report.ts``;
lines are 1-based.
"""
from __future__ import annotations

import bisect
import datetime
import dis
import sys
from types import CodeType, FrameType, ModuleType
from typing import Any, Dict, List, Optional, Sequence, Tuple

from vortex.models import recording
from vortex.models.baseoperator import BaseOperator
from vortex.models.dag import DAG
from vortex.models.mappedoperator import MappedOperator
from vortex.models.taskgroup import TaskGroup
from vortex.operators.bash import BashOperator
from vortex.operators.empty import EmptyOperator
from vortex.operators.python import PythonOperator
from vortex.utils.trigger_rule import TriggerRule

Json = Dict[str, Any]

# The executor runs what a task's bash_command or python_callable says, not its
# execute(): a subclass keeps its base's kind only while execute is the base's.
_KINDS = ((BashOperator, "bash"), (PythonOperator, "python"), (EmptyOperator, "dummy"))


class _LineTable:
    """Lines of instruction offsets, one table per code object.

    ``frame.f_lineno`` scans a code object's whole line table on every call,
    which for a generated 10,000-line module costs more than executing it;
    the recorder keeps each frame's instruction offset instead and the lines
    are looked up here afterwards, with a binary search.
    """

    def __init__(self) -> None:
        # Keyed by id(): a code object's own hash digests all of its bytecode, on every lookup.
        self._tables: Dict[int, Tuple[List[int], List[Tuple[int, Optional[int]]]]] = {}
        self._codes: List[CodeType] = []

    def _table(self, code: CodeType) -> Tuple[List[int], List[Tuple[int, Optional[int]]]]:
        table = self._tables.get(id(code))
        if table is None:
            self._codes.append(code)
            starts: List[int] = []
            spans: List[Tuple[int, Optional[int]]] = []
            if hasattr(code, "co_lines"):
                for start, end, line in code.co_lines():
                    starts.append(start)
                    spans.append((end, line))
            else:  # Python 3.8 and 3.9
                for start, line in dis.findlinestarts(code):
                    starts.append(start)
                    spans.append((sys.maxsize, line))
            table = self._tables[id(code)] = (starts, spans)
        return table

    def line(self, code: CodeType, offset: int) -> Optional[int]:
        starts, spans = self._table(code)
        i = bisect.bisect_right(starts, offset) - 1
        if i < 0 or offset >= spans[i][0]:
            return None
        return spans[i][1]


class FileRecorder(recording.Recorder):
    """Where one DAG file made each DAG and task, and the dependencies in the order they were set."""

    def __init__(self, path: str) -> None:
        self.path = path
        # Keyed by id(); `objects` holds every object, so no id is reused while recording.
        self.objects: List[object] = []
        self.order: Dict[int, int] = {}
        self.places: Dict[int, Tuple[CodeType, int]] = {}
        self.edges: List[Tuple[BaseOperator, BaseOperator]] = []
        self.defined_at: Dict[int, int] = {}
        self._lines = _LineTable()

    def _remember(self, obj: object) -> None:
        self.objects.append(obj)
        self.order[id(obj)] = len(self.objects)
        # The nearest frame in the DAG file: a helper module's call is attributed to its caller.
        frame: Optional[FrameType] = sys._getframe(2)
        while frame is not None:
            if frame.f_code.co_filename == self.path:
                self.places[id(obj)] = (frame.f_code, frame.f_lasti)
                return
            frame = frame.f_back

    def line_of(self, obj: object) -> int:
        defined = self.defined_at.get(id(obj))
        if defined is not None:
            return defined
        place = self.places.get(id(obj))
        line = self._lines.line(*place) if place is not None else None
        return line if line is not None else 1

    def dag_created(self, dag: DAG) -> None:
        self._remember(dag)

    def task_created(self, task: BaseOperator) -> None:
        self._remember(task)

    def dag_defined(self, dag: DAG, function: object) -> None:
        # A @dag DAG is where its function is defined (its first decorator's line), as the source reads.
        code = getattr(function, "__code__", None)
        if isinstance(code, CodeType) and code.co_filename == self.path:
            self.defined_at[id(dag)] = code.co_firstlineno

    def group_created(self, group: TaskGroup) -> None:
        self._remember(group)

    def edge_set(self, upstream: BaseOperator, downstream: BaseOperator) -> None:
        self.edges.append((upstream, downstream))


# --- the report -------------------------------------------------------------


def _text(value: Any) -> Optional[str]:
    return value if isinstance(value, str) else None


def _texts(values: Any) -> List[str]:
    return [v for v in values if isinstance(v, str)] if isinstance(values, (list, tuple)) else []


def _seconds(value: Any) -> Optional[float]:
    if not isinstance(value, datetime.timedelta):
        return None
    seconds = value.total_seconds()
    return int(seconds) if seconds.is_integer() else seconds


def _retries(task: BaseOperator) -> int:
    retries = getattr(task, "retries", 0)
    return retries if isinstance(retries, int) and not isinstance(retries, bool) and retries > 0 else 0


def _delay_seconds(value: Any) -> Optional[float]:
    """A ``retry_delay``: a timedelta or, as Airflow also takes it, a number of seconds."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0:
        return value
    return _seconds(value)


def _kind(task: BaseOperator) -> str:
    for cls, kind in _KINDS:
        if isinstance(task, cls) and type(task).execute is cls.execute:
            return kind
    return "other"


def _decorator(task: BaseOperator) -> Optional[str]:
    """The TaskFlow decorator that made the task (``task.branch``), or None for an operator class."""
    # Read off the class and the instance's own attributes: the decorators are imported only by files that use them.
    name = task.__dict__.get("decorator_name") or getattr(type(task), "decorator_name", None)
    return name if isinstance(name, str) else None


def _operator_class(task: BaseOperator) -> type:
    return task.operator_class if isinstance(task, MappedOperator) else type(task)


def _callable_name(task: BaseOperator, module: ModuleType) -> Optional[str]:
    """The callable's name when the runner can find it by that name at the top of the DAG file."""
    func = getattr(task, "python_callable", None)
    name = getattr(func, "__name__", None)
    if isinstance(name, str) and getattr(func, "__module__", None) == module.__name__ and vars(module).get(name) is func:
        return name
    return None


def _function_name(task: BaseOperator) -> Optional[str]:
    """The decorated function's name (a mapped task keeps its function among its partial arguments)."""
    if isinstance(task, MappedOperator):
        function = task.partial_kwargs.get("python_callable")
    else:
        function = getattr(task, "python_callable", None)
    name = getattr(function, "__name__", None)
    return name if isinstance(name, str) else None


def _task_report(
    task: BaseOperator, recorder: FileRecorder, module: ModuleType, upstream: List[str], downstream: List[str]
) -> Json:
    decorator = _decorator(task)
    cls = _operator_class(task)
    group = task.task_group
    mapped = isinstance(task, MappedOperator) or task.__dict__.get("mapped") is True
    branch = task.branch if isinstance(task, MappedOperator) else getattr(cls, "branch", False) is True
    return {
        "task_id": task.task_id,
        "operator": decorator or cls.__name__,
        "qualified_operator": "%s.%s" % (cls.__module__, cls.__qualname__),
        "kind": _kind(task),
        "file": recorder.path,
        "line": recorder.line_of(task),
        "upstream": upstream,
        "downstream": downstream,
        # A @task.bash command is what its function returns when the task runs: not called here.
        "bash_command": None if decorator else _text(getattr(task, "bash_command", None)),
        "python_callable": _function_name(task) if decorator else _callable_name(task, module),
        "secrets": _texts(task.secrets),
        "execution_timeout": _seconds(task.execution_timeout),
        # Run settings as Airflow gives them to the task, default_args merged in.
        "retries": _retries(task),
        "retry_delay": _delay_seconds(getattr(task, "retry_delay", None)),
        "do_xcom_push": getattr(task, "do_xcom_push", True) is not False,
        "group_id": group.group_id if group is not None else None,
        "decorated": decorator is not None,
        "mapped": mapped,
        "branch": branch,
        # Airflow's default is left implicit, as the source leaves it.
        "trigger_rule": None if task.trigger_rule == TriggerRule.ALL_SUCCESS else str(task.trigger_rule),
    }


def _groups_report(dag: DAG, recorder: FileRecorder) -> List[Json]:
    unknown = len(recorder.objects) + 1
    groups = [g for g in dag.task_group_dict.values() if not g.is_root]
    groups.sort(key=lambda g: recorder.order.get(id(g), unknown))
    return [
        {
            "id": g.group_id,
            "parent_id": g.parent_group.group_id if g.parent_group is not None else None,
            "label": g.label,
            "line": recorder.line_of(g),
        }
        for g in groups
    ]


def dag_report(dag: DAG, recorder: FileRecorder, module: ModuleType) -> Json:
    """What one DAG is, in ``RuntimeDag``'s shape: tasks in the order they were made, edges in the order they were set."""
    unknown = len(recorder.objects) + 1
    tasks = sorted(dag.task_dict.values(), key=lambda t: recorder.order.get(id(t), unknown))
    edges: Dict[Tuple[str, str], None] = {}
    for up, down in recorder.edges:
        if up.dag is dag and down.dag is dag:
            edges.setdefault((up.task_id, down.task_id), None)
    upstream: Dict[str, List[str]] = {t.task_id: [] for t in tasks}
    downstream: Dict[str, List[str]] = {t.task_id: [] for t in tasks}
    for up_id, down_id in edges:
        downstream[up_id].append(down_id)
        upstream[down_id].append(up_id)
    return {
        "dag_id": dag.dag_id,
        "schedule": _text(dag.schedule_interval),
        "owner": _text(dag.owner),
        "description": _text(dag.description),
        "tags": _texts(dag.tags),
        "secrets": _texts(dag.secrets),
        "file": recorder.path,
        "line": recorder.line_of(dag),
        "tasks": [_task_report(t, recorder, module, upstream[t.task_id], downstream[t.task_id]) for t in tasks],
        "edges": [{"upstream": u, "downstream": d, "label": _text(dag.get_edge_info(u, d).get("label"))} for u, d in edges],
        "groups": _groups_report(dag, recorder),
    }


def find_cycle(task_ids: Sequence[str], edges: Sequence[Tuple[str, str]]) -> Optional[List[str]]:
    """A cycle as ``[a, b, c, a]``, or None. Linear time: DagBag's cycle check, for 5,000-task files too."""
    downstream: Dict[str, List[str]] = {t: [] for t in task_ids}
    upstream: Dict[str, List[str]] = {t: [] for t in task_ids}
    indegree: Dict[str, int] = dict.fromkeys(task_ids, 0)
    for up, down in edges:
        downstream[up].append(down)
        upstream[down].append(up)
        indegree[down] += 1
    ready = [t for t in task_ids if indegree[t] == 0]
    while ready:
        for down in downstream[ready.pop()]:
            indegree[down] -= 1
            if indegree[down] == 0:
                ready.append(down)
    # Every task Kahn's algorithm could not order still has an unordered
    # upstream task, so walking upstream among them must come round to a task
    # already seen: that closes a cycle.
    remaining = [t for t in task_ids if indegree[t] > 0]
    if not remaining:
        return None
    walk: List[str] = []
    seen: Dict[str, int] = {}
    task = remaining[0]
    while task not in seen:
        seen[task] = len(walk)
        walk.append(task)
        task = next(u for u in upstream[task] if indegree[u] > 0)
    cycle = list(reversed(walk[seen[task]:]))
    # Told from the task made first, as people read the file.
    position = {t: i for i, t in enumerate(task_ids)}
    first = min(range(len(cycle)), key=lambda i: position[cycle[i]])
    cycle = cycle[first:] + cycle[:first]
    return cycle + [cycle[0]]
