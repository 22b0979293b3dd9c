"""The DAG: a named set of tasks and the dependencies between them."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Dict, List, Optional

from vortex.exceptions import DagCycleException, DuplicateTaskIdFound, TaskNotFound
from vortex.models import recording

if TYPE_CHECKING:
    from vortex.models.baseoperator import BaseOperator
    from vortex.models.taskgroup import TaskGroup

# Airflow's rule for dag and task ids, so that a DAG written here also loads there.
_KEY_RE = re.compile(r"^[\w.-]+$")
_KEY_MAX = 250

# Every DAG built in this process, in order. A DAG made inside a function is
# not a module global, yet VORTEX must still find it to run its tasks.
_created: List["DAG"] = []


def created_dags() -> List["DAG"]:
    """Every DAG built in this process so far."""
    return list(_created)


def validate_key(kind: str, value: object) -> str:
    if not isinstance(value, str):
        raise TypeError("%s must be a string, not %s" % (kind, type(value).__name__))
    if not value or len(value) > _KEY_MAX or not _KEY_RE.match(value):
        raise ValueError(
            "%s %r must be 1 to %d letters, digits, underscores, dots or dashes" % (kind, value, _KEY_MAX)
        )
    return value


class DagContext:
    """The DAGs of the enclosing ``with DAG(...)`` blocks; operators join the innermost."""

    _stack: List["DAG"] = []

    @classmethod
    def push(cls, dag: "DAG") -> None:
        cls._stack.append(dag)

    @classmethod
    def pop(cls) -> Optional["DAG"]:
        return cls._stack.pop() if cls._stack else None

    @classmethod
    def get_current_dag(cls) -> Optional["DAG"]:
        return cls._stack[-1] if cls._stack else None


class DAG:
    """A DAG, usable as ``with DAG(...) as dag:`` or as a plain object passed as ``dag=``.

    Arguments VORTEX does not use (``max_active_runs``, ``default_view``, …) are
    accepted and kept in ``extra_args``, so that Airflow DAG files load unchanged.
    """

    def __init__(
        self,
        dag_id: str,
        description: Optional[str] = None,
        schedule_interval: Any = None,
        *,
        schedule: Any = None,
        start_date: Any = None,
        end_date: Any = None,
        default_args: Optional[Dict[str, Any]] = None,
        tags: Optional[List[str]] = None,
        owner: Optional[str] = None,
        secrets: Optional[List[str]] = None,
        catchup: bool = False,
        params: Optional[Dict[str, Any]] = None,
        doc_md: Optional[str] = None,
        **kwargs: Any,
    ) -> None:
        self.dag_id: str = validate_key("dag_id", dag_id)
        if schedule_interval is not None and schedule is not None:
            raise ValueError("give either schedule or schedule_interval, not both")
        self.description = description
        self.schedule_interval: Any = schedule_interval if schedule_interval is not None else schedule
        self.start_date = start_date
        self.end_date = end_date
        self.default_args: Dict[str, Any] = dict(default_args or {})
        self.tags: List[str] = list(tags or [])
        self._owner = owner
        self.secrets: List[str] = list(secrets or [])
        self.catchup = catchup
        self.params: Dict[str, Any] = dict(params or {})
        self.doc_md = doc_md
        self.extra_args: Dict[str, Any] = dict(kwargs)
        self.task_dict: Dict[str, "BaseOperator"] = {}
        # Airflow's edge_info: what a Label put on an edge, by (upstream, downstream).
        self.edge_info: Dict[str, Dict[str, Dict[str, Any]]] = {}
        from vortex.models.taskgroup import TaskGroup

        self.task_group: "TaskGroup" = TaskGroup(None, dag=self)
        _created.append(self)
        if recording.active is not None:
            recording.active.dag_created(self)

    @property
    def schedule(self) -> Any:
        """The schedule, whichever of ``schedule`` and ``schedule_interval`` gave it."""
        return self.schedule_interval

    @property
    def owner(self) -> Optional[str]:
        """``owner=``, else ``default_args['owner']``."""
        return self._owner if self._owner is not None else self.default_args.get("owner")

    def __enter__(self) -> "DAG":
        DagContext.push(self)
        return self

    def __exit__(self, *exc: object) -> None:
        DagContext.pop()

    def __repr__(self) -> str:
        return "<DAG: %s>" % self.dag_id

    # --- tasks -------------------------------------------------------------

    def add_task(self, task: "BaseOperator") -> None:
        existing = self.task_dict.get(task.task_id)
        if existing is task:
            return
        if existing is not None:
            raise DuplicateTaskIdFound("task_id %r is used twice in DAG %r" % (task.task_id, self.dag_id))
        if task.dag is not None and task.dag is not self:
            raise ValueError("task %r already belongs to DAG %r" % (task.task_id, task.dag.dag_id))
        self.task_dict[task.task_id] = task
        task._dag = self
        if task.task_group is None:
            self.task_group.add(task)

    def add_tasks(self, tasks: "List[BaseOperator]") -> None:
        for task in tasks:
            self.add_task(task)

    def set_edge_info(self, upstream_task_id: str, downstream_task_id: str, info: Dict[str, Any]) -> None:
        self.edge_info.setdefault(upstream_task_id, {})[downstream_task_id] = info

    def get_edge_info(self, upstream_task_id: str, downstream_task_id: str) -> Dict[str, Any]:
        return self.edge_info.get(upstream_task_id, {}).get(downstream_task_id, {})

    @property
    def task_group_dict(self) -> "Dict[Optional[str], TaskGroup]":
        """Every TaskGroup of the DAG by full id, the root group under None."""
        return self.task_group.get_task_group_dict()

    @property
    def tasks(self) -> "List[BaseOperator]":
        return list(self.task_dict.values())

    @property
    def task_ids(self) -> List[str]:
        return list(self.task_dict)

    def has_task(self, task_id: str) -> bool:
        return task_id in self.task_dict

    def get_task(self, task_id: str) -> "BaseOperator":
        try:
            return self.task_dict[task_id]
        except KeyError:
            raise TaskNotFound("DAG %r has no task %r" % (self.dag_id, task_id)) from None

    @property
    def roots(self) -> "List[BaseOperator]":
        """Tasks with no upstream task."""
        return [t for t in self.task_dict.values() if not t.upstream_task_ids]

    @property
    def leaves(self) -> "List[BaseOperator]":
        """Tasks with no downstream task."""
        return [t for t in self.task_dict.values() if not t.downstream_task_ids]

    def topological_sort(self) -> "List[BaseOperator]":
        """The tasks, each after all of its upstream tasks; raises DagCycleException on a cycle."""
        remaining = {tid: set(t.upstream_task_ids) & set(self.task_dict) for tid, t in self.task_dict.items()}
        ordered: List[str] = []
        while remaining:
            ready = [tid for tid, ups in remaining.items() if not ups]
            if not ready:
                raise DagCycleException("DAG %r has a cycle among %s" % (self.dag_id, sorted(remaining)))
            for tid in ready:
                del remaining[tid]
                ordered.append(tid)
            for ups in remaining.values():
                ups.difference_update(ready)
        return [self.task_dict[tid] for tid in ordered]
