"""XComArg: what a task will push to XCom, used as an argument of another task.

A TaskFlow call (``load(extract())``) and ``operator.output`` give one. Passing
it to another task makes a dependency when the graph is built (Airflow sets it
from the task's templated fields once the task is made), and the value is
pulled from XCom when the task runs.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Iterator, List, Optional

from vortex.models.dependency import DependencyMixin

if TYPE_CHECKING:
    from vortex.models.baseoperator import BaseOperator
    from vortex.models.edges import EdgeModifier

XCOM_RETURN_KEY = "return_value"


class XComArg(DependencyMixin):
    """The XCom value ``key`` of the task ``operator``, resolved when a task that takes it runs."""

    def __init__(self, operator: "BaseOperator", key: str = XCOM_RETURN_KEY) -> None:
        self.operator = operator
        self.key = key

    def __repr__(self) -> str:
        return "XComArg(%r, key=%r)" % (self.operator, self.key)

    def __str__(self) -> str:
        """Written into a templated string (``f"... {task.output}"``): the Jinja expression Airflow renders
        into the value when the task runs. A string makes no edge, in Airflow as here."""
        dag = self.operator.dag
        return "{{ task_instance.xcom_pull(task_ids='%s', dag_id='%s', key='%s') }}" % (
            self.operator.task_id,
            dag.dag_id if dag is not None else None,
            self.key,
        )

    def __getitem__(self, key: str) -> "XComArg":
        """``extract()["total"]``: one key of a ``multiple_outputs`` task."""
        return XComArg(self.operator, key)

    def __iter__(self) -> Iterator[Any]:
        raise TypeError("'XComArg' object is not iterable")

    def __eq__(self, other: Any) -> bool:
        return isinstance(other, XComArg) and other.operator is self.operator and other.key == self.key

    def __hash__(self) -> int:
        return hash((id(self.operator), self.key))

    # --- dependencies: an XComArg stands for its task -------------------------

    @property
    def roots(self) -> "List[BaseOperator]":
        return [self.operator]

    @property
    def leaves(self) -> "List[BaseOperator]":
        return [self.operator]

    def set_upstream(self, other: Any, edge_modifier: "Optional[EdgeModifier]" = None) -> None:
        self.operator.set_upstream(other, edge_modifier)

    def set_downstream(self, other: Any, edge_modifier: "Optional[EdgeModifier]" = None) -> None:
        self.operator.set_downstream(other, edge_modifier)

    # --- what Airflow offers on a task's output -------------------------------

    def map(self, f: Callable[[Any], Any]) -> "XComArg":
        """``.map(f)``: the value transformed item by item when it is pulled; the same task upstream."""
        return XComArg(self.operator, self.key)

    def zip(self, *others: "XComArg", fillvalue: Any = None) -> "XComArg":
        return XComArg(self.operator, self.key)

    def concat(self, *others: "XComArg") -> "XComArg":
        return XComArg(self.operator, self.key)

    def as_setup(self) -> "XComArg":
        self.operator.as_setup()
        return self

    def as_teardown(self, *, setups: Any = None, on_failure_fail_dagrun: Any = None) -> "XComArg":
        self.operator.as_teardown(setups=setups, on_failure_fail_dagrun=on_failure_fail_dagrun)
        return self

    def __enter__(self) -> "XComArg":
        self.operator.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        return None


def iter_xcom_args(value: Any, _depth: int = 0) -> Iterator[XComArg]:
    """Every XComArg in ``value``: itself, or nested in lists, tuples, sets and dicts (keys and values)."""
    if isinstance(value, XComArg):
        yield value
    elif _depth > 20:
        return
    elif isinstance(value, (list, tuple, set, frozenset)):
        for item in value:
            yield from iter_xcom_args(item, _depth + 1)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from iter_xcom_args(key, _depth + 1)
            yield from iter_xcom_args(item, _depth + 1)
