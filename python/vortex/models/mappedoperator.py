"""Dynamic task mapping: ``Operator.partial(...).expand(...)`` is one mapped task, as in Airflow.

The graph has one node for it; how many instances run is known only when the
DAG runs, so VORTEX does not run it. XComArgs in its partial or expanded
arguments make their tasks upstream of it.
"""
from __future__ import annotations

from typing import Any, Dict, Optional, Type

from vortex.exceptions import UnsupportedAirflowFeature
from vortex.models.baseoperator import BaseOperator
from vortex.models.xcom_arg import XComArg, iter_xcom_args

# What a mapped task takes for itself; the rest goes to each of its instances.
_TASK_ARGUMENTS = frozenset(
    (
        "dag", "task_group", "default_args", "owner", "secrets", "execution_timeout", "retries", "retry_delay",
        "trigger_rule", "do_xcom_push", "doc_md",
    )
)


class OperatorPartial:
    """``Operator.partial(task_id=..., ...)``: waits for ``.expand(...)`` or ``.expand_kwargs(...)``."""

    def __init__(self, operator_class: Type[BaseOperator], kwargs: Dict[str, Any]) -> None:
        if "task_id" not in kwargs:
            raise TypeError("partial() missing 1 required keyword argument: 'task_id'")
        self.operator_class = operator_class
        self.kwargs = kwargs

    def expand(self, **mapped_kwargs: Any) -> "MappedOperator":
        if not mapped_kwargs:
            raise TypeError("no arguments to expand against")
        return MappedOperator(self.operator_class, self.kwargs, mapped_kwargs)

    def expand_kwargs(self, kwargs: Any, *, strict: bool = True) -> "MappedOperator":
        return MappedOperator(self.operator_class, self.kwargs, kwargs)


class MappedOperator(BaseOperator):
    """One task standing for the instances ``operator_class`` gets, one per input, when the DAG runs."""

    template_fields = ("partial_kwargs", "expand_input")

    def __init__(
        self,
        operator_class: Type[BaseOperator],
        partial_kwargs: Dict[str, Any],
        expand_input: Any,
        operator_name: Optional[str] = None,
    ) -> None:
        kwargs = dict(partial_kwargs)
        task_id = kwargs.pop("task_id")
        own = {k: kwargs.pop(k) for k in list(kwargs) if k in _TASK_ARGUMENTS}
        self.operator_class = operator_class
        self.operator_name = operator_name or operator_class.__name__
        self.partial_kwargs = kwargs
        self.expand_input = expand_input
        super().__init__(task_id, **own)

    def _finish_init(self) -> None:
        for ref in iter_xcom_args([self.partial_kwargs, self.expand_input]):
            if ref.operator is not self:
                self.set_upstream(ref.operator)
        if isinstance(self.expand_input, XComArg):
            self.set_upstream(self.expand_input.operator)

    @property
    def branch(self) -> bool:
        return bool(getattr(self.operator_class, "branch", False))

    def execute(self, context: Optional[Dict[str, Any]] = None) -> Any:
        raise UnsupportedAirflowFeature(
            "%s is a mapped task (.expand): how many instances it has is known only when Airflow runs the DAG"
            % self.task_id
        )
