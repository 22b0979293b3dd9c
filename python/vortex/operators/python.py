"""PythonOperator: calls a Python function."""
from __future__ import annotations

from typing import Any, Callable, Dict, List, Optional, Sequence

from vortex.models.baseoperator import BaseOperator


class PythonOperator(BaseOperator):
    """Calls ``python_callable(*op_args, **op_kwargs)``."""

    def __init__(
        self,
        task_id: str,
        python_callable: Callable[..., Any],
        *,
        op_args: Optional[Sequence[Any]] = None,
        op_kwargs: Optional[Dict[str, Any]] = None,
        **kwargs: Any,
    ) -> None:
        if not callable(python_callable):
            raise TypeError("python_callable of task %r must be callable" % task_id)
        super().__init__(task_id, **kwargs)
        self.python_callable = python_callable
        self.op_args: List[Any] = list(op_args or [])
        self.op_kwargs: Dict[str, Any] = dict(op_kwargs or {})

    def execute(self, context: Optional[Dict[str, Any]] = None) -> Any:
        """Calls the callable here and now and returns what it returns."""
        return self.python_callable(*self.op_args, **self.op_kwargs)
