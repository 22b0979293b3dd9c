"""Edge labels: ``a >> Label("no") >> b`` is the edge a → b carrying the text "no", as Airflow's EdgeModifier."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, List, Optional

from vortex.models.dependency import DependencyMixin, as_list

if TYPE_CHECKING:
    from vortex.models.baseoperator import BaseOperator
    from vortex.models.dag import DAG


class EdgeModifier(DependencyMixin):
    """Sits between two ends of a dependency: what is written before it links to what is written after it."""

    def __init__(self, label: Optional[str] = None) -> None:
        self.label = label
        self._upstream: List[Any] = []
        self._downstream: List[Any] = []

    def __repr__(self) -> str:
        return "Label(%r)" % self.label

    @property
    def roots(self) -> "List[BaseOperator]":
        # Until something is written after the label, an edge into it links nothing yet.
        return [task for item in self._downstream for task in item.roots]

    @property
    def leaves(self) -> "List[BaseOperator]":
        return [task for item in self._upstream for task in item.leaves]

    def set_upstream(self, other: Any, edge_modifier: "Optional[EdgeModifier]" = None) -> None:
        others = as_list(other)
        self._upstream.extend(others)
        for item in self._downstream:
            item.set_upstream(others, edge_modifier=self)

    def set_downstream(self, other: Any, edge_modifier: "Optional[EdgeModifier]" = None) -> None:
        others = as_list(other)
        self._downstream.extend(others)
        for item in self._upstream:
            item.set_downstream(others, edge_modifier=self)

    def update_relative(self, other: Any, upstream: bool = True, edge_modifier: "Optional[EdgeModifier]" = None) -> None:
        if upstream:
            self.set_upstream(other)
        else:
            self.set_downstream(other)

    def add_edge_info(self, dag: "DAG", upstream_id: str, downstream_id: str) -> None:
        dag.set_edge_info(upstream_id, downstream_id, {"label": self.label})


def Label(label: str) -> EdgeModifier:  # noqa: N802 - Airflow's name for it
    """An edge label, as ``airflow.utils.edgemodifier.Label``."""
    return EdgeModifier(label)
