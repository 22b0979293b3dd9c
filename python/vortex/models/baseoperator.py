"""The base of every operator, and the dependency helpers ``chain``, ``chain_linear`` and ``cross_downstream``."""
from __future__ import annotations

import datetime
import functools
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional, Sequence, Set

from vortex.exceptions import UnsupportedAirflowFeature
from vortex.models import recording
from vortex.models.chaining import chain, chain_linear, cross_downstream
from vortex.models.dag import DagContext, validate_key
from vortex.models.dependency import DependencyMixin, as_list, check_dependable
from vortex.models.taskgroup import TaskGroupContext
from vortex.models.xcom_arg import XComArg, iter_xcom_args
from vortex.utils.trigger_rule import TriggerRule, trigger_rule_value

if TYPE_CHECKING:
    from vortex.models.dag import DAG
    from vortex.models.edges import EdgeModifier
    from vortex.models.mappedoperator import OperatorPartial
    from vortex.models.taskgroup import TaskGroup

__all__ = ["BaseOperator", "chain", "chain_linear", "cross_downstream"]

# Tells "not given" (default_args may fill it in) from an explicit None.
_UNSET: Any = object()

# Counts the constructors of one task still running, so that the outermost one finishes it.
_DEPTH = "_vortex_init_depth"


def _timeout(value: Any) -> Optional[datetime.timedelta]:
    if value is None or isinstance(value, datetime.timedelta):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return datetime.timedelta(seconds=value)
    raise TypeError("execution_timeout must be a timedelta or a number of seconds, not %s" % type(value).__name__)


def _finishing_init(init: Callable[..., None]) -> Callable[..., None]:
    """A subclass's ``__init__`` that, once the outermost constructor returns, finishes the task as Airflow's metaclass does."""

    @functools.wraps(init)
    def __init__(self: "BaseOperator", *args: Any, **kwargs: Any) -> None:
        depth = self.__dict__.get(_DEPTH, 0)
        self.__dict__[_DEPTH] = depth + 1
        try:
            init(self, *args, **kwargs)
        finally:
            self.__dict__[_DEPTH] = depth
        if depth == 0:
            self._finish_init()

    __init__._vortex_finishing = True  # type: ignore[attr-defined]
    return __init__


class BaseOperator(DependencyMixin):
    """A task. It joins the DAG given as ``dag=``, else the DAG of the enclosing ``with DAG(...)`` block,
    and the TaskGroup given as ``task_group=``, else the enclosing ``with TaskGroup(...)`` block.

    Arguments VORTEX does not use (``pool``, ``email``, …) are accepted and kept in
    ``extra_args``, so that Airflow DAG files load unchanged. XComArgs in the
    fields named by ``template_fields`` make the tasks they come from upstream
    of this one once it is made, as in Airflow.
    """

    template_fields: Sequence[str] = ()
    ui_color = "#fff"
    is_setup = False
    is_teardown = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        init = cls.__dict__.get("__init__")
        if init is not None and not getattr(init, "_vortex_finishing", False):
            cls.__init__ = _finishing_init(init)  # type: ignore[method-assign]

    def __init__(
        self,
        task_id: str,
        *,
        dag: "Optional[DAG]" = None,
        task_group: "Optional[TaskGroup]" = None,
        default_args: Optional[Dict[str, Any]] = None,
        owner: Any = _UNSET,
        secrets: Any = _UNSET,
        execution_timeout: Any = _UNSET,
        retries: Any = _UNSET,
        retry_delay: Any = _UNSET,
        trigger_rule: Any = _UNSET,
        do_xcom_push: Any = _UNSET,
        doc_md: Optional[str] = None,
        **kwargs: Any,
    ) -> None:
        validate_key("task_id", task_id)
        if dag is None:
            dag = task_group.dag if task_group is not None else DagContext.get_current_dag()
        if task_group is None:
            task_group = TaskGroupContext.get_current(dag)
            if dag is None and task_group is not None:
                # ``with TaskGroup("g", dag=dag):`` outside ``with DAG``: its tasks join its DAG.
                dag = task_group.dag
        self.task_id: str = validate_key("task_id", task_group.child_id(task_id)) if task_group is not None else task_id
        self._dag: "Optional[DAG]" = None
        self.task_group: "Optional[TaskGroup]" = None
        self.upstream_task_ids: Set[str] = set()
        self.downstream_task_ids: Set[str] = set()

        # Airflow's default_args: what the operator leaves out, the DAG's (then its groups') defaults fill in.
        defaults: Dict[str, Any] = {}
        if dag is not None:
            defaults.update(dag.default_args)
        if task_group is not None:
            defaults.update(task_group.default_args)
        defaults.update(default_args or {})
        given = {
            "owner": owner,
            "secrets": secrets,
            "execution_timeout": execution_timeout,
            "retries": retries,
            "retry_delay": retry_delay,
            "trigger_rule": trigger_rule,
            "do_xcom_push": do_xcom_push,
        }
        values = {k: (defaults.get(k) if v is _UNSET else v) for k, v in given.items()}
        self.owner: Optional[str] = values["owner"]
        self.secrets: List[str] = list(values["secrets"] or [])
        self.execution_timeout: Optional[datetime.timedelta] = _timeout(values["execution_timeout"])
        self.retries: int = values["retries"] or 0
        self.retry_delay: Any = values["retry_delay"]
        self.trigger_rule: str = trigger_rule_value(values["trigger_rule"] or TriggerRule.ALL_SUCCESS)
        self.do_xcom_push: bool = values["do_xcom_push"] is not False
        self.doc_md = doc_md
        self.extra_args: Dict[str, Any] = dict(kwargs)

        if recording.active is not None:
            recording.active.task_created(self)
        if task_group is not None:
            task_group.add(self)
        if dag is not None:
            dag.add_task(self)
        if self.__dict__.get(_DEPTH, 0) == 0:
            self._finish_init()

    def _finish_init(self) -> None:
        """XComArgs in templated fields make their tasks upstream of this one."""
        for field in self.template_fields:
            for ref in iter_xcom_args(getattr(self, field, None)):
                if ref.operator is not self:
                    self.set_upstream(ref.operator)

    @property
    def dag(self) -> "Optional[DAG]":
        return self._dag

    @dag.setter
    def dag(self, dag: "DAG") -> None:
        dag.add_task(self)

    @property
    def node_id(self) -> str:
        return self.task_id

    @property
    def label(self) -> str:
        """The task id without its group's prefix."""
        group = self.task_group
        if group is not None and group.prefix_group_id and group.group_id:
            return self.task_id[len(group.group_id) + 1:]
        return self.task_id

    @property
    def output(self) -> XComArg:
        """What the task returns, as an argument of another task."""
        return XComArg(self)

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
    def partial(cls, **kwargs: Any) -> "OperatorPartial":
        """Airflow's dynamic task mapping: ``.partial(...)`` then ``.expand(...)`` makes one mapped task."""
        from vortex.models.mappedoperator import OperatorPartial

        return OperatorPartial(cls, kwargs)

    def execute(self, context: Optional[Dict[str, Any]] = None) -> Any:
        """Does the task's work; each operator defines it."""
        raise NotImplementedError

    # --- dependencies ------------------------------------------------------

    @property
    def roots(self) -> "List[BaseOperator]":
        return [self]

    @property
    def leaves(self) -> "List[BaseOperator]":
        return [self]

    def _set_relatives(self, others: Any, upstream: bool, edge_modifier: "Optional[EdgeModifier]" = None) -> None:
        items = as_list(others)
        check_dependable(items)
        tasks: List[BaseOperator] = []
        for item in items:
            # Labels and groups learn what was linked to them; each stands for its own ends.
            item.update_relative(self, not upstream, edge_modifier)
            tasks.extend(item.leaves if upstream else item.roots)
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
            up, down = (task, self) if upstream else (self, task)
            up.downstream_task_ids.add(down.task_id)
            down.upstream_task_ids.add(up.task_id)
            if recorder is not None:
                recorder.edge_set(up, down)
            if edge_modifier is not None and self._dag is not None:
                edge_modifier.add_edge_info(self._dag, up.task_id, down.task_id)

    def set_downstream(self, task_or_task_list: Any, edge_modifier: "Optional[EdgeModifier]" = None) -> None:
        self._set_relatives(task_or_task_list, upstream=False, edge_modifier=edge_modifier)

    def set_upstream(self, task_or_task_list: Any, edge_modifier: "Optional[EdgeModifier]" = None) -> None:
        self._set_relatives(task_or_task_list, upstream=True, edge_modifier=edge_modifier)

    def update_relative(self, other: Any, upstream: bool = True, edge_modifier: "Optional[EdgeModifier]" = None) -> None:
        """Nothing to keep: a task's edges are set by ``_set_relatives``."""

    def get_direct_relatives(self, upstream: bool = False) -> "List[BaseOperator]":
        return self.upstream_list if upstream else self.downstream_list

    # --- setup and teardown tasks ------------------------------------------

    def as_setup(self) -> "BaseOperator":
        self.is_setup = True
        return self

    def as_teardown(self, *, setups: Any = None, on_failure_fail_dagrun: Any = None) -> "BaseOperator":
        """Marks a teardown task, run once its setups are done whatever happened (Airflow's rule);
        ``setups`` go upstream of it."""
        self.is_teardown = True
        self.trigger_rule = TriggerRule.ALL_DONE_SETUP_SUCCESS.value
        for setup in as_list(setups) if setups is not None else []:
            for task in setup.leaves:
                task.is_setup = True
            setup.set_downstream(self)
        return self

    def __enter__(self) -> "BaseOperator":
        # ``with teardown_task:`` puts the tasks made inside between the task's setups and itself,
        # by rules this SDK does not imitate: the file's graph is left to static analysis.
        raise UnsupportedAirflowFeature("a setup or teardown task used as a context manager (`with %s:`)" % self.task_id)

    def __exit__(self, *exc: object) -> None:
        return None
