"""The base of every operator, the dependency operators, ``chain`` and ``cross_downstream``."""
from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any, Dict, Iterable, List, Optional, Sequence, Set, Union

from vortex.exceptions import UnsupportedAirflowFeature
from vortex.models import recording
from vortex.models.dag import DagContext, validate_key

if TYPE_CHECKING:
    from vortex.models.dag import DAG

# Tells "not given" (default_args may fill it in) from an explicit None.
_UNSET: Any = object()


def _timeout(value: Any) -> Optional[datetime.timedelta]:
    if value is None or isinstance(value, datetime.timedelta):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return datetime.timedelta(seconds=value)
    raise TypeError("execution_timeout must be a timedelta or a number of seconds, not %s" % type(value).__name__)


class BaseOperator:
    """A task. It joins the DAG given as ``dag=``, else the DAG of the enclosing ``with DAG(...)`` block.

    Arguments VORTEX does not use (``pool``, ``email``, …) are accepted and kept in
    ``extra_args``, so that Airflow DAG files load unchanged.
    """

    def __init__(
        self,
        task_id: str,
        *,
        dag: "Optional[DAG]" = None,
        owner: Any = _UNSET,
        secrets: Any = _UNSET,
        execution_timeout: Any = _UNSET,
        retries: Any = _UNSET,
        retry_delay: Any = _UNSET,
        trigger_rule: Any = _UNSET,
        doc_md: Optional[str] = None,
        **kwargs: Any,
    ) -> None:
        self.task_id: str = validate_key("task_id", task_id)
        self._dag: "Optional[DAG]" = None
        self.upstream_task_ids: Set[str] = set()
        self.downstream_task_ids: Set[str] = set()
        target = dag if dag is not None else DagContext.get_current_dag()

        # Airflow's default_args: what the operator leaves out, the DAG's defaults fill in.
        given = {
            "owner": owner,
            "secrets": secrets,
            "execution_timeout": execution_timeout,
            "retries": retries,
            "retry_delay": retry_delay,
            "trigger_rule": trigger_rule,
        }
        defaults = target.default_args if target is not None else {}
        values = {k: (defaults.get(k) if v is _UNSET else v) for k, v in given.items()}
        self.owner: Optional[str] = values["owner"]
        self.secrets: List[str] = list(values["secrets"] or [])
        self.execution_timeout: Optional[datetime.timedelta] = _timeout(values["execution_timeout"])
        self.retries: int = values["retries"] or 0
        self.retry_delay: Any = values["retry_delay"]
        self.trigger_rule: str = values["trigger_rule"] or "all_success"
        self.doc_md = doc_md
        self.extra_args: Dict[str, Any] = dict(kwargs)

        if recording.active is not None:
            recording.active.task_created(self)
        if target is not None:
            target.add_task(self)

    @property
    def dag(self) -> "Optional[DAG]":
        return self._dag

    @dag.setter
    def dag(self, dag: "DAG") -> None:
        dag.add_task(self)

    @property
    def upstream_list(self) -> "List[BaseOperator]":
        return self._relatives(self.upstream_task_ids)

    @property
    def downstream_list(self) -> "List[BaseOperator]":
        return self._relatives(self.downstream_task_ids)

    def _relatives(self, ids: Set[str]) -> "List[BaseOperator]":
        if self._dag is None:
            return []
        return [self._dag.task_dict[i] for i in sorted(ids) if i in self._dag.task_dict]

    def __repr__(self) -> str:
        return "<Task(%s): %s>" % (type(self).__name__, self.task_id)

    @classmethod
    def partial(cls, **kwargs: Any) -> Any:
        """Airflow's dynamic task mapping (``.partial(...).expand(...)``), which VORTEX cannot run."""
        raise UnsupportedAirflowFeature(
            "%s.partial(...) is dynamic task mapping, which VORTEX cannot run (create the tasks in a loop instead)"
            % cls.__name__
        )

    def execute(self, context: Optional[Dict[str, Any]] = None) -> Any:
        """Does the task's work; each operator defines it."""
        raise NotImplementedError

    # --- dependencies ------------------------------------------------------

    def _set_relatives(self, others: "Union[BaseOperator, Iterable[BaseOperator]]", upstream: bool) -> None:
        tasks = [others] if isinstance(others, BaseOperator) else list(others)
        for task in tasks:
            if not isinstance(task, BaseOperator):
                raise TypeError("dependencies are set between tasks, not with %s" % type(task).__name__)
        dags = {id(t.dag): t.dag for t in [self] + tasks if t.dag is not None}
        if len(dags) > 1:
            raise ValueError("tasks of different DAGs cannot depend on each other")
        # A task made without a DAG joins the DAG of the tasks it is linked to, as in Airflow.
        for dag in dags.values():
            for task in [self] + tasks:
                if task.dag is None:
                    dag.add_task(task)
        recorder = recording.active
        for task in tasks:
            if upstream:
                self.upstream_task_ids.add(task.task_id)
                task.downstream_task_ids.add(self.task_id)
                if recorder is not None:
                    recorder.edge_set(task, self)
            else:
                self.downstream_task_ids.add(task.task_id)
                task.upstream_task_ids.add(self.task_id)
                if recorder is not None:
                    recorder.edge_set(self, task)

    def set_downstream(self, task_or_task_list: "Union[BaseOperator, Iterable[BaseOperator]]") -> None:
        self._set_relatives(task_or_task_list, upstream=False)

    def set_upstream(self, task_or_task_list: "Union[BaseOperator, Iterable[BaseOperator]]") -> None:
        self._set_relatives(task_or_task_list, upstream=True)

    def __rshift__(self, other: Any) -> Any:
        """``self >> other``: other runs after self; returns other so that chains read left to right."""
        self.set_downstream(other)
        return other

    def __lshift__(self, other: Any) -> Any:
        """``self << other``: other runs before self."""
        self.set_upstream(other)
        return other

    def __rrshift__(self, other: Any) -> "BaseOperator":
        """``[a, b] >> self``."""
        self.set_upstream(other)
        return self

    def __rlshift__(self, other: Any) -> "BaseOperator":
        """``[a, b] << self``."""
        self.set_downstream(other)
        return self


def chain(*tasks: "Union[BaseOperator, Sequence[BaseOperator]]") -> None:
    """Sets each element upstream of the next: ``chain(a, [b, c], d)`` is ``a >> [b, c] >> d``.

    Two adjacent lists are linked pairwise and must have the same length.
    """
    for up, down in zip(tasks, tasks[1:]):
        if isinstance(up, BaseOperator):
            up.set_downstream(down)
        elif isinstance(down, BaseOperator):
            down.set_upstream(up)
        else:
            ups, downs = list(up), list(down)
            if len(ups) != len(downs):
                raise ValueError("chain cannot link lists of different lengths: %d and %d" % (len(ups), len(downs)))
            for u, d in zip(ups, downs):
                u.set_downstream(d)


def cross_downstream(
    from_tasks: "Sequence[BaseOperator]",
    to_tasks: "Union[BaseOperator, Sequence[BaseOperator]]",
) -> None:
    """Sets every task of ``from_tasks`` upstream of every task of ``to_tasks``."""
    for task in from_tasks:
        task.set_downstream(to_tasks)
