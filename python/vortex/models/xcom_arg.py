"""XComArg: what a task will push to XCom, used as an argument of another task.

A TaskFlow call (``load(extract())``) and ``operator.output`` give one. Passing
it to another task makes a dependency when the graph is built, and the value
is pulled from XCom when the task runs.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from vortex.models.baseoperator import BaseOperator

XCOM_RETURN_KEY = "return_value"


class XComArg:
    """The XCom value ``key`` of the task ``operator``, resolved when a task that takes it runs."""

    def __init__(self, operator: "BaseOperator", key: str = XCOM_RETURN_KEY) -> None:
        self.operator = operator
        self.key = key

    def __repr__(self) -> str:
        return "XComArg(%r, key=%r)" % (self.operator, self.key)

    def __getitem__(self, key: str) -> "XComArg":
        """``extract()["total"]``: one key of a ``multiple_outputs`` task."""
        return XComArg(self.operator, key)

    def __eq__(self, other: Any) -> bool:
        return isinstance(other, XComArg) and other.operator is self.operator and other.key == self.key

    def __hash__(self) -> int:
        return hash((id(self.operator), self.key))
