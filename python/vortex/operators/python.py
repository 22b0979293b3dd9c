"""PythonOperator, which VORTEX runs, and Airflow's other Python operators, which it draws.

BranchPythonOperator and ShortCircuitOperator call their callable as
PythonOperator does (VORTEX runs them); the virtualenv and external-Python ones
need an environment VORTEX does not make, so they are drawn but not run.
"""
from __future__ import annotations

from typing import Any, Callable, Dict, List, NoReturn, Optional, Sequence

from vortex.exceptions import AirflowException, UnsupportedAirflowFeature
from vortex.models.baseoperator import BaseOperator


class PythonOperator(BaseOperator):
    """Calls ``python_callable(*op_args, **op_kwargs)``."""

    template_fields: Sequence[str] = ("templates_dict", "op_args", "op_kwargs")

    def __init__(
        self,
        task_id: str,
        python_callable: Callable[..., Any],
        *,
        op_args: Optional[Sequence[Any]] = None,
        op_kwargs: Optional[Dict[str, Any]] = None,
        templates_dict: Optional[Dict[str, Any]] = None,
        **kwargs: Any,
    ) -> None:
        if not callable(python_callable):
            raise TypeError("python_callable of task %r must be callable" % task_id)
        super().__init__(task_id, **kwargs)
        self.python_callable = python_callable
        self.op_args: List[Any] = list(op_args or [])
        self.op_kwargs: Dict[str, Any] = dict(op_kwargs or {})
        self.templates_dict = templates_dict

    def execute(self, context: Optional[Dict[str, Any]] = None) -> Any:
        """Calls the callable here and now and returns what it returns."""
        return self.python_callable(*self.op_args, **self.op_kwargs)


class BranchPythonOperator(PythonOperator):
    """Its callable returns the task id(s) to follow; the other downstream tasks are skipped."""

    branch = True


class ShortCircuitOperator(PythonOperator):
    """A falsy result of its callable skips the downstream tasks (all of them, unless
    ``ignore_downstream_trigger_rules=False``: then only the direct ones, and the
    others follow their trigger rules)."""

    branch = True

    def __init__(self, *, ignore_downstream_trigger_rules: bool = True, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.ignore_downstream_trigger_rules = ignore_downstream_trigger_rules


def _not_run_here(task: BaseOperator, why: str) -> NoReturn:
    raise UnsupportedAirflowFeature("VORTEX cannot run %s (%s) locally: %s" % (task.task_id, type(task).__name__, why))


class PythonVirtualenvOperator(PythonOperator):
    """Calls its callable in a new virtual environment with ``requirements``."""

    def execute(self, context: Optional[Dict[str, Any]] = None) -> Any:
        _not_run_here(self, "it needs a virtual environment of its own")


class BranchPythonVirtualenvOperator(PythonVirtualenvOperator):
    branch = True


class ExternalPythonOperator(PythonOperator):
    """Calls its callable with another, existing Python interpreter (``python=``)."""

    def execute(self, context: Optional[Dict[str, Any]] = None) -> Any:
        _not_run_here(self, "it runs in another Python interpreter")


class BranchExternalPythonOperator(ExternalPythonOperator):
    branch = True


def get_current_context() -> Dict[str, Any]:
    """Airflow's context of the running task; there is none while a DAG file is being built."""
    raise AirflowException(
        "Current context was requested but no context was found! Are you running within an Airflow task?"
    )
