"""What ``>>`` and ``<<`` work on: tasks, XComArgs, TaskGroups and edge labels, alone or in lists.

Each kind says which tasks stand for it at either end of an edge (``roots``
when something comes before it, ``leaves`` when something comes after it), as
Airflow's DependencyMixin does; lists on either side link every member.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable, List, Optional

if TYPE_CHECKING:
    from vortex.models.baseoperator import BaseOperator
    from vortex.models.edges import EdgeModifier


class DependencyMixin:
    """``a >> b`` is ``a.set_downstream(b)`` and returns b, so that chains read left to right."""

    @property
    def roots(self) -> "List[BaseOperator]":
        """The tasks an edge into this ends at."""
        raise NotImplementedError

    @property
    def leaves(self) -> "List[BaseOperator]":
        """The tasks an edge out of this starts from."""
        raise NotImplementedError

    def set_upstream(self, other: Any, edge_modifier: "Optional[EdgeModifier]" = None) -> None:
        raise NotImplementedError

    def set_downstream(self, other: Any, edge_modifier: "Optional[EdgeModifier]" = None) -> None:
        raise NotImplementedError

    def update_relative(self, other: Any, upstream: bool = True, edge_modifier: "Optional[EdgeModifier]" = None) -> None:
        """Told that ``other`` was linked to it from the other side; only labels and groups keep track."""

    def __rshift__(self, other: Any) -> Any:
        self.set_downstream(other)
        return other

    def __lshift__(self, other: Any) -> Any:
        self.set_upstream(other)
        return other

    def __rrshift__(self, other: Any) -> Any:
        """``[a, b] >> self``."""
        self.__lshift__(other)
        return self

    def __rlshift__(self, other: Any) -> Any:
        """``[a, b] << self``."""
        self.__rshift__(other)
        return self


def as_list(value: Any) -> List[Any]:
    """One dependency end as a list of its members: a list, tuple or set as given, anything else alone."""
    if isinstance(value, (list, tuple, set, frozenset)):
        return list(value)
    return [value]


def check_dependable(items: Iterable[Any]) -> None:
    for item in items:
        if not isinstance(item, DependencyMixin):
            raise TypeError(
                "dependencies are set between tasks, task groups, XComArgs and labels, not with %s" % type(item).__name__
            )
