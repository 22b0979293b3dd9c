"""EmptyOperator: a task that does nothing, for grouping and placeholders."""
from __future__ import annotations

from typing import Any, Dict, Optional

from vortex.models.baseoperator import BaseOperator


class EmptyOperator(BaseOperator):
    """Succeeds at once; VORTEX starts no process for it."""

    def execute(self, context: Optional[Dict[str, Any]] = None) -> None:
        return None
